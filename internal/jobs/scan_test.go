package jobs

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/store"
)

const (
	secretToken  = "sekret-token-Zq81xVb27"
	secretHeader = "hdr-secret-Pq19aa0"
)

// A scan job runs the engine against the lab, stores the redacted JSON
// report with its summary, and no credential reaches the database in the
// clear: not in the report, not in the target row, not in River's jobs.
func TestScanJobStoresRedactedReport(t *testing.T) {
	t.Parallel()
	w := startFixLab(t)
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, dsn(t, d), w.World, fewChecks(), nil)
			h.start(t)
			tg := h.addTarget(t, switchURL, "switch.fix.test", &Credentials{Bearer: secretToken, Headers: map[string]string{"X-Api-Key": secretHeader}}, "")
			sc := h.waitScan(t, h.scan(t, tg.ID).ID)
			if sc.Status != store.StatusDone || sc.Error != "" {
				t.Fatalf("scan %s: %s", sc.Status, sc.Error)
			}
			rep, err := result.ReadReport(strings.NewReader(sc.Report))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Target != switchURL+"/" && rep.Target != switchURL {
				t.Errorf("report target %q", rep.Target)
			}
			if len(rep.Identities) == 0 || rep.Identities[0].Source != "header" {
				t.Errorf("the scan did not use the target's credentials: %+v", rep.Identities)
			}
			if sc.Findings != 1 || sc.Grade != rep.Grade || sc.Requests != rep.Requests.HTTP || sc.Attempt != 1 {
				t.Errorf("summary %+v does not match the report (grade %s, %d requests)", sc, rep.Grade, rep.Requests.HTTP)
			}
			assertNoSecretStored(t, h.st, secretToken, secretHeader)
		})
	}
}

// assertNoSecretStored reads back everything stored — the SQLite file and
// its WAL byte for byte, or every Postgres table as text.
func assertNoSecretStored(t *testing.T, st *store.Store, secrets ...string) {
	t.Helper()
	var dump []byte
	if st.Dialect() == store.SQLite {
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(st.Path() + suffix)
			if err != nil && suffix == "" {
				t.Fatal(err)
			}
			dump = append(dump, b...)
		}
	} else {
		ctx := context.Background()
		rows, err := st.Pool().Query(ctx, `SELECT string_agg(t::text, '|') FROM (
			SELECT row_to_json(x)::text AS t FROM targets x UNION ALL SELECT row_to_json(x)::text FROM scans x
			UNION ALL SELECT row_to_json(x)::text FROM river_job x) all_rows`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s *string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			if s != nil {
				dump = append(dump, *s...)
			}
		}
		rows.Close()
	}
	if len(dump) < 1000 {
		t.Fatalf("read back only %d bytes: the check would be blind", len(dump))
	}
	for _, s := range secrets {
		if strings.Contains(string(dump), s) {
			t.Errorf("the database holds the secret %q in the clear", s)
		}
	}
}

// Without --allow-private-targets a scan does not connect to loopback,
// even when the name only resolves there at scan time.
func TestScanRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	w := startFixLab(t)
	h := newHarness(t, dsn(t, store.SQLite), w.World, fewChecks(), func(c *Config) { c.AllowPrivate = false })
	h.start(t)
	tg := h.addTarget(t, switchURL, "switch.fix.test", nil, "")
	sc := h.waitScan(t, h.scan(t, tg.ID).ID)
	if sc.Status != store.StatusFailed || !strings.Contains(sc.Error, "refused") {
		t.Fatalf("scan of a loopback target: %s %q, want failed with the refusal", sc.Status, sc.Error)
	}
}
