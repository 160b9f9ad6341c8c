package jobs

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/plumbsec/plumb/internal/store"
)

// A process that dies mid-scan leaves the scan's job running in River and
// its host locked. On SQLite the next process to start rescues it at once
// (not after RescueAfter), the target's next scan is not stuck behind the
// dead one's host lock, and the scan says it was interrupted and retried.
func TestStartRescuesJobsOfADeadProcess(t *testing.T) {
	t.Parallel()
	w := startFixLab(t)
	db := dsn(t, store.SQLite)
	ctx := context.Background()
	dead := newHarness(t, db, w.World, fewChecks(), nil) // never started: its "process" dies mid-scan
	tg := dead.addTarget(t, switchURL, "switch.fix.test", nil, "")
	sc := dead.scan(t, tg.ID)
	next := dead.scan(t, tg.ID)
	// What the dead worker did before it died: claim the job, lock the
	// host, mark the scan running.
	exec := riversqlite.New(dead.st.SQLDB()).GetExecutor()
	got, err := exec.JobGetAvailable(ctx, &riverdriver.JobGetAvailableParams{ClientID: "dead-worker", MaxAttemptedBy: 100, MaxToLock: 1, Queue: QueueScans})
	if err != nil || len(got.Jobs) != 1 || got.Jobs[0].ID != sc.JobID {
		t.Fatalf("claim the scan's job: %v %+v", err, got)
	}
	now := time.Now()
	if ok, err := dead.st.AcquireHost(ctx, "switch.fix.test", sc.ID, now.Add(time.Hour), now); err != nil || !ok {
		t.Fatalf("lock host: %v %v", ok, err)
	}
	if ok, err := dead.st.StartScan(ctx, sc.ID, 1, "", now); err != nil || !ok {
		t.Fatalf("start scan: %v %v", ok, err)
	}
	_ = dead.st.Close()

	// The default RescueAfter (about 24 minutes) is far beyond this test.
	h := newHarness(t, db, w.World, fewChecks(), nil)
	h.start(t)
	for _, id := range []string{sc.ID, next.ID} {
		done := h.waitScan(t, id)
		if done.Status != store.StatusDone {
			t.Fatalf("scan %s after the restart: %s (%q, %q), want done", id, done.Status, done.Note, done.Error)
		}
	}
	done, _ := h.st.GetScan(ctx, sc.ID, false)
	if done.Attempt != 2 || !strings.Contains(done.Note, "attempt 2 of 3") || !strings.Contains(done.Note, "interrupted") {
		t.Errorf("rescued scan: attempt %d, note %q; want attempt 2 and a note saying it was interrupted", done.Attempt, done.Note)
	}
}

// Only one process works a SQLite database's jobs: a second runner on the
// same file is refused while the first runs, and starts once it stopped.
func TestOneWorkerPerSQLiteFile(t *testing.T) {
	t.Parallel()
	w := startFixLab(t)
	db := dsn(t, store.SQLite)
	first := newHarness(t, db, w.World, fewChecks(), nil)
	first.start(t)
	second := newHarness(t, db, w.World, fewChecks(), nil)
	err := second.r.Start(context.Background())
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second worker on one SQLite file: %v, want refused (locked)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := first.r.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	second.start(t)
}
