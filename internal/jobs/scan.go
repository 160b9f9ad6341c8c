package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/report"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/scope"
	"github.com/plumbsec/plumb/internal/store"
)

// ScanArgs is the River job that runs one scan.
type ScanArgs struct {
	ScanID string `json:"scan_id"`
}

// Kind is the job's kind.
func (ScanArgs) Kind() string { return "plumb.scan" }

// InsertOpts puts scans on their own queue.
func (ScanArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: QueueScans} }

// CreateScan records a queued scan of a target and inserts its job, in
// the caller's transaction: the scan and its job exist together or not at all.
func (r *Runner) CreateScan(ctx context.Context, tx *store.Tx, targetID, cause string) (*store.Scan, error) {
	sc := &store.Scan{ID: store.NewID("scn"), TargetID: targetID, Cause: cause, Status: store.StatusQueued, CreatedAt: r.cfg.Now()}
	if err := tx.CreateScan(ctx, sc); err != nil {
		return nil, err
	}
	res, err := r.q.insertTx(ctx, tx, ScanArgs{ScanID: sc.ID}, &river.InsertOpts{Queue: QueueScans, MaxAttempts: r.cfg.ScanAttempts})
	if err != nil {
		return nil, fmt.Errorf("queue scan: %w", err)
	}
	sc.JobID = res.Job.ID
	return sc, tx.SetScanJob(ctx, sc.ID, sc.JobID)
}

// CancelScan cancels a queued or running scan.
func (r *Runner) CancelScan(ctx context.Context, sc *store.Scan) error {
	if sc.Terminal() {
		return nil
	}
	done := &store.Scan{ID: sc.ID, Status: store.StatusCanceled, Note: "canceled through the API", FinishedAt: r.cfg.Now()}
	if _, err := r.cfg.Store.FinishScan(ctx, done); err != nil {
		return err
	}
	return r.q.jobCancel(ctx, sc.JobID)
}

type scanWorker struct {
	river.WorkerDefaults[ScanArgs]
	r *Runner
}

func (w *scanWorker) Timeout(*river.Job[ScanArgs]) time.Duration { return w.r.cfg.scanJobTimeout() }

func (w *scanWorker) Work(ctx context.Context, job *river.Job[ScanArgs]) error {
	r := w.r
	st := r.cfg.Store
	sc, err := st.GetScan(ctx, job.Args.ScanID, false)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sc.Terminal()) {
		return nil // deleted with its target, or canceled
	}
	if err != nil {
		return err
	}
	tg, err := st.GetTarget(ctx, sc.TargetID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	// One scan per target host at a time, across every worker.
	now := r.cfg.Now()
	ok, err := st.AcquireHost(ctx, tg.Host, sc.ID, now.Add(r.cfg.scanJobTimeout()+time.Minute), now)
	if err != nil {
		return err
	}
	if !ok {
		if err := st.RequeueScan(ctx, sc.ID, "waiting for another scan of "+tg.Host+" to finish"); err != nil {
			return err
		}
		return river.JobSnooze(r.cfg.LockRetry)
	}
	defer func() {
		if err := st.ReleaseHost(context.WithoutCancel(ctx), tg.Host, sc.ID); err != nil {
			r.log().Warn("release host lock", "host", tg.Host, "err", err)
		}
	}()
	sc.Note = attemptNote(job)
	if ok, err := st.StartScan(ctx, sc.ID, job.Attempt, sc.Note, r.cfg.Now()); err != nil || !ok {
		return err
	}
	rep, scanErr := r.runScan(ctx, tg)
	if ctx.Err() != nil {
		return r.interrupted(ctx, sc.ID, ctx.Err())
	}
	return r.finishScan(ctx, sc, tg, rep, scanErr)
}

// attemptNote says why a scan is on its second or later try.
func attemptNote(job *river.Job[ScanArgs]) string {
	if job.Attempt <= 1 || len(job.Errors) == 0 {
		return ""
	}
	return fmt.Sprintf("attempt %d of %d, after: %s", job.Attempt, job.MaxAttempts, attemptError(job.Errors))
}

// riverRescued is the error River's rescuer records on a job it presumed dead.
const riverRescued = "Stuck job rescued by JobRescuer"

// attemptError is the last attempt's error, in plumb's words.
func attemptError(errs []rivertype.AttemptError) string {
	if len(errs) == 0 {
		return ""
	}
	if last := errs[len(errs)-1].Error; last != riverRescued {
		return last
	}
	return "interrupted: its worker stopped reporting for longer than --rescue-after and was presumed dead"
}

