package jobs

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/store"
)

// runWatch queues a run of a watch, waits until it is its runs-th and
// returns each name's state; the run must have audited the names.
func (h *harness) runWatch(t *testing.T, watchID string, runs int) map[string]*store.NameState {
	t.Helper()
	got := h.runWatchOnce(t, watchID, runs)
	if got.LastError != "" {
		t.Fatalf("watch run: %s", got.LastError)
	}
	states, _ := h.st.NameStates(context.Background(), watchID)
	m := map[string]*store.NameState{}
	for _, s := range states {
		m[s.Name] = s
	}
	return m
}

func (h *harness) runWatchOnce(t *testing.T, watchID string, runs int) *store.Watch {
	t.Helper()
	ctx := context.Background()
	// A run that has just recorded its result may still count as running
	// in River for a moment, and one run per watch is pending at a time:
	// wait for it to be finished.
	waitFor(t, "the previous run's job to finish", func() bool {
		counts, _ := h.st.JobCounts(ctx)
		for _, c := range counts {
			if c.Kind == (WatchArgs{}).Kind() && c.State != "completed" {
				return false
			}
		}
		return true
	})
	if err := h.st.InTx(ctx, func(tx *store.Tx) error { return h.r.EnqueueWatch(ctx, tx, watchID) }); err != nil {
		t.Fatal(err)
	}
	var got *store.Watch
	waitFor(t, "the watch run", func() bool {
		got, _ = h.st.GetWatch(ctx, watchID)
		return got != nil && got.Runs == runs
	})
	return got
}

func (h *harness) addWatch(t *testing.T, name string, names []string, o store.WatchOptions) *store.Watch {
	t.Helper()
	now := time.Now()
	wt := &store.Watch{ID: store.NewID("dnw"), Name: name, Names: names, Schedule: "@every 1h", Options: o,
		NextRunAt: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now}
	if err := h.st.CreateWatch(context.Background(), wt); err != nil {
		t.Fatal(err)
	}
	return wt
}

// lastRun is a watch's latest run with its notices decoded.
func (h *harness) lastRun(t *testing.T, watchID string) (*store.WatchRun, []dnsaudit.Notice) {
	t.Helper()
	runs, err := h.st.WatchRuns(context.Background(), watchID, 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs of %s: %+v %v", watchID, runs, err)
	}
	var ns []dnsaudit.Notice
	if err := json.Unmarshal([]byte(runs[0].Notices), &ns); err != nil {
		t.Fatalf("notices %q: %v", runs[0].Notices, err)
	}
	return runs[0], ns
}

// A watch audits the record types its options name. When a name's MX
// starts pointing into an unregistered domain, the watch that audits MX
// (the default types do) records the change and sends dns.changed like
// any other change, with the run's notices; its twin that audits only A
// and CNAME sees nothing.
func TestDNSWatchRecordTypes(t *testing.T) {
	t.Parallel()
	w := startFixLab(t)
	for _, rr := range []string{"post.fix.test. 60 IN A 127.0.0.1", "post.fix.test. 60 IN MX 10 mail.cleanshop.test."} {
		if err := w.DNS.AddRecord(rr); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, dsn(t, store.SQLite), w.World, fewChecks(), nil)
	rc := newReceiver(t, "dns")
	rc.listen("127.0.0.1:0")
	hook := h.addWebhook(t, "http://"+rc.addr+"/", "dns", EventDNSChanged)
	h.start(t)
	names := []string{"post.fix.test", "steady.fix.test"}
	// The MX watch asks a lying resolver too: dns.changed says it was dropped.
	mx := h.addWatch(t, "mail", names, store.WatchOptions{Resolvers: []string{w.RewritingResolverAddr, w.DNSAddr}})
	aOnly := h.addWatch(t, "addresses", names, store.WatchOptions{Types: []string{"A", "CNAME"}})

	for _, wt := range []*store.Watch{mx, aOnly} {
		if s := h.runWatch(t, wt.ID, 1); s["post.fix.test"].Status != "ok" || s["steady.fix.test"].Status != "ok" {
			t.Fatalf("%s, first run: post %+v, steady %+v", wt.Name, s["post.fix.test"], s["steady.fix.test"])
		}
	}
	w.DNS.RemoveRecords("post.fix.test.", dns.TypeMX)
	if err := w.DNS.AddRecord("post.fix.test. 60 IN MX 10 mx." + lab.UnregisteredDom + "."); err != nil {
		t.Fatal(err)
	}
	if s := h.runWatch(t, mx.ID, 2)["post.fix.test"]; s.Status != "vulnerable" || !slices.Contains(strings.Split(s.Summary, ","), dnsaudit.IDDanglingMX) {
		t.Fatalf("the MX watch after the MX went dangling: %+v", s)
	}
	if s := h.runWatch(t, aOnly.ID, 2)["post.fix.test"]; s.Status != "ok" || strings.Contains(s.Summary, dnsaudit.IDDanglingMX) {
		t.Errorf("the A,CNAME watch audited MX: %+v", s)
	}
	if ch, _ := h.st.Changes(context.Background(), aOnly.ID, 10); len(ch) != 0 {
		t.Errorf("the A,CNAME watch recorded changes: %+v", ch)
	}
	ch, _ := h.st.Changes(context.Background(), mx.ID, 10)
	if len(ch) != 1 || ch[0].Name != "post.fix.test" || ch[0].FromStatus != "ok" || ch[0].ToStatus != "vulnerable" {
		t.Fatalf("changes: %+v", ch)
	}
	waitFor(t, "dns.changed", func() bool { return len(rc.events(EventDNSChanged)) == 1 })
	raw, _ := json.Marshal(rc.events(EventDNSChanged)[0].Data)
	var data DNSChanged
	if err := json.Unmarshal(raw, &data); err != nil || data.WatchID != mx.ID || len(data.Changes) != 1 ||
		!slices.Contains(data.Changes[0].ToFindings, dnsaudit.IDDanglingMX) || slices.Contains(data.Changes[0].FromFindings, dnsaudit.IDDanglingMX) ||
		len(data.Notices) != 1 || data.Notices[0].Server != w.RewritingResolverAddr {
		t.Errorf("dns.changed data: %s (%v)", raw, err)
	}
	if run, ns := h.lastRun(t, mx.ID); run.Changes != 1 || run.Statuses != `{"ok":1,"vulnerable":1}` || len(ns) != 1 || run.Error != "" {
		t.Errorf("the MX watch's last run: %+v", run)
	}
	// Deliveries are stored with the run that caused them: every run has
	// been stored, so this is all there will be.
	if ds, err := h.st.ListDeliveries(context.Background(), hook.ID, 10); err != nil || len(ds) != 1 {
		t.Errorf("%d dns.changed deliveries (%v), want the MX watch's one", len(ds), err)
	}
}

