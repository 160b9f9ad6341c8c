package jobs

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/store"
)

// intervals records, per identity, when requests were being served.
type intervals struct {
	mu   sync.Mutex
	open map[string]int
	max  int // most identities served at once
	seen map[string]bool
}

func (iv *intervals) enter(who string) func() {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	iv.open[who]++
	iv.seen[who] = true
	busy := 0
	for _, n := range iv.open {
		if n > 0 {
			busy++
		}
	}
	iv.max = max(iv.max, busy)
	return func() {
		iv.mu.Lock()
		iv.open[who]--
		iv.mu.Unlock()
	}
}

// slowSite serves https://slow.fix.test slowly and records which identity
// (bearer token) it is serving at each moment.
func slowSite(iv *intervals, delay *atomic.Int64) lab.Site {
	return lab.Site{Host: "slow.fix.test", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if who := r.Header.Get("Authorization"); who != "" {
			defer iv.enter(who)()
		}
		select {
		case <-time.After(time.Duration(delay.Load())):
		case <-r.Context().Done():
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	})}
}

// Two targets on one host never scan at once, though two workers are free.
func TestOneScanPerHost(t *testing.T) {
	t.Parallel()
	iv := &intervals{open: map[string]int{}, seen: map[string]bool{}}
	var delay atomic.Int64
	delay.Store(int64(150 * time.Millisecond))
	w := startFixLab(t, slowSite(iv, &delay))
	h := newHarness(t, dsn(t, store.SQLite), w.World, fewChecks(), nil)
	h.start(t)
	a := h.addTarget(t, "https://slow.fix.test/a", "slow.fix.test", &Credentials{Bearer: "token-a"}, "")
	b := h.addTarget(t, "https://slow.fix.test/b", "slow.fix.test", &Credentials{Bearer: "token-b"}, "")
	sa, sb := h.scan(t, a.ID), h.scan(t, b.ID)
	for _, id := range []string{sa.ID, sb.ID} {
		if sc := h.waitScan(t, id); sc.Status != store.StatusDone {
			t.Fatalf("scan %s: %s %s", id, sc.Status, sc.Error)
		}
	}
	if len(iv.seen) != 2 {
		t.Fatalf("saw %d identities, want 2: the check would be blind", len(iv.seen))
	}
	if iv.max != 1 {
		t.Errorf("%d scans of slow.fix.test ran at once, want 1", iv.max)
	}
}

// A scheduled target is scanned by the tick, again and again, and never
// has two scans pending at once.
func TestScheduledScans(t *testing.T) {
	t.Parallel()
	w := startFixLab(t)
	h := newHarness(t, dsn(t, store.SQLite), w.World, fewChecks(), nil)
	tg := h.addTarget(t, switchURL, "switch.fix.test", nil, "@every 1s")
	h.start(t)
	ctx := context.Background()
	waitFor(t, "three scheduled scans", func() bool {
		list, _ := h.st.ListScans(ctx, tg.ID, 10)
		done, active := 0, 0
		for _, s := range list {
			if s.Status == store.StatusDone && s.Cause == "schedule" {
				done++
			}
			if !s.Terminal() {
				active++
			}
		}
		if active > 1 {
			t.Fatalf("%d scans of one target pending at once", active)
		}
		return done >= 3
	})
	got, _ := h.st.GetTarget(ctx, tg.ID)
	if !got.NextRunAt.After(time.Now().Add(-2 * time.Second)) {
		t.Errorf("next run %s not moved forward", got.NextRunAt)
	}
}

// Reconciliation: a scan whose job is gone or was cancelled behind its
// back does not stay queued.
func TestReconcile(t *testing.T) {
	t.Parallel()
	w := startFixLab(t)
	h := newHarness(t, dsn(t, store.SQLite), w.World, fewChecks(), nil)
	ctx := context.Background()
	tg := h.addTarget(t, switchURL, "switch.fix.test", nil, "")
	gone := h.scan(t, tg.ID)
	if err := h.st.SetScanJob(ctx, gone.ID, 987654); err != nil {
		t.Fatal(err)
	}
	canceled := h.scan(t, tg.ID)
	if err := h.r.q.jobCancel(ctx, canceled.JobID); err != nil {
		t.Fatal(err)
	}
	waiting := h.scan(t, tg.ID)
	if err := h.r.reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{gone.ID: store.StatusFailed, canceled.ID: store.StatusCanceled, waiting.ID: store.StatusQueued} {
		sc, _ := h.st.GetScan(ctx, id, false)
		if sc.Status != want {
			t.Errorf("scan %s: %s (%s), want %s", id, sc.Status, sc.Error, want)
		}
	}
}

