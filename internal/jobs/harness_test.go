package jobs

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/exposure"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/seal"
	"github.com/plumbsec/plumb/internal/store"
	"github.com/plumbsec/plumb/internal/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// fixLab is a lab with switchable sites: https://NAME.fix.test sends
// X-Content-Type-Options: nosniff only once fixed[NAME] is set, so a
// rescan after "the fix" loses one finding.
type fixLab struct {
	*lab.World
	fixed map[string]*atomic.Bool
}

const switchURL = "https://switch.fix.test"

var switches = []string{"switch", "sw-sqlite", "sw-postgres"}

func startFixLab(t *testing.T, extra ...lab.Site) *fixLab {
	t.Helper()
	zone, err := lab.ParseZone("fix.test.", "@ 300 IN SOA ns1.fix.test. h.fix.test. 1 3600 600 86400 60",
		"switch A 127.0.0.1", "sw-sqlite A 127.0.0.1", "sw-postgres A 127.0.0.1", "slow A 127.0.0.1",
		"steady A 127.0.0.1", "flip CNAME fix-flip.azurewebsites.net.")
	if err != nil {
		t.Fatal(err)
	}
	fl := &fixLab{fixed: map[string]*atomic.Bool{}}
	for _, name := range switches {
		fixed := &atomic.Bool{}
		fl.fixed[name] = fixed
		extra = append(extra, lab.Site{Host: name + ".fix.test", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if fixed.Load() {
				w.Header().Set("X-Content-Type-Options", "nosniff")
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ok":true}`))
		})})
	}
	fl.World = labtest.Start(t, lab.Options{ExtraZones: []lab.Zone{zone}, ExtraSites: extra})
	return fl
}

// fewChecks keep job tests fast; the CLI's tests scan with every check.
func fewChecks() []check.Check { return []check.Check{exposure.NoSniff{}} }

type harness struct {
	st  *store.Store
	box *seal.Box
	r   *Runner
}

func dsn(t *testing.T, d store.Dialect) string {
	if d == store.Postgres {
		return pgtest.DSN(t)
	}
	return "sqlite:" + filepath.Join(t.TempDir(), "plumb.db")
}

// newHarness opens a migrated store and a runner scanning w with cs; mod
// adjusts the config. The runner is not started.
func newHarness(t *testing.T, dbDSN string, w *lab.World, cs []check.Check, mod func(*Config)) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := Migrate(ctx, st); err != nil {
		t.Fatal(err)
	}
	box, err := seal.New(bytes.Repeat([]byte{9}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	base := labtest.Options(t, w, "", cs...)
	cfg := Config{Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), Store: st, Box: box, AllowPrivate: true, Workers: 2, TickInterval: 200 * time.Millisecond,
		LockRetry: 100 * time.Millisecond, SoftStop: 200 * time.Millisecond,
		WebhookBackoff: func(int) time.Duration { return 100 * time.Millisecond },
		ScanOptions: func() engine.Options {
			o := base
			o.Checks = slices.Clone(base.Checks)
			return o
		}}
	if mod != nil {
		mod(&cfg)
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{st: st, box: box, r: r}
}

func (h *harness) start(t *testing.T) {
	t.Helper()
	if err := h.r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = h.r.Stop(ctx)
	})
}

func (h *harness) addTarget(t *testing.T, url, host string, creds *Credentials, schedule string) *store.Target {
	t.Helper()
	now := time.Now()
	tg := &store.Target{ID: store.NewID("tgt"), Name: host, URL: url, Host: host, Schedule: schedule, CreatedAt: now, UpdatedAt: now}
	if schedule != "" {
		tg.NextRunAt = now
	}
	var err error
	if tg.Credentials, err = SealCredentials(h.box, tg.ID, creds); err != nil {
		t.Fatal(err)
	}
	if err := h.st.CreateTarget(context.Background(), tg); err != nil {
		t.Fatal(err)
	}
	return tg
}

func (h *harness) scan(t *testing.T, targetID string) *store.Scan {
	t.Helper()
	var sc *store.Scan
	err := h.st.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		sc, err = h.r.CreateScan(context.Background(), tx, targetID, "api")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// waitFor polls cond until it holds or a minute has passed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (h *harness) waitScan(t *testing.T, id string) *store.Scan {
	t.Helper()
	var sc *store.Scan
	waitFor(t, "scan "+id+" to end", func() bool {
		var err error
		sc, err = h.st.GetScan(context.Background(), id, true)
		return err == nil && sc.Terminal()
	})
	return sc
}
