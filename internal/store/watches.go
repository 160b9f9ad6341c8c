package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// WatchOptions are a DNS watch's settings (the API's "options").
type WatchOptions struct {
	Resolvers []string `json:"resolver,omitempty"`
	DNSRoots  []string `json:"dns_root,omitempty"`
	NoHTTP    bool     `json:"no_http,omitempty"`
	Types     []string `json:"types,omitempty"` // record types, as plumb dns --types; empty: its default
}

// Watch is a set of names audited on a schedule.
type Watch struct {
	ID        string
	Name      string
	Names     []string
	Schedule  string
	Options   WatchOptions
	NextRunAt time.Time
	LastRunAt time.Time
	LastError string
	Runs      int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NameState is the last audit of one watched name.
type NameState struct {
	Name      string
	Status    string // dnsaudit status
	Service   string
	Summary   string // finding ids, sorted, comma-separated: a change here is a change
	Result    string // the audit result, JSON
	CheckedAt time.Time
	ChangedAt time.Time
}

// Change is one change of a watched name's state.
type Change struct {
	ID          string
	WatchID     string
	Name        string
	FromStatus  string
	ToStatus    string
	FromSummary string
	ToSummary   string
	At          time.Time
}

// SummaryIDs returns the finding ids of a summary (NameState.Summary,
// Change.FromSummary, Change.ToSummary); an empty list, not nil, for none.
func SummaryIDs(summary string) []string {
	if summary == "" {
		return []string{}
	}
	return strings.Split(summary, ",")
}

const watchCols = "id, name, names, schedule, options, next_run_at, last_run_at, last_error, runs, created_at, updated_at"

func scanWatch(r row) (*Watch, error) {
	var w Watch
	var names, opts string
	var next, last, created, updated int64
	if err := r.Scan(&w.ID, &w.Name, &names, &w.Schedule, &opts, &next, &last, &w.LastError, &w.Runs, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(names), &w.Names); err != nil {
		return nil, fmt.Errorf("watch %s names: %w", w.ID, err)
	}
	if err := json.Unmarshal([]byte(opts), &w.Options); err != nil {
		return nil, fmt.Errorf("watch %s options: %w", w.ID, err)
	}
	w.NextRunAt, w.LastRunAt, w.CreatedAt, w.UpdatedAt = fromMS(next), fromMS(last), fromMS(created), fromMS(updated)
	return &w, nil
}

// CreateWatch inserts w (its ID must be set).
func (q *Q) CreateWatch(ctx context.Context, w *Watch) error {
	names, err := json.Marshal(w.Names)
	if err != nil {
		return err
	}
	opts, err := json.Marshal(w.Options)
	if err != nil {
		return err
	}
	_, err = q.ex.exec(ctx, "INSERT INTO dns_watches ("+watchCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		w.ID, w.Name, string(names), w.Schedule, string(opts), ms(w.NextRunAt), ms(w.LastRunAt), w.LastError, w.Runs, ms(w.CreatedAt), ms(w.UpdatedAt))
	return err
}

// GetWatch returns one watch.
func (q *Q) GetWatch(ctx context.Context, id string) (*Watch, error) {
	return scanWatch(q.ex.queryRow(ctx, "SELECT "+watchCols+" FROM dns_watches WHERE id = ?", id))
}

// ListWatches returns every watch, oldest first.
func (q *Q) ListWatches(ctx context.Context) ([]*Watch, error) {
	return q.watches(ctx, "SELECT "+watchCols+" FROM dns_watches ORDER BY id")
}

// DueWatches returns up to limit watches whose next run is at or before now.
func (q *Q) DueWatches(ctx context.Context, now time.Time, limit int) ([]*Watch, error) {
	return q.watches(ctx, "SELECT "+watchCols+" FROM dns_watches WHERE next_run_at <= ? ORDER BY next_run_at LIMIT ?", ms(now), limit)
}

func (q *Q) watches(ctx context.Context, query string, args ...any) ([]*Watch, error) {
	return queryAll(ctx, q.ex, scanWatch, query, args...)
}

// SetWatchNextRun moves a watch's next run.
func (q *Q) SetWatchNextRun(ctx context.Context, id string, next time.Time) error {
	_, err := q.ex.exec(ctx, "UPDATE dns_watches SET next_run_at = ? WHERE id = ?", ms(next), id)
	return err
}

// FinishWatchRun records a run of the watch (errMsg "" when it went fine).
func (q *Q) FinishWatchRun(ctx context.Context, id string, at time.Time, errMsg string) error {
	_, err := q.ex.exec(ctx, "UPDATE dns_watches SET last_run_at = ?, last_error = ?, runs = runs + 1 WHERE id = ?", ms(at), errMsg, id)
	return err
}

// DeleteWatch deletes a watch with its history.
func (q *Q) DeleteWatch(ctx context.Context, id string) error {
	n, err := q.ex.exec(ctx, "DELETE FROM dns_watches WHERE id = ?", id)
	if err == nil && n == 0 {
		return ErrNotFound
	}
	return err
}

// NameStates returns the current state of each of a watch's names.
func (q *Q) NameStates(ctx context.Context, watchID string) ([]*NameState, error) {
	return queryAll(ctx, q.ex, scanNameState, "SELECT name, status, service, summary, result, checked_at, changed_at FROM dns_names WHERE watch_id = ? ORDER BY name", watchID)
}

func scanNameState(r row) (*NameState, error) {
	var n NameState
	var checked, changed int64
	if err := r.Scan(&n.Name, &n.Status, &n.Service, &n.Summary, &n.Result, &checked, &changed); err != nil {
		return nil, err
	}
	n.CheckedAt, n.ChangedAt = fromMS(checked), fromMS(changed)
	return &n, nil
}

// PutNameState stores a name's latest state.
func (q *Q) PutNameState(ctx context.Context, watchID string, n *NameState) error {
	_, err := q.ex.exec(ctx, `INSERT INTO dns_names (watch_id, name, status, service, summary, result, checked_at, changed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (watch_id, name) DO UPDATE SET status = excluded.status, service = excluded.service,
			summary = excluded.summary, result = excluded.result, checked_at = excluded.checked_at, changed_at = excluded.changed_at`,
		watchID, n.Name, n.Status, n.Service, n.Summary, n.Result, ms(n.CheckedAt), ms(n.ChangedAt))
	return err
}

// AddChange records a change of a watched name.
func (q *Q) AddChange(ctx context.Context, c *Change) error {
	_, err := q.ex.exec(ctx, `INSERT INTO dns_changes (id, watch_id, name, from_status, to_status, from_summary, to_summary, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.WatchID, c.Name, c.FromStatus, c.ToStatus, c.FromSummary, c.ToSummary, ms(c.At))
	return err
}

// Changes returns a watch's latest changes, newest first.
func (q *Q) Changes(ctx context.Context, watchID string, limit int) ([]*Change, error) {
	return queryAll(ctx, q.ex, scanChange, `SELECT id, watch_id, name, from_status, to_status, from_summary, to_summary, at
		FROM dns_changes WHERE watch_id = ? ORDER BY id DESC LIMIT ?`, watchID, limit)
}

func scanChange(r row) (*Change, error) {
	var c Change
	var at int64
	if err := r.Scan(&c.ID, &c.WatchID, &c.Name, &c.FromStatus, &c.ToStatus, &c.FromSummary, &c.ToSummary, &at); err != nil {
		return nil, err
	}
	c.At = fromMS(at)
	return &c, nil
}

// WatchRun is one run of a watch: when it ran, how it ended and what the
// user must be told about it.
type WatchRun struct {
	ID       string
	WatchID  string
	At       time.Time
	Error    string // why the run could not audit ("" when it did)
	Notices  string // the audit's notices, JSON (an array)
	Statuses string // names per status, JSON (an object)
	Changes  int    // names whose state changed
}

// AddWatchRun records a run of a watch and forgets all but its keep
// latest runs.
func (q *Q) AddWatchRun(ctx context.Context, r *WatchRun, keep int) error {
	if r.Notices == "" {
		r.Notices = "[]"
	}
	if r.Statuses == "" {
		r.Statuses = "{}"
	}
	if _, err := q.ex.exec(ctx, `INSERT INTO dns_watch_runs (id, watch_id, at, error, notices, statuses, changes)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.ID, r.WatchID, ms(r.At), r.Error, r.Notices, r.Statuses, r.Changes); err != nil {
		return err
	}
	_, err := q.ex.exec(ctx, `DELETE FROM dns_watch_runs WHERE watch_id = ? AND id NOT IN
		(SELECT id FROM dns_watch_runs WHERE watch_id = ? ORDER BY id DESC LIMIT ?)`, r.WatchID, r.WatchID, keep)
	return err
}

// WatchRuns returns a watch's latest runs, newest first.
func (q *Q) WatchRuns(ctx context.Context, watchID string, limit int) ([]*WatchRun, error) {
	rs, err := q.ex.query(ctx, `SELECT id, watch_id, at, error, notices, statuses, changes
		FROM dns_watch_runs WHERE watch_id = ? ORDER BY id DESC LIMIT ?`, watchID, limit)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []*WatchRun
	for rs.Next() {
		var r WatchRun
		var at int64
		if err := rs.Scan(&r.ID, &r.WatchID, &at, &r.Error, &r.Notices, &r.Statuses, &r.Changes); err != nil {
			return nil, err
		}
		r.At = fromMS(at)
		out = append(out, &r)
	}
	return out, rs.Err()
}
