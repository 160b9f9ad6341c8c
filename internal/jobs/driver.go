package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/store"
)

// riverQueue adapts River's client, generic over the driver's transaction
// type, to the queue interface.
type riverQueue[TTx any] struct {
	c      *river.Client[TTx]
	unwrap func(*store.Tx) TTx
}

func (q *riverQueue[TTx]) start(ctx context.Context) error { return q.c.Start(ctx) }
func (q *riverQueue[TTx]) stop(ctx context.Context) error  { return q.c.Stop(ctx) }

func (q *riverQueue[TTx]) insertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return q.c.InsertTx(ctx, q.unwrap(tx), args, opts)
}

func (q *riverQueue[TTx]) jobGet(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return q.c.JobGet(ctx, id)
}

func (q *riverQueue[TTx]) jobCancel(ctx context.Context, id int64) error {
	_, err := q.c.JobCancel(ctx, id)
	if errors.Is(err, river.ErrNotFound) {
		return nil
	}
	return err
}

func newQueue(st *store.Store, rc *river.Config) (queue, error) {
	switch st.Dialect() {
	case store.SQLite:
		c, err := river.NewClient(riversqlite.New(st.SQLDB()), rc)
		if err != nil {
			return nil, err
		}
		return &riverQueue[*sql.Tx]{c: c, unwrap: (*store.Tx).SQLTx}, nil
	case store.Postgres:
		c, err := river.NewClient(riverpgxv5.New(st.Pool()), rc)
		if err != nil {
			return nil, err
		}
		return &riverQueue[pgx.Tx]{c: c, unwrap: (*store.Tx).PgxTx}, nil
	}
	return nil, fmt.Errorf("no River driver for %s", st.Dialect())
}

// migrateRiver applies River's own migrations (each in its own
// transaction: some Postgres ones cannot share one).
func migrateRiver(ctx context.Context, st *store.Store) error {
	quiet := &rivermigrate.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	switch st.Dialect() {
	case store.SQLite:
		return runMigrator(ctx, riversqlite.New(st.SQLDB()), quiet)
	case store.Postgres:
		return runMigrator(ctx, riverpgxv5.New(st.Pool()), quiet)
	}
	return fmt.Errorf("no River driver for %s", st.Dialect())
}

func runMigrator[TTx any](ctx context.Context, d riverdriver.Driver[TTx], cfg *rivermigrate.Config) error {
	m, err := rivermigrate.New(d, cfg)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}

func refusePrivate(a netip.Addr) error { return netx.RefusePrivate(a) }
