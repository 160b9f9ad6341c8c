package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// openSQLite opens (creating) the database file in WAL mode, so a crash
// mid-write leaves the last committed state. One connection: SQLite allows
// one writer, and River's SQLite driver asks for a single-connection pool
// to avoid SQLITE_BUSY between its own concurrent operations.
func openSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("sqlite: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+abs+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: %w", abs, err)
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlite %s: %w", abs, err)
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		_ = db.Close()
		return nil, errors.Join(fmt.Errorf("sqlite %s: journal mode %q, want wal", abs, mode), err)
	}
	// The database holds sealed secrets and reports: owner only.
	_ = os.Chmod(abs, 0o600)
	return &Store{Q: Q{ex: sqlExec{db}}, dialect: SQLite, path: abs, sqlDB: db}, nil
}
