package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/plumbsec/plumb/internal/store"
)

// InterruptedReason is the error recorded on a job that was running when
// its process died, and rescued when the next process started.
const InterruptedReason = "interrupted: the plumb serve running it stopped without finishing (killed or crashed); rescued at the next start"

// rescueOrphans runs when this process has just taken the SQLite
// database's worker lock: no other process can be working a job of it, so
// every job still marked running was left by a process that died. Each is
// made available again right away (or discarded when it has no attempt
// left, or cancelled when a cancel was asked for), with InterruptedReason
// as the attempt's error, instead of waiting for River's rescuer
// (RescueAfter, tens of minutes). Host locks are all stale too: the scans
// that held them are not running.
func (r *Runner) rescueOrphans(ctx context.Context) (int, error) {
	st := r.cfg.Store
	if st.Dialect() != store.SQLite {
		return 0, nil
	}
	exec := riversqlite.New(st.SQLDB()).GetExecutor()
	rescued, after := 0, int64(0)
	for {
		now := time.Now().UTC()
		// Everything attempted before now: nothing of this process runs yet.
		stuck, err := exec.JobGetStuck(ctx, &riverdriver.JobGetStuckParams{AfterID: after, Max: 500, StuckHorizon: now.Add(time.Second)})
		if err != nil || len(stuck) == 0 {
			if err == nil {
				err = st.ClearHostLocks(ctx)
			}
			return rescued, err
		}
		p, err := orphanParams(stuck, now)
		if err != nil {
			return rescued, err
		}
		if _, err := exec.JobRescueMany(ctx, p); err != nil {
			return rescued, err
		}
		rescued += len(stuck)
		after = stuck[len(stuck)-1].ID
	}
}

// orphanParams decides what becomes of each orphaned job, as River's own
// rescuer does, but without waiting.
func orphanParams(jobs []*rivertype.JobRow, now time.Time) (*riverdriver.JobRescueManyParams, error) {
	p := &riverdriver.JobRescueManyParams{StuckHorizon: now.Add(time.Second)}
	for _, j := range jobs {
		errData, err := json.Marshal(rivertype.AttemptError{At: now, Attempt: max(j.Attempt, 0), Error: InterruptedReason})
		if err != nil {
			return nil, fmt.Errorf("rescue job %d: %w", j.ID, err)
		}
		var meta struct {
			CancelAttemptedAt time.Time `json:"cancel_attempted_at"`
		}
		_ = json.Unmarshal(j.Metadata, &meta) // unreadable metadata: no cancel asked
		state, finalized := rivertype.JobStateAvailable, (*time.Time)(nil)
		switch {
		case !meta.CancelAttemptedAt.IsZero():
			state, finalized = rivertype.JobStateCancelled, &now
		case j.Attempt >= j.MaxAttempts:
			state, finalized = rivertype.JobStateDiscarded, &now
		}
		p.ID = append(p.ID, j.ID)
		p.Error = append(p.Error, errData)
		p.FinalizedAt = append(p.FinalizedAt, finalized)
		p.ScheduledAt = append(p.ScheduledAt, now)
		p.State = append(p.State, string(state))
	}
	return p, nil
}
