// Package store keeps plumb serve's state — targets, scans and their
// reports, DNS watches, webhooks and their deliveries, API keys and
// sessions — in SQLite (modernc.org/sqlite, pure Go, the embedded default)
// or Postgres (pgx), behind one set of queries and versioned migrations.
// Secrets arrive here already sealed (internal/seal); this package never
// sees a plaintext credential.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Errors callers branch on.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
	// ErrLocked: another process works the jobs of this SQLite database.
	ErrLocked = errors.New("database in use")
	// ErrNoLock: the platform has no advisory file locks (LockWorker).
	ErrNoLock = errors.New("no file locks on this platform")
)

// Dialect names the database behind a Store.
type Dialect string

// The two supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Q holds every query; a Store runs them on its pool, a Tx inside a
// transaction.
type Q struct {
	ex execer
}

// Store is an open database.
type Store struct {
	Q
	dialect Dialect
	path    string        // SQLite file
	sqlDB   *sql.DB       // SQLite
	pool    *pgxpool.Pool // Postgres
}

// Tx is a transaction: the same queries, plus the driver transaction so
// River can insert jobs atomically with them.
type Tx struct {
	Q
	sqlTx *sql.Tx
	pgTx  pgx.Tx
}

// SQLTx is the SQLite transaction (nil on Postgres).
func (t *Tx) SQLTx() *sql.Tx { return t.sqlTx }

// PgxTx is the Postgres transaction (nil on SQLite).
func (t *Tx) PgxTx() pgx.Tx { return t.pgTx }

// Open connects to dsn: "postgres://…" (or "postgresql://…"), "sqlite:PATH"
// or a plain file path (SQLite). It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*Store, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn)
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.Contains(dsn, "://"):
		return nil, fmt.Errorf("--db %q: want postgres://…, sqlite:PATH or a file path", redactDSN(dsn))
	case dsn == "":
		return nil, errors.New("no database given")
	}
	return openSQLite(ctx, dsn)
}

// Dialect says which database this is.
func (s *Store) Dialect() Dialect { return s.dialect }

// Path is the SQLite file ("" on Postgres).
func (s *Store) Path() string { return s.path }

// SQLDB is the SQLite pool (nil on Postgres), for River's riversqlite driver.
func (s *Store) SQLDB() *sql.DB { return s.sqlDB }

// Pool is the Postgres pool (nil on SQLite), for River's riverpgxv5 driver.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool.
func (s *Store) Close() error {
	if s.pool != nil {
		s.pool.Close()
		return nil
	}
	return s.sqlDB.Close()
}

// InTx runs fn in a transaction, committed when fn returns nil.
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) error {
	if s.pool != nil {
		ptx, err := s.pool.Begin(ctx)
		if err != nil {
			return err
		}
		defer func() { _ = ptx.Rollback(ctx) }()
		if err := fn(&Tx{Q: Q{ex: pgExec{ptx}}, pgTx: ptx}); err != nil {
			return err
		}
		return ptx.Commit(ctx)
	}
	stx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = stx.Rollback() }()
	if err := fn(&Tx{Q: Q{ex: sqlExec{stx}}, sqlTx: stx}); err != nil {
		return err
	}
	return stx.Commit()
}

// lastIDTime keeps ids of this process strictly increasing.
var lastIDTime atomic.Int64

// NewID returns a fresh id: prefix, the time in milliseconds (bumped so
// that ids made by one process sort in creation order) and 64 random bits.
func NewID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	for {
		last, now := lastIDTime.Load(), time.Now().UnixMilli()
		if now <= last {
			now = last + 1
		}
		if lastIDTime.CompareAndSwap(last, now) {
			return fmt.Sprintf("%s_%012x%s", prefix, now, hex.EncodeToString(b[:]))
		}
	}
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// redactDSN hides a password in a connection string for error messages.
func redactDSN(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return dsn
	}
	userinfo := dsn[scheme+3 : at]
	if user, _, ok := strings.Cut(userinfo, ":"); ok {
		return dsn[:scheme+3] + user + ":xxxxx" + dsn[at:]
	}
	return dsn
}
