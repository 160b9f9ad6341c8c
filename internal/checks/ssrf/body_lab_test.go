package ssrf_test

import (
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/checks/ssrf"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/labtest"
)

// Vulnshop fetches the avatar URL of a JSON PUT and the webhook URL of a
// form POST: in band (the metadata listing comes back) and out of band
// (plumb's own listener gets the fetch). The avatar is written back and
// each webhook deleted: the store is as it was. Cleanshop takes its CDN
// and its partner's host only and fetches nothing.
func TestBodyFetchOnLab(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	writesListen := func(o *engine.Options) { o.AllowWrites, o.CallbackListen = true, freeAddr(t) }
	before := string(w.Vuln.State())
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, writesListen, ssrf.BodyFetch{})
	want := map[string]string{
		ssrf.IDBodyInBand + " PUT api.vulnshop.test/api/v1/profile/avatar [avatar_url]": "metadata",
		ssrf.IDBodyInBand + " POST api.vulnshop.test/api/v1/webhooks [url]":             "metadata",
		ssrf.IDBodyFetch + " PUT api.vulnshop.test/api/v1/profile/avatar [avatar_url]":  "fetches attacker-chosen URLs (body field avatar_url)",
		ssrf.IDBodyFetch + " POST api.vulnshop.test/api/v1/webhooks [url]":              "fetches attacker-chosen URLs (body field url)",
	}
	got := map[string]finding.Finding{}
	for _, f := range rep.Findings {
		got[f.ID+" "+f.Location.String()] = f
	}
	for k, title := range want {
		f, ok := got[k]
		if !ok || !strings.Contains(f.Title, title) || f.Confidence != finding.Confirmed {
			t.Errorf("want %s (%q), got %+v; all %v", k, title, f, keysOf(got))
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d findings, want %d: %v", len(got), len(want), keysOf(got))
	}
	if after := string(w.Vuln.State()); after != before || len(rep.ChangesNotUndone) != 0 {
		t.Errorf("the store changed (not undone: %+v):\nbefore %s\nafter  %s", rep.ChangesNotUndone, before, after)
	}
	clean := labtest.Scan(t, w, w.Clean.BaseURL, w.Clean.Token, writesListen, ssrf.BodyFetch{})
	for _, f := range clean.Findings {
		t.Errorf("clean twin: %s %s", f.ID, f.Title)
	}
	if len(clean.ChangesNotUndone) != 0 {
		t.Errorf("clean twin: not undone %+v", clean.ChangesNotUndone)
	}
	// Read-only scans never send these bodies.
	ro := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, nil, ssrf.BodyFetch{})
	if len(ro.Findings) != 0 || ro.Checks[0].Status != "skipped" {
		t.Errorf("read-only: %+v %+v", ro.Findings, ro.Checks)
	}
}

func keysOf(m map[string]finding.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