// Stopping a worker mid-scan puts the scan back in the queue (no attempt
// used up), and the next worker to start finishes it.
func TestShutdownRequeuesRunningScan(t *testing.T) {
	t.Parallel()
	iv := &intervals{open: map[string]int{}, seen: map[string]bool{}}
	var delay atomic.Int64
	delay.Store(int64(time.Minute))
	w := startFixLab(t, slowSite(iv, &delay))
	db := dsn(t, store.SQLite)
	h := newHarness(t, db, w.World, fewChecks(), nil)
	h.start(t)
	tg := h.addTarget(t, "https://slow.fix.test", "slow.fix.test", &Credentials{Bearer: "t"}, "")
	sc := h.scan(t, tg.ID)
	ctx := context.Background()
	waitFor(t, "the scan to run", func() bool {
		got, _ := h.st.GetScan(ctx, sc.ID, false)
		return got.Status == store.StatusRunning
	})
	stopCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := h.r.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	got, _ := h.st.GetScan(ctx, sc.ID, false)
	if got.Status != store.StatusQueued || !strings.Contains(got.Note, "re-queued") {
		t.Fatalf("after shutdown: %s (%q), want queued and re-queued", got.Status, got.Note)
	}
	h.st.Close()
	delay.Store(0)
	next := newHarness(t, db, w.World, fewChecks(), nil)
	next.start(t)
	done := next.waitScan(t, sc.ID)
	if done.Status != store.StatusDone || done.Attempt != 1 {
		t.Errorf("after restart: %s attempt %d (%s), want done on attempt 1", done.Status, done.Attempt, done.Error)
	}
}

// A DNS watch records each name's state, and a change of a name's DNS —
// a dangling CNAME fixed — is a change in its history and a dns.changed
// delivery. The first run is the baseline, not a change.
func TestDNSWatch(t *testing.T) {
	t.Parallel()
	w := startFixLab(t)
	h := newHarness(t, dsn(t, store.SQLite), w.World, fewChecks(), nil)
	rc := newReceiver(t, "dns")
	rc.listen("127.0.0.1:0")
	h.addWebhook(t, "http://"+rc.addr+"/", "dns", EventDNSChanged)
	h.start(t)
	ctx := context.Background()
	now := time.Now()
	wt := &store.Watch{ID: store.NewID("dnw"), Name: "fix", Names: []string{"flip.fix.test", "steady.fix.test"}, Schedule: "@every 1h",
		NextRunAt: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now}
	if err := h.st.CreateWatch(ctx, wt); err != nil {
		t.Fatal(err)
	}
	run := func(runs int) map[string]*store.NameState { return h.runWatch(t, wt.ID, runs) }
	first := run(1)
	if first["flip.fix.test"].Status == "ok" || first["steady.fix.test"].Status != "ok" {
		t.Fatalf("first run: flip %+v, steady %+v", first["flip.fix.test"], first["steady.fix.test"])
	}
	if ch, _ := h.st.Changes(ctx, wt.ID, 10); len(ch) != 0 {
		t.Fatalf("the first run recorded changes: %+v", ch)
	}
	w.DNS.RemoveRecords("flip.fix.test.", 0xff) // ANY
	if err := w.DNS.AddRecord("flip.fix.test. 60 IN A 127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	second := run(2)
	if second["flip.fix.test"].Status != "ok" {
		t.Fatalf("after the fix: %+v", second["flip.fix.test"])
	}
	ch, _ := h.st.Changes(ctx, wt.ID, 10)
	if len(ch) != 1 || ch[0].Name != "flip.fix.test" || ch[0].FromStatus != first["flip.fix.test"].Status || ch[0].ToStatus != "ok" {
		t.Fatalf("changes: %+v", ch)
	}
	waitFor(t, "dns.changed", func() bool { return len(rc.events(EventDNSChanged)) == 1 })
	raw, _ := json.Marshal(rc.events(EventDNSChanged)[0].Data)
	var data DNSChanged
	if err := json.Unmarshal(raw, &data); err != nil || len(data.Changes) != 1 || data.Changes[0].ToStatus != "ok" ||
		len(data.Changes[0].FromFindings) == 0 {
		t.Errorf("dns.changed data: %s (%v)", raw, err)
	}
}
