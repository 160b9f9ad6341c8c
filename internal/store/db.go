package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// execer is the little the queries need from a database or a transaction,
// in either dialect. SQL is written once with ? placeholders; the Postgres
// side rebinds them to $n.
type execer interface {
	exec(ctx context.Context, q string, args ...any) (int64, error)
	query(ctx context.Context, q string, args ...any) (rows, error)
	queryRow(ctx context.Context, q string, args ...any) row
}

type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

type row interface{ Scan(dest ...any) error }

// queryAll runs a query and reads every row with scan.
func queryAll[T any](ctx context.Context, ex execer, scan func(row) (T, error), query string, args ...any) ([]T, error) {
	rs, err := ex.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []T
	for rs.Next() {
		v, err := scan(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rs.Err()
}

// --- SQLite (database/sql) ---

type sqlExec struct {
	q interface {
		ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	}
}

func (e sqlExec) exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := e.q.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, mapErr(err)
	}
	return res.RowsAffected()
}

func (e sqlExec) query(ctx context.Context, q string, args ...any) (rows, error) {
	r, err := e.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	return sqlRows{r}, nil
}

func (e sqlExec) queryRow(ctx context.Context, q string, args ...any) row {
	return mappedRow{e.q.QueryRowContext(ctx, q, args...)}
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

// --- Postgres (pgx) ---

type pgQuerier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

var (
	_ pgQuerier = (*pgxpool.Pool)(nil)
	_ pgQuerier = pgx.Tx(nil)
)

type pgExec struct{ q pgQuerier }

func (e pgExec) exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := e.q.Exec(ctx, rebind(q), args...)
	if err != nil {
		return 0, mapErr(err)
	}
	return tag.RowsAffected(), nil
}

func (e pgExec) query(ctx context.Context, q string, args ...any) (rows, error) {
	r, err := e.q.Query(ctx, rebind(q), args...)
	if err != nil {
		return nil, mapErr(err)
	}
	return r, nil
}

func (e pgExec) queryRow(ctx context.Context, q string, args ...any) row {
	return mappedRow{e.q.QueryRow(ctx, rebind(q), args...)}
}

// rebind turns ? placeholders into $1, $2, … (the queries hold no literal ?).
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

type mappedRow struct{ r row }

func (m mappedRow) Scan(dest ...any) error { return mapErr(m.r.Scan(dest...)) }

// mapErr turns each driver's "no rows" and unique violations into this
// package's errors.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows), errors.Is(err, pgx.ErrNoRows):
		return ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return errors.Join(ErrConflict, err)
	}
	if strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return errors.Join(ErrConflict, err)
	}
	return err
}
