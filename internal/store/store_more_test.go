package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestWatches(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.UnixMilli(1_700_000_000_000).UTC()
		w := &Watch{ID: NewID("dnw"), Name: "w", Names: []string{"a.example.test", "b.example.test"}, Schedule: "@every 1h",
			Options: WatchOptions{NoHTTP: true, Types: []string{"A", "MX"}}, NextRunAt: now, CreatedAt: now, UpdatedAt: now}
		if err := s.CreateWatch(ctx, w); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetWatch(ctx, w.ID)
		if err != nil || len(got.Names) != 2 || !got.Options.NoHTTP || len(got.Options.Types) != 2 {
			t.Fatalf("watch round trip: %+v %v", got, err)
		}
		n := &NameState{Name: "a.example.test", Status: "ok", CheckedAt: now, ChangedAt: now}
		if err := s.PutNameState(ctx, w.ID, n); err != nil {
			t.Fatal(err)
		}
		n.Status, n.Summary = "vulnerable", "dns.dangling-cname"
		if err := s.PutNameState(ctx, w.ID, n); err != nil {
			t.Fatal(err)
		}
		states, err := s.NameStates(ctx, w.ID)
		if err != nil || len(states) != 1 || states[0].Status != "vulnerable" {
			t.Fatalf("name states: %+v %v", states, err)
		}
		for i, to := range []string{"dangling", "vulnerable"} {
			c := &Change{ID: NewID("chg"), WatchID: w.ID, Name: "a.example.test", FromStatus: "ok", ToStatus: to, At: now.Add(time.Duration(i) * time.Second)}
			if err := s.AddChange(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		if ch, err := s.Changes(ctx, w.ID, 10); err != nil || len(ch) != 2 || ch[0].ToStatus != "vulnerable" {
			t.Fatalf("changes newest first: %+v %v", ch, err)
		}
		if err := s.FinishWatchRun(ctx, w.ID, now, "boom"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetWatch(ctx, w.ID); got.Runs != 1 || got.LastError != "boom" {
			t.Errorf("run not recorded: %+v", got)
		}
		// Runs are kept newest first, the oldest forgotten past keep.
		for i := range 5 {
			r := &WatchRun{ID: NewID("wrn"), WatchID: w.ID, At: now.Add(time.Duration(i) * time.Minute), Changes: i}
			if i == 4 {
				r.Notices, r.Statuses = `[{"notice":"iterative","reason":"r"}]`, `{"ok":2}`
			}
			if err := s.AddWatchRun(ctx, r, 3); err != nil {
				t.Fatal(err)
			}
		}
		runs, err := s.WatchRuns(ctx, w.ID, 10)
		if err != nil || len(runs) != 3 || runs[0].Changes != 4 || runs[2].Changes != 2 || runs[0].Notices != `[{"notice":"iterative","reason":"r"}]` ||
			runs[0].Statuses != `{"ok":2}` || runs[1].Notices != "[]" || !runs[0].At.Equal(now.Add(4*time.Minute)) {
			t.Fatalf("runs: %+v %v", runs, err)
		}
		if err := s.DeleteWatch(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		if ch, _ := s.Changes(ctx, w.ID, 10); len(ch) != 0 {
			t.Error("history outlived its watch")
		}
		if runs, _ := s.WatchRuns(ctx, w.ID, 10); len(runs) != 0 {
			t.Error("runs outlived their watch")
		}
	})
}

func TestWebhooksAndDeliveries(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.UnixMilli(1_700_000_000_000).UTC()
		h := &Webhook{ID: NewID("whk"), URL: "https://hooks.example.test/x", Secret: []byte("sealed"), Events: []string{"finding.fixed"}, CreatedAt: now}
		if err := s.CreateWebhook(ctx, h); err != nil {
			t.Fatal(err)
		}
		if hs, _ := s.WebhooksFor(ctx, "finding.fixed"); len(hs) != 1 {
			t.Errorf("subscribed webhook not found")
		}
		if hs, _ := s.WebhooksFor(ctx, "scan.completed"); len(hs) != 0 {
			t.Errorf("unsubscribed webhook found")
		}
		d := &Delivery{ID: NewID("dlv"), WebhookID: h.ID, Event: "finding.fixed", Body: `{"x":1}`, CreatedAt: now}
		if err := s.CreateDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
		d.Status, d.Attempts, d.LastError, d.LastAttemptAt = DeliveryPending, 1, "connection refused", now
		if err := s.RecordAttempt(ctx, d); err != nil {
			t.Fatal(err)
		}
		d.Status, d.Attempts, d.ResponseStatus, d.LastError, d.DeliveredAt = DeliveryDelivered, 2, 204, "", now
		if err := s.RecordAttempt(ctx, d); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetDelivery(ctx, d.ID)
		if err != nil || got.Status != DeliveryDelivered || got.Attempts != 2 || got.Body != `{"x":1}` {
			t.Fatalf("delivery: %+v %v", got, err)
		}
		by, failed, err := s.DeliveryStats(ctx)
		if err != nil || by[DeliveryDelivered] != 1 || failed != 1 {
			t.Errorf("delivery stats %v, %d failed attempts (%v); want 1 delivered, 1 failed attempt", by, failed, err)
		}
		if err := s.DeleteWebhook(ctx, h.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetDelivery(ctx, d.ID); !errors.Is(err, ErrNotFound) {
			t.Error("deliveries outlived their webhook")
		}
	})
}

func TestKeysAndSessions(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Now()
		k := &APIKey{ID: NewID("key"), Name: "admin", Hash: "h1", CreatedAt: now}
		if err := s.PutAPIKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		if err := s.PutAPIKey(ctx, &APIKey{ID: NewID("key"), Name: "admin (env)", Hash: "h1", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.CountAPIKeys(ctx); n != 1 {
			t.Errorf("%d keys after re-putting one hash, want 1", n)
		}
		got, err := s.APIKeyByHash(ctx, "h1")
		if err != nil || got.ID != k.ID || got.Name != "admin (env)" {
			t.Fatalf("key by hash: %+v %v", got, err)
		}
		sess := &Session{Hash: "s1", KeyID: k.ID, CSRF: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetSession(ctx, "s1", now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetSession(ctx, "s1", now.Add(2*time.Hour)); !errors.Is(err, ErrNotFound) {
			t.Errorf("expired session returned: %v", err)
		}
		if err := s.PurgeExpired(ctx, now.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetSession(ctx, "s1", now); !errors.Is(err, ErrNotFound) {
			t.Errorf("purged session returned: %v", err)
		}
		if ok, err := s.SetMetaOnce(ctx, "k", "v1"); !ok || err != nil {
			t.Fatal(ok, err)
		}
		if ok, _ := s.SetMetaOnce(ctx, "k", "v2"); ok {
			t.Error("meta overwritten")
		}
		if v, _ := s.Meta(ctx, "k"); v != "v1" {
			t.Errorf("meta %q", v)
		}
	})
}