// interrupted handles a scan whose context ended before it did: on
// shutdown it goes back to the queue without using up an attempt; a
// cancel through the API has already marked it; anything else is retried.
func (r *Runner) interrupted(ctx context.Context, scanID string, cause error) error {
	bg := context.WithoutCancel(ctx)
	if r.stopping.Load() {
		if err := r.cfg.Store.RequeueScan(bg, scanID, "re-queued: the worker stopped during the scan"); err != nil {
			return err
		}
		return river.JobSnooze(0)
	}
	if sc, err := r.cfg.Store.GetScan(bg, scanID, false); err == nil && sc.Terminal() {
		return nil
	}
	return fmt.Errorf("scan interrupted: %w", cause)
}

func (r *Runner) runScan(ctx context.Context, tg *store.Target) (*result.Report, error) {
	o, err := r.engineOptions(tg)
	if err != nil {
		return nil, err
	}
	return engine.Scan(ctx, engine.Target{URL: tg.URL, Spec: tg.Spec}, o)
}

// engineOptions applies a target's options and credentials to the
// server's base scan options.
func (r *Runner) engineOptions(tg *store.Target) (engine.Options, error) {
	o := r.cfg.ScanOptions()
	to := tg.Options
	if len(to.Resolvers) > 0 {
		o.Resolvers = to.Resolvers
	}
	if len(to.DNSRoots) > 0 {
		o.DNSAudit.Roots = to.DNSRoots
	}
	if to.LLM != "" {
		o.LLM.Tier = to.LLM
	}
	if to.Rate > 0 {
		o.Rate = to.Rate
	}
	if to.MaxRequests > 0 {
		o.MaxRequests = to.MaxRequests
	}
	o.AllowWrites = to.AllowWrites
	var err error
	if o.Include, err = scope.ParsePatterns(to.Include); err != nil {
		return o, err
	}
	if o.Exclude, err = scope.ParsePatterns(to.Exclude); err != nil {
		return o, err
	}
	o.AllowRemoteRefs = false
	o.MaxDuration = r.cfg.ScanTimeout
	o.AllowAddr = r.cfg.allowAddr()
	o.Progress = nil
	if len(tg.Credentials) == 0 {
		return o, nil
	}
	creds, err := OpenCredentials(r.cfg.Box, tg.ID, tg.Credentials)
	if err != nil {
		return o, err
	}
	o.Credentials, o.CredentialsB = creds.headers()
	return o, nil
}

// finishScan stores the report and summary and, in the same transaction,
// queues the webhook deliveries the scan causes.
func (r *Runner) finishScan(ctx context.Context, sc *store.Scan, tg *store.Target, rep *result.Report, scanErr error) error {
	done := &store.Scan{ID: sc.ID, TargetID: sc.TargetID, Status: store.StatusDone, Note: sc.Note, FinishedAt: r.cfg.Now()}
	if scanErr != nil {
		done.Status, done.Error = store.StatusFailed, scanErr.Error()
	}
	if rep != nil {
		var buf bytes.Buffer
		if err := (report.JSON{}).Render(&buf, rep); err != nil {
			return fmt.Errorf("encode report: %w", err)
		}
		summarize(done, rep)
		done.Report = buf.String()
	}
	return r.cfg.Store.InTx(ctx, func(tx *store.Tx) error {
		changed, err := tx.FinishScan(ctx, done)
		if err != nil || !changed {
			return err
		}
		return r.scanEvents(ctx, tx, done, tg, rep)
	})
}

func summarize(s *store.Scan, rep *result.Report) {
	counts := rep.Counts()
	s.Score, s.Grade, s.DurationMS, s.Requests = rep.Score, rep.Grade, rep.DurationMS, rep.Requests.HTTP
	s.Critical, s.High = counts[finding.Critical], counts[finding.High]
	for _, n := range counts {
		s.Findings += n
	}
}

// Credentials are a target's identities, sealed at rest.
type Credentials struct {
	Bearer  string            `json:"bearer,omitempty"`
	BearerB string            `json:"bearer_b,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
}

// headers returns identity A (bearer and extra headers) and identity B.
func (c *Credentials) headers() (a, b http.Header) {
	if c.Bearer != "" || len(c.Headers) > 0 {
		a = http.Header{}
		for k, v := range c.Headers {
			a.Set(k, v)
		}
		if c.Bearer != "" {
			a.Set("Authorization", "Bearer "+c.Bearer)
		}
	}
	if c.BearerB != "" {
		b = http.Header{"Authorization": {"Bearer " + c.BearerB}}
	}
	return a, b
}
