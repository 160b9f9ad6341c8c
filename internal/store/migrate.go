package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one versioned schema change: NNNN_name.sql under
// migrations/<dialect>/.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists this dialect's migrations in order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := path.Join("migrations", string(d))
	ents, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range ents {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations of %s: version %d where %d was expected", d, m.Version, i+1)
		}
	}
	return out, nil
}

// migrationLock is the Postgres advisory lock that serializes migrations
// of processes starting together (a server and its workers).
const migrationLock = 7_826_935_114

// Migrate applies the migrations not yet applied (in one transaction),
// then each of also (River's, from the jobs package), all under a lock so
// that processes starting at once (a server and its workers) migrate one
// after the other.
func (s *Store) Migrate(ctx context.Context, also ...func(context.Context) error) error {
	ms, err := Migrations(s.dialect)
	if err != nil {
		return err
	}
	if s.dialect == Postgres {
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		defer conn.Release()
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLock)); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		defer func() {
			_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(migrationLock))
		}()
	}
	if err := s.InTx(ctx, func(tx *Tx) error { return tx.migrate(ctx, ms) }); err != nil {
		return err
	}
	for _, f := range also {
		if err := f(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (q *Q) migrate(ctx context.Context, ms []Migration) error {
	if _, err := q.ex.exec(ctx, `CREATE TABLE IF NOT EXISTS plumb_migrations (
		version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	applied, err := q.appliedVersions(ctx)
	if err != nil {
		return err
	}
	for v := range applied {
		if v > len(ms) {
			return fmt.Errorf("the database is at schema version %d, newer than this plumb knows (%d): upgrade plumb", v, len(ms))
		}
	}
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		if _, err := q.ex.exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if _, err := q.ex.exec(ctx, "INSERT INTO plumb_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			m.Version, m.Name, time.Now().UnixMilli()); err != nil {
			return err
		}
	}
	return nil
}

func (q *Q) appliedVersions(ctx context.Context) (map[int]bool, error) {
	rs, err := q.ex.query(ctx, "SELECT version FROM plumb_migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	defer rs.Close()
	out := map[int]bool{}
	for rs.Next() {
		var v int64
		if err := rs.Scan(&v); err != nil {
			return nil, err
		}
		out[int(v)] = true
	}
	return out, rs.Err()
}

// SchemaVersion is the highest migration applied.
func (q *Q) SchemaVersion(ctx context.Context) (int, error) {
	var v int64
	err := q.ex.queryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM plumb_migrations").Scan(&v)
	return int(v), err
}
