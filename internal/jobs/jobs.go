// Package jobs runs plumb serve's work on River: scans, DNS watch runs and
// webhook deliveries are River jobs; a periodic tick (leader only) turns
// the durable schedules in the store into jobs and reconciles scan
// statuses with River's view. River runs on the embedded SQLite database
// (riversqlite) or on Postgres (riverpgxv5), where any number of
// `plumb worker` processes share the queues.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/seal"
	"github.com/plumbsec/plumb/internal/store"
)

// Queue names. Scans wait behind scans only; webhooks are never stuck
// behind a long scan.
const (
	QueueScans    = "scans"
	QueueDNS      = "dns"
	QueueWebhooks = "webhooks"
	QueueTick     = river.QueueDefault
)

// Config configures a Runner.
type Config struct {
	Store *store.Store
	Box   *seal.Box // opens target credentials and webhook secrets
	// ScanOptions returns fresh engine options with the server's network
	// settings (resolvers, connect-to, CAs, DNS roots), the checks to run
	// and the version; target options are applied on top.
	ScanOptions func() engine.Options
	// AllowPrivate lets scans, DNS watches and webhooks reach loopback and
	// private addresses (--allow-private-targets).
	AllowPrivate bool
	// Workers is how many scans this process runs at once; 0 makes an
	// insert-only runner (plumb serve --no-worker) that works nothing.
	Workers     int
	ScanTimeout time.Duration // a scan's whole duration (engine MaxDuration); default 15m
	// RescueAfter: a job running this long is presumed dead (its worker
	// crashed) and is retried; default a scan job's timeout + 5m. It
	// matters on Postgres: on SQLite the one worker process holds a lock
	// and rescues at start what a dead predecessor left running.
	RescueAfter  time.Duration
	TickInterval time.Duration // how often schedules are read; default 30s
	LockRetry    time.Duration // wait before retrying a scan whose host is busy; default 3s
	SoftStop     time.Duration // on Stop, how long running jobs may finish before they are re-queued; default 30s
	// WebhookBackoff is the wait before delivery attempt n+1 (default
	// 10s·2ⁿ⁻¹ capped at 1h); WebhookAttempts caps attempts (default 20:
	// about 12 hours).
	WebhookBackoff  func(attempt int) time.Duration
	WebhookAttempts int
	ScanAttempts    int // default 3
	// ID names this process among the workers (River's client ID: it is
	// recorded on each job it attempts); "" lets River choose.
	ID     string
	Logger *slog.Logger
	Now    func() time.Time
}

