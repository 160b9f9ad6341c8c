package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/plumbsec/plumb/internal/catalog"
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/llm"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/jobs"
	"github.com/plumbsec/plumb/internal/seal"
	"github.com/plumbsec/plumb/internal/server"
	"github.com/plumbsec/plumb/internal/store"
)

// serveChecks is the catalog plumb serve's scans run.
func serveChecks() []check.Check { return catalog.Default().Checks() }

// workerFlags are shared by serve and worker.
type workerFlags struct {
	db           string
	workers      int
	allowPrivate bool
	scanTimeout  time.Duration
	grace        time.Duration
	net          netFlags
	dnsAudit     dnsAuditFlags
	// Testing knobs (hidden): how often schedules are read, when a job
	// that stopped reporting is presumed dead, the shortest schedule.
	tick, rescueAfter, minSchedule time.Duration
}

func (f *workerFlags) register(fs *pflag.FlagSet, dbDefault string) {
	// dbDefault describes the default in the help; "" means --db is required.
	fs.StringVar(&f.db, "db", "", "database: `sqlite:PATH`, a file path, or postgres://user:pass@host/db"+dbDefault)
	fs.IntVar(&f.workers, "workers", 2, "scans this process runs at once")
	fs.BoolVar(&f.allowPrivate, "allow-private-targets", false, "allow targets, webhooks and resolvers on loopback, private and link-local addresses")
	fs.DurationVar(&f.scanTimeout, "scan-timeout", 15*time.Minute, "stop a scan after this long and keep the partial report")
	fs.DurationVar(&f.grace, "shutdown-grace", 30*time.Second, "on SIGINT/SIGTERM, how long running scans may finish before they go back to the queue")
	f.net.register(fs)
	f.dnsAudit.register(fs, false)
	fs.DurationVar(&f.tick, "tick", 30*time.Second, "how often schedules are read")
	fs.DurationVar(&f.rescueAfter, "rescue-after", 0, "Postgres: a job running this long is presumed dead (its worker was killed) and retried; longer than a scan can run (default: 1.25 × --scan-timeout + 5m). On SQLite, jobs a dead process left are retried at the next start")
	fs.DurationVar(&f.minSchedule, "min-schedule", time.Minute, "the shortest schedule interval accepted")
	for _, n := range []string{"tick", "min-schedule"} {
		_ = fs.MarkHidden(n)
	}
}

// scanOptions builds the base engine options of every scan the server runs.
func (f *workerFlags) scanOptions() (func() engine.Options, []string, error) {
	base, err := f.net.loadOptions()
	if err != nil {
		return nil, nil, err
	}
	if base.DNSAudit.Roots, base.DNSAudit.AuthorityPort, err = f.dnsAudit.build(); err != nil {
		return nil, nil, err
	}
	return func() engine.Options {
		o := base
		o.Checks = serveChecks()
		return o
	}, f.net.resolvers, nil
}

// node is an opened database with its secret box and jobs runner.
type node struct {
	st     *store.Store
	box    *seal.Box
	runner *jobs.Runner
	log    *slog.Logger
}

// check validates the flags that need no network or database.
func (f *workerFlags) check() error {
	if f.workers < 1 || f.workers > 64 {
		return usagef("--workers must be between 1 and 64")
	}
	if f.rescueAfter != 0 {
		if d := jobs.ScanJobTimeout(f.scanTimeout); f.rescueAfter <= d {
			return usagef("--rescue-after %s: must be longer than a scan job can run (%s with --scan-timeout %s), or running scans would be retried twice", f.rescueAfter, d, f.scanTimeout)
		}
	}
	return nil
}