// Each run records the audit's notices: a watch whose resolvers include
// one that rewrites NXDOMAIN says it was dropped; when it was the only
// one, that the names were resolved from the root servers (and the
// verdicts stay right); an honest resolver gives no notice. A run that
// cannot audit at all (the only resolver lies and there is no root to
// resolve from) is in the history with its error.
func TestDNSWatchRecordsNotices(t *testing.T) {
	t.Parallel()
	w := startFixLab(t)
	h := newHarness(t, dsn(t, store.SQLite), w.World, fewChecks(), nil)
	h.start(t)
	names := []string{"steady.fix.test", lab.MailRotZone, "nothere.vulnshop.test"}
	want := map[string]string{"steady.fix.test": "ok", lab.MailRotZone: "vulnerable", "nothere.vulnshop.test": "unresolved"}
	for _, tc := range []struct {
		resolvers []string
		kinds     []string
	}{
		{nil, nil},
		{[]string{w.RewritingResolverAddr, w.DNSAddr}, []string{dnsaudit.NoticeResolverDropped}},
		{[]string{w.RewritingResolverAddr}, []string{dnsaudit.NoticeResolverDropped, dnsaudit.NoticeIterative}},
	} {
		wt := h.addWatch(t, "notices", names, store.WatchOptions{Resolvers: tc.resolvers})
		states := h.runWatch(t, wt.ID, 1)
		for n, st := range want {
			if states[n] == nil || states[n].Status != st {
				t.Errorf("resolvers %v, %s: %+v, want %s", tc.resolvers, n, states[n], st)
			}
		}
		run, ns := h.lastRun(t, wt.ID)
		var kinds []string
		for _, n := range ns {
			kinds = append(kinds, n.Kind)
		}
		if !slices.Equal(kinds, tc.kinds) || run.Error != "" {
			t.Errorf("resolvers %v: run %+v, notices %v, want %v", tc.resolvers, run, kinds, tc.kinds)
		}
		if len(ns) > 0 && (ns[0].Server != w.RewritingResolverAddr || !strings.Contains(ns[0].Reason, "rewrites NXDOMAIN") || len(ns[0].Evidence) == 0) {
			t.Errorf("resolvers %v: notice %+v", tc.resolvers, ns[0])
		}
	}

	noRoots := newHarness(t, dsn(t, store.SQLite), w.World, fewChecks(), func(c *Config) {
		base := c.ScanOptions
		c.ScanOptions = func() engine.Options { o := base(); o.DNSAudit.Roots = nil; return o }
	})
	noRoots.start(t)
	wt := noRoots.addWatch(t, "lied to", names, store.WatchOptions{Resolvers: []string{w.RewritingResolverAddr}})
	if got := noRoots.runWatchOnce(t, wt.ID, 1); !strings.Contains(got.LastError, "rewrites NXDOMAIN") {
		t.Errorf("last error %q", got.LastError)
	}
	if run, ns := noRoots.lastRun(t, wt.ID); !strings.Contains(run.Error, "rewrites NXDOMAIN") || len(ns) != 0 || run.Statuses != "{}" {
		t.Errorf("the failed run: %+v", run)
	}
	if states, _ := noRoots.st.NameStates(context.Background(), wt.ID); len(states) != 0 {
		t.Errorf("a run that could not audit stored states: %+v", states)
	}
}

// Bad types fail the run with the reason, as the API refuses them.
func TestWatchTypes(t *testing.T) {
	t.Parallel()
	if got, err := WatchTypes(nil); err != nil || got != dnsaudit.DefaultTypes {
		t.Errorf("no types: %v %v", got, err)
	}
	if got, err := WatchTypes([]string{"mx", " TXT "}); err != nil || got.String() != "MX,TXT" {
		t.Errorf("mx, TXT: %v %v", got, err)
	}
	if _, err := WatchTypes([]string{"A", "PTR"}); err == nil || !strings.Contains(err.Error(), `"PTR"`) {
		t.Errorf("PTR: %v", err)
	}
}
