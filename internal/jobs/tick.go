package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/plumbsec/plumb/internal/store"
)

// TickArgs is the periodic job that turns due schedules into jobs and
// reconciles scan statuses.
type TickArgs struct{}

// Kind is the job's kind.
func (TickArgs) Kind() string { return "plumb.tick" }

// InsertOpts keeps a single tick waiting at a time.
func (TickArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueTick, MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByState: unfinished}}
}

// unfinished are the job states in which a unique job blocks another (a
// finished one does not: the next run must be insertable).
var unfinished = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateScheduled, rivertype.JobStateRetryable}

type tickWorker struct {
	river.WorkerDefaults[TickArgs]
	r *Runner
}

func (w *tickWorker) Work(ctx context.Context, _ *river.Job[TickArgs]) error {
	r := w.r
	now := r.cfg.Now()
	return errors.Join(r.scheduleScans(ctx, now), r.scheduleWatches(ctx, now), r.reconcile(ctx),
		r.cfg.Store.PurgeExpired(ctx, now))
}

// dueBatch bounds the schedules handled per tick.
const dueBatch = 200

// scheduleScans queues a scan of every target whose schedule is due and
// moves its next run. A target with a scan still queued or running is not
// queued again: scans do not pile up behind a slow or busy host.
func (r *Runner) scheduleScans(ctx context.Context, now time.Time) error {
	due, err := r.cfg.Store.DueTargets(ctx, now, dueBatch)
	if err != nil || len(due) == 0 {
		return err
	}
	active, err := r.cfg.Store.ActiveScans(ctx)
	if err != nil {
		return err
	}
	busy := map[string]bool{}
	for _, s := range active {
		busy[s.TargetID] = true
	}
	var errs []error
	for _, t := range due {
		sched, err := ParseSchedule(t.Schedule, 0)
		if err != nil {
			errs = append(errs, fmt.Errorf("target %s: %w", t.ID, err))
			continue
		}
		err = r.cfg.Store.InTx(ctx, func(tx *store.Tx) error {
			if !busy[t.ID] {
				if _, err := r.CreateScan(ctx, tx, t.ID, "schedule"); err != nil {
					return err
				}
			}
			return tx.SetTargetNextRun(ctx, t.ID, sched.Next(now))
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (r *Runner) scheduleWatches(ctx context.Context, now time.Time) error {
	due, err := r.cfg.Store.DueWatches(ctx, now, dueBatch)
	if err != nil {
		return err
	}
	var errs []error
	for _, wt := range due {
		sched, err := ParseSchedule(wt.Schedule, 0)
		if err != nil {
			errs = append(errs, fmt.Errorf("watch %s: %w", wt.ID, err))
			continue
		}
		errs = append(errs, r.cfg.Store.InTx(ctx, func(tx *store.Tx) error {
			if err := r.EnqueueWatch(ctx, tx, wt.ID); err != nil {
				return err
			}
			return tx.SetWatchNextRun(ctx, wt.ID, sched.Next(now))
		}))
	}
	return errors.Join(errs...)
}

// reconcile brings scan statuses in line with their River jobs: a scan
// whose job River gave up on, cancelled or lost is marked failed or
// canceled with the reason; a scan marked running whose job is waiting for
// a retry (a crashed worker's job, rescued) shows as queued with why. No
// scan stays "running" without a job that runs it.
func (r *Runner) reconcile(ctx context.Context) error {
	active, err := r.cfg.Store.ActiveScans(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, sc := range active {
		errs = append(errs, r.reconcileScan(ctx, sc))
	}
	return errors.Join(errs...)
}

func (r *Runner) reconcileScan(ctx context.Context, sc *store.Scan) error {
	st := r.cfg.Store
	job, err := r.q.jobGet(ctx, sc.JobID)
	end := func(status, reason string) error {
		_, err := st.FinishScan(ctx, &store.Scan{ID: sc.ID, Status: status, Error: reason, Note: sc.Note, FinishedAt: r.cfg.Now()})
		return err
	}
	switch {
	case errors.Is(err, river.ErrNotFound):
		return end(store.StatusFailed, "the scan's job is gone from the queue")
	case err != nil:
		return err
	}
	last := attemptError(job.Errors)
	switch job.State {
	case rivertype.JobStateDiscarded:
		return end(store.StatusFailed, fmt.Sprintf("gave up after %d attempts: %s", job.Attempt, last))
	case rivertype.JobStateCancelled:
		return end(store.StatusCanceled, last)
	case rivertype.JobStateCompleted:
		return end(store.StatusFailed, "the scan's job ended without a result")
	case rivertype.JobStateRetryable, rivertype.JobStateAvailable, rivertype.JobStateScheduled:
		if sc.Status == store.StatusRunning && last != "" {
			return st.RequeueScan(ctx, sc.ID, fmt.Sprintf("will retry (attempt %d of %d failed: %s)", job.Attempt, job.MaxAttempts, last))
		}
	}
	return nil
}