func (f *workerFlags) open(ctx context.Context, st *Streams, workers int) (*node, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	opts, _, err := f.scanOptions()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, f.db)
	if err != nil {
		return nil, scanError{err}
	}
	n := &node{st: db, log: slog.New(slog.NewTextHandler(st.Err, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if err := f.prepare(ctx, st, n); err != nil {
		_ = db.Close()
		return nil, err
	}
	n.runner, err = jobs.New(jobs.Config{Store: db, Box: n.box, ScanOptions: opts, AllowPrivate: f.allowPrivate, Workers: workers,
		ScanTimeout: f.scanTimeout, SoftStop: f.grace, RescueAfter: f.rescueAfter, TickInterval: f.tick, Logger: n.log, ID: workerID()})
	if err != nil {
		_ = db.Close()
		return nil, scanError{err}
	}
	return n, nil
}

// prepare migrates the database and loads the secret key, checking that
// it opens what this database already sealed.
func (f *workerFlags) prepare(ctx context.Context, st *Streams, n *node) error {
	if err := jobs.Migrate(ctx, n.st); err != nil {
		return scanError{fmt.Errorf("migrate: %w", err)}
	}
	env, _ := st.LookupEnv("PLUMB_SECRET_KEY")
	keyFile := ""
	if n.st.Dialect() == store.SQLite {
		keyFile = n.st.Path() + ".key"
	}
	key, created, err := seal.LoadKey(env, keyFile)
	if err != nil {
		return usageError{err}
	}
	if created {
		fmt.Fprintf(st.Err, "plumb: created the secret key %s (keep it with the database: stored credentials need it)\n", keyFile)
	}
	if n.box, err = seal.New(key); err != nil {
		return usageError{err}
	}
	return checkSealKey(ctx, n)
}

const sealCheckPlain = "plumb secret key check"

func checkSealKey(ctx context.Context, n *node) error {
	sealed, err := n.box.Seal([]byte(sealCheckPlain), "meta")
	if err != nil {
		return err
	}
	if _, err := n.st.SetMetaOnce(ctx, "seal_check", fmt.Sprintf("%x", sealed)); err != nil {
		return scanError{err}
	}
	stored, err := n.st.Meta(ctx, "seal_check")
	if err != nil {
		return scanError{err}
	}
	var raw []byte
	if _, err := fmt.Sscanf(stored, "%x", &raw); err != nil {
		return scanError{fmt.Errorf("stored key check: %w", err)}
	}
	if pt, err := n.box.Open(raw, "meta"); err != nil || string(pt) != sealCheckPlain {
		return usagef("the secret key (PLUMB_SECRET_KEY or the key file) is not the one this database's secrets were sealed with")
	}
	return nil
}

// workerID names this process on the jobs it works: host, process id and
// start time (unique across restarts).
func workerID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "plumb"
	}
	if len(host) > 60 {
		host = host[:60]
	}
	return fmt.Sprintf("%s-%d-%d", host, os.Getpid(), time.Now().UnixMilli())
}

// defaultDB is a SQLite file in the user's data directory.
func defaultDB(lookupEnv func(string) (string, bool)) string {
	dir, ok := lookupEnv("XDG_DATA_HOME")
	if !ok || dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "sqlite:plumb.db"
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return "sqlite:" + filepath.Join(dir, "plumb", "plumb.db")
}

type serveFlags struct {
	workerFlags
	listen          string
	noWorker        bool
	tlsCert, tlsKey string
	rateLimit       float64
}

func newServeCmd(st *Streams) *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the API, the dashboard and scheduled scans and DNS watches",
		Long: `Serve plumb's JSON API (/api/v1, described at /api/v1/openapi.json) and its
dashboard (/), and run scans, DNS watches and webhook deliveries as jobs.
State lives in an embedded SQLite database by default, or in Postgres, where
'plumb worker' processes on other machines share the jobs.

The admin API key comes from PLUMB_API_KEY; without it, one is generated on
first start and printed once. Stored credentials are encrypted with
PLUMB_SECRET_KEY, or with a key file created beside the SQLite database.
Targets, webhooks and resolvers on loopback, private or link-local
addresses are refused unless --allow-private-targets.

` + serveExitCodeHelp,
		Example: `  plumb serve
  PLUMB_SECRET_KEY=$(openssl rand -hex 32) plumb serve --db postgres://plumb@db/plumb --listen 0.0.0.0:7878 --no-worker`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd.Context(), st, f) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.listen, "listen", "127.0.0.1:7878", "`ADDR` to serve HTTP on")
	fs.BoolVar(&f.noWorker, "no-worker", false, "serve the API and dashboard only; 'plumb worker' processes run the jobs")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "serve HTTPS with this certificate `FILE` (PEM; with --tls-key)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "private key `FILE` of --tls-cert")
	fs.Float64Var(&f.rateLimit, "rate-limit", 50, "requests per second allowed per API key and per client address, bursts of twice that (0: no limit)")
	f.register(fs, " (default: plumb/plumb.db in $XDG_DATA_HOME, or ~/.local/share)")
	return cmd
}