func (c *Config) defaults() {
	if c.ScanTimeout <= 0 {
		c.ScanTimeout = 15 * time.Minute
	}
	if c.RescueAfter <= 0 {
		c.RescueAfter = c.scanJobTimeout() + 5*time.Minute
	}
	if c.TickInterval <= 0 {
		c.TickInterval = 30 * time.Second
	}
	if c.LockRetry <= 0 {
		c.LockRetry = 3 * time.Second
	}
	if c.SoftStop <= 0 {
		c.SoftStop = 30 * time.Second
	}
	if c.WebhookBackoff == nil {
		c.WebhookBackoff = func(n int) time.Duration {
			return min(10*time.Second<<min(n-1, 20), time.Hour)
		}
	}
	if c.WebhookAttempts <= 0 {
		c.WebhookAttempts = 20
	}
	if c.ScanAttempts <= 0 {
		c.ScanAttempts = 3
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// scanJobTimeout bounds a scan job: the scan's own limit plus a margin to
// store its report.
func (c *Config) scanJobTimeout() time.Duration { return ScanJobTimeout(c.ScanTimeout) }

// ScanJobTimeout is how long a scan job with this scan timeout may run;
// RescueAfter must be longer.
func ScanJobTimeout(scanTimeout time.Duration) time.Duration {
	if scanTimeout <= 0 {
		scanTimeout = 15 * time.Minute
	}
	return scanTimeout*5/4 + 2*time.Second
}

// allowAddr is the address policy of everything the runner connects to.
func (c *Config) allowAddr() func(netip.Addr) error {
	if c.AllowPrivate {
		return nil
	}
	return refusePrivate
}

// Runner owns the River client of this process.
type Runner struct {
	cfg      Config
	q        queue
	stopping atomic.Bool
	started  atomic.Bool
	release  func() // the SQLite worker lock, held from Start to Stop
}

// queue is the part of River's generic client the runner uses, so one
// Runner drives either driver.
type queue interface {
	start(ctx context.Context) error
	stop(ctx context.Context) error
	insertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	jobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
	jobCancel(ctx context.Context, id int64) error
}

// New builds the runner's River client (it does not start it).
func New(cfg Config) (*Runner, error) {
	cfg.defaults()
	if cfg.Store == nil || cfg.Box == nil || cfg.ScanOptions == nil {
		return nil, errors.New("jobs: Store, Box and ScanOptions are required")
	}
	if cfg.RescueAfter <= cfg.scanJobTimeout() {
		return nil, fmt.Errorf("jobs: rescuing jobs after %s would retry scans still running (a scan job may take %s)", cfg.RescueAfter, cfg.scanJobTimeout())
	}
	r := &Runner{cfg: cfg}
	rc := r.riverConfig()
	q, err := newQueue(cfg.Store, rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	r.q = q
	return r, nil
}

func (r *Runner) riverConfig() *river.Config {
	c := &r.cfg
	rc := &river.Config{
		ID:                   c.ID,
		Logger:               c.Logger,
		JobTimeout:           min(time.Minute, c.RescueAfter/2), // River wants rescue later than any job's timeout
		RescueStuckJobsAfter: c.RescueAfter,
		SoftStopTimeout:      c.SoftStop,
		MaxAttempts:          c.ScanAttempts,
		Workers:              river.NewWorkers(),
	}
	river.AddWorker(rc.Workers, &scanWorker{r: r})
	river.AddWorker(rc.Workers, &watchWorker{r: r})
	river.AddWorker(rc.Workers, &deliverWorker{r: r, client: newWebhookClient(c.allowAddr())})
	river.AddWorker(rc.Workers, &tickWorker{r: r})
	if c.Workers <= 0 {
		return rc // insert-only: no queues, no maintenance, no periodic jobs
	}
	rc.Queues = map[string]river.QueueConfig{
		QueueScans:    {MaxWorkers: c.Workers},
		QueueDNS:      {MaxWorkers: 2},
		QueueWebhooks: {MaxWorkers: 8},
		QueueTick:     {MaxWorkers: 1},
	}
	rc.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(
		river.PeriodicInterval(c.TickInterval),
		func() (river.JobArgs, *river.InsertOpts) { return TickArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "tick"},
	)}
	// Poll often enough on SQLite, which has no LISTEN/NOTIFY.
	rc.FetchPollInterval = 500 * time.Millisecond
	return rc
}

// Start starts working jobs (a no-op for an insert-only runner) after
// reconciling scans a previous process left behind.
func (r *Runner) Start(ctx context.Context) error {
	if r.cfg.Workers <= 0 {
		return nil
	}
	if err := r.lockAndRescue(ctx); err != nil {
		return err
	}
	if err := r.reconcile(ctx); err != nil {
		r.unlock()
		return fmt.Errorf("jobs: reconcile: %w", err)
	}
	if err := r.q.start(ctx); err != nil {
		r.unlock()
		return fmt.Errorf("jobs: start: %w", err)
	}
	r.started.Store(true)
	return nil
}

// lockAndRescue takes the SQLite worker lock and, holding it, rescues at
// once the jobs a dead process left running. On Postgres (several
// workers) and where there are no file locks, dead workers' jobs wait
// for River's rescuer (RescueAfter).
func (r *Runner) lockAndRescue(ctx context.Context) error {
	if r.cfg.Store.Dialect() != store.SQLite {
		return nil
	}
	release, err := r.cfg.Store.LockWorker()
	if errors.Is(err, store.ErrNoLock) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	r.release = release
	n, err := r.rescueOrphans(ctx)
	if err != nil {
		r.unlock()
		return fmt.Errorf("jobs: rescue interrupted jobs: %w", err)
	}
	if n > 0 {
		r.log().Warn("rescued jobs interrupted by the previous process's end", "jobs", n)
	}
	return nil
}

func (r *Runner) unlock() {
	if r.release != nil {
		r.release()
		r.release = nil
	}
}

// Stop stops fetching jobs, lets running ones finish for SoftStop, then
// cancels them; a cancelled scan is re-queued (not failed) and runs again
// on the next start or on another worker.
func (r *Runner) Stop(ctx context.Context) error {
	if !r.started.Load() {
		return nil
	}
	r.stopping.Store(true)
	defer r.unlock()
	return r.q.stop(ctx)
}

// Migrate applies the store's migrations, then River's.
func Migrate(ctx context.Context, st *store.Store) error {
	return st.Migrate(ctx, func(ctx context.Context) error { return migrateRiver(ctx, st) })
}

func (r *Runner) log() *slog.Logger { return r.cfg.Logger }
