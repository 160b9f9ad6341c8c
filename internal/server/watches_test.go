package server

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/lab"
)

// A watch's options.types are validated as plumb dns --types and kept in
// canonical form; its runs are listed with the audit's notices, in the
// API and on the dashboard, so the history says when a resolver was
// dropped. MX (asked for in lower case) finds the apex whose mail goes to
// an unregistered domain.
func TestWatchTypesAndNotices(t *testing.T) {
	t.Parallel()
	ts := startServer(t, opts{allowPrivate: true})
	rewriter := ts.w.RewritingResolverAddr
	var w struct{ ID string }
	body := map[string]any{"names": []string{lab.MailRotZone, lab.MailOKZone}, "schedule": "@every 1h",
		"options": map[string]any{"types": []string{"mx", "A"}, "resolver": []string{rewriter, ts.w.DNSAddr}}}
	if code, raw := ts.call(t, "POST", "/api/v1/dns-watches", ts.key, body, &w); code != 201 {
		t.Fatalf("create watch: %d %s", code, raw)
	}
	type run struct {
		Error    string
		Notices  []dnsaudit.Notice
		Statuses map[string]int
		Changes  int
	}
	var got struct {
		Runs    int
		Options struct{ Types []string }
		Status  []struct {
			Name, Status string
			Findings     []string
		}
		RecentRuns []run `json:"recent_runs"`
	}
	for i := 0; i < 600 && got.Runs == 0; i++ {
		ts.call(t, "GET", "/api/v1/dns-watches/"+w.ID, ts.key, nil, &got)
		if got.Runs == 0 {
			sleep()
		}
	}
	if !slices.Equal(got.Options.Types, []string{"A", "MX"}) {
		t.Errorf("options.types %v, want the canonical A, MX", got.Options.Types)
	}
	for _, n := range got.Status {
		want := map[string]string{lab.MailRotZone: "vulnerable", lab.MailOKZone: "ok"}[n.Name]
		if n.Status != want || (want == "vulnerable") != slices.Contains(n.Findings, dnsaudit.IDDanglingMX) {
			t.Errorf("%s: %s %v, want %s", n.Name, n.Status, n.Findings, want)
		}
	}
	if len(got.RecentRuns) != 1 {
		t.Fatalf("recent runs %+v", got.RecentRuns)
	}
	r := got.RecentRuns[0]
	if r.Error != "" || len(r.Notices) != 1 || r.Notices[0].Kind != dnsaudit.NoticeResolverDropped || r.Notices[0].Server != rewriter ||
		r.Statuses["vulnerable"] != 1 || r.Statuses["ok"] != 1 || r.Changes != 0 {
		t.Errorf("run %+v", r)
	}

	c := ts.browser(t)
	postForm(t, c, ts.URL+"/login", url.Values{"key": {ts.key}}, nil)
	code, page, _ := get(t, c, ts.URL+"/watches/"+w.ID)
	if code != 200 || !strings.Contains(page, `id="runs"`) || !strings.Contains(page, "resolver "+rewriter+" dropped: it rewrites NXDOMAIN") ||
		!strings.Contains(page, "record types A,MX") {
		t.Errorf("watch page: %d\n%s", code, page)
	}
}