func runServe(ctx context.Context, st *Streams, f *serveFlags) error {
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	workers := f.workers
	if f.noWorker {
		workers = 0
	}
	if f.db == "" {
		f.db = defaultDB(st.LookupEnv)
	}
	if err := f.check(); err != nil {
		return err
	}
	// Everything that can fail on the command line fails before the
	// first side effect (database, key file, admin key).
	var certs []tls.Certificate
	if f.tlsCert != "" {
		c, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return usagef("--tls-cert/--tls-key: %v", err)
		}
		certs = []tls.Certificate{c}
	}
	ln, err := listen(f.listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	n, err := f.open(ctx, st, workers)
	if err != nil {
		return err
	}
	defer n.st.Close()
	srv, err := server.New(server.Config{Store: n.st, Runner: n.runner, Box: n.box, Resolvers: f.net.resolvers, AllowPrivate: f.allowPrivate,
		MinSchedule: f.minSchedule, LLMTiers: llm.Tiers, TLS: certs != nil, Version: version(), Logger: n.log, RateLimit: rateLimit(f.rateLimit)})
	if err != nil {
		return scanError{err}
	}
	if err := n.runner.Start(ctx); err != nil {
		return scanError{err}
	}
	hs := srv.HTTPServer(f.listen)
	if err := adminKey(ctx, st, n.st); err != nil {
		return errors.Join(err, shutdown(st, hs, n, nil))
	}
	scheme := "http"
	if certs != nil {
		scheme = "https"
		hs.TLSConfig = &tls.Config{Certificates: certs, MinVersion: tls.VersionTLS12}
	}
	fmt.Fprintf(st.Err, "plumb serve: %s://%s (dashboard /, API /api/v1), database %s, %d workers\n", scheme, ln.Addr(), describeDB(n.st), workers)
	errc := make(chan error, 1)
	go func() {
		if certs != nil {
			errc <- hs.ServeTLS(ln, "", "")
			return
		}
		errc <- hs.Serve(ln)
	}()
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	return shutdown(st, hs, n, err)
}

// listen binds --listen. A malformed address is a usage error; an
// address that cannot be bound (in use, not this machine's, no
// permission) is a runtime failure (exit 3).
func listen(addr string) (net.Listener, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, usagef("--listen %q: want HOST:PORT (e.g. 127.0.0.1:7878)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	why := err
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		why = op.Err
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, scanError{fmt.Errorf("cannot listen on %s: the address is already in use (another plumb serve? choose another with --listen)", addr)}
	}
	return nil, scanError{fmt.Errorf("cannot listen on %s: %w", addr, why)}
}

// shutdown stops taking requests, lets running jobs finish for a while,
// then re-queues the rest.
func shutdown(st *Streams, hs *http.Server, n *node, serveErr error) error {
	fmt.Fprintln(st.Err, "plumb serve: shutting down (running scans finish or go back to the queue)")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	errs := []error{hs.Shutdown(ctx), n.runner.Stop(ctx)}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		errs = append(errs, serveErr)
	}
	if err := errors.Join(errs...); err != nil {
		return scanError{err}
	}
	return nil
}

// rateLimit maps the flag (0: none) to the server's setting (<0: none).
func rateLimit(v float64) float64 {
	if v <= 0 {
		return -1
	}
	return v
}

func adminKey(ctx context.Context, st *Streams, db *store.Store) error {
	env, _ := st.LookupEnv("PLUMB_API_KEY")
	k, err := server.EnsureAdminKey(ctx, db, strings.TrimSpace(env), time.Now())
	if err != nil {
		return usageError{err}
	}
	if k != "" {
		fmt.Fprintf(st.Err, "plumb serve: created the admin API key; it is shown only now (stored hashed):\n\n  %s\n\n", k)
	}
	return nil
}

func describeDB(s *store.Store) string {
	if s.Dialect() == store.SQLite {
		return "sqlite:" + s.Path()
	}
	return "postgres"
}

func newWorkerCmd(st *Streams) *cobra.Command {
	f := &workerFlags{}
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run scans, DNS watches and webhook deliveries for a plumb serve on Postgres",
		Long: `Work the jobs of a 'plumb serve' whose database is Postgres: any number of
workers, on any machines, share the queues. Each needs the server's
PLUMB_SECRET_KEY to open stored credentials.

` + workerExitCodeHelp,
		Example: `  PLUMB_SECRET_KEY=… plumb worker --db postgres://plumb@db/plumb --workers 4`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !strings.HasPrefix(f.db, "postgres://") && !strings.HasPrefix(f.db, "postgresql://") {
				return usagef("--db: workers share a Postgres database (postgres://…); with SQLite, plumb serve runs the jobs itself")
			}
			return runWorker(cmd.Context(), st, f)
		},
	}
	f.register(cmd.Flags(), "")
	return cmd
}

func runWorker(ctx context.Context, st *Streams, f *workerFlags) error {
	n, err := f.open(ctx, st, f.workers)
	if err != nil {
		return err
	}
	defer n.st.Close()
	if err := n.runner.Start(ctx); err != nil {
		return scanError{err}
	}
	fmt.Fprintf(st.Err, "plumb worker: working jobs from %s with %d scan workers\n", describeDB(n.st), f.workers)
	<-ctx.Done()
	fmt.Fprintln(st.Err, "plumb worker: stopping (running scans finish or go back to the queue)")
	stop, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := n.runner.Stop(stop); err != nil {
		return scanError{err}
	}
	return nil
}
