package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// ScanOptions are a target's scan settings (the API's "options").
type ScanOptions struct {
	Resolvers   []string `json:"resolver,omitempty"`
	DNSRoots    []string `json:"dns_root,omitempty"`
	LLM         string   `json:"llm,omitempty"`
	AllowWrites bool     `json:"allow_writes,omitempty"`
	Rate        float64  `json:"rate,omitempty"`
	MaxRequests int      `json:"max_requests,omitempty"`
	// Include and Exclude are plumb scan's --include and --exclude
	// patterns ("METHOD PATH" or "PATH", globs on path templates).
	Include []string `json:"include,omitempty"`
	Exclude []string `json:"exclude,omitempty"`
}

// Target is an API the server scans.
type Target struct {
	ID      string
	Name    string
	URL     string
	Host    string // lower-case host name of URL: scans of one host run one at a time
	Spec    string // OpenAPI document URL; "" discovers it
	Options ScanOptions
	// Credentials is the sealed credential set (internal/seal); nil: none.
	Credentials []byte
	Schedule    string    // "" = on demand only
	NextRunAt   time.Time // next scheduled scan (zero without a schedule)
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

const targetCols = "id, name, url, host, spec, options, credentials, schedule, next_run_at, created_at, updated_at"

func scanTarget(r row) (*Target, error) {
	var t Target
	var opts string
	var next, created, updated int64
	if err := r.Scan(&t.ID, &t.Name, &t.URL, &t.Host, &t.Spec, &opts, &t.Credentials, &t.Schedule, &next, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(opts), &t.Options); err != nil {
		return nil, fmt.Errorf("target %s options: %w", t.ID, err)
	}
	t.NextRunAt, t.CreatedAt, t.UpdatedAt = fromMS(next), fromMS(created), fromMS(updated)
	return &t, nil
}

// CreateTarget inserts t (its ID must be set).
func (q *Q) CreateTarget(ctx context.Context, t *Target) error {
	opts, err := json.Marshal(t.Options)
	if err != nil {
		return err
	}
	_, err = q.ex.exec(ctx, "INSERT INTO targets ("+targetCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		t.ID, t.Name, t.URL, t.Host, t.Spec, string(opts), t.Credentials, t.Schedule, ms(t.NextRunAt), ms(t.CreatedAt), ms(t.UpdatedAt))
	return err
}

// UpdateTarget rewrites every field of t but its creation time.
func (q *Q) UpdateTarget(ctx context.Context, t *Target) error {
	opts, err := json.Marshal(t.Options)
	if err != nil {
		return err
	}
	n, err := q.ex.exec(ctx, `UPDATE targets SET name = ?, url = ?, host = ?, spec = ?, options = ?, credentials = ?,
		schedule = ?, next_run_at = ?, updated_at = ? WHERE id = ?`,
		t.Name, t.URL, t.Host, t.Spec, string(opts), t.Credentials, t.Schedule, ms(t.NextRunAt), ms(t.UpdatedAt), t.ID)
	if err == nil && n == 0 {
		return ErrNotFound
	}
	return err
}

// GetTarget returns one target.
func (q *Q) GetTarget(ctx context.Context, id string) (*Target, error) {
	return scanTarget(q.ex.queryRow(ctx, "SELECT "+targetCols+" FROM targets WHERE id = ?", id))
}

// ListTargets returns every target, oldest first.
func (q *Q) ListTargets(ctx context.Context) ([]*Target, error) {
	return q.targets(ctx, "SELECT "+targetCols+" FROM targets ORDER BY id")
}

// DueTargets returns up to limit scheduled targets whose next run is at or before now.
func (q *Q) DueTargets(ctx context.Context, now time.Time, limit int) ([]*Target, error) {
	return q.targets(ctx, "SELECT "+targetCols+" FROM targets WHERE schedule <> '' AND next_run_at <= ? ORDER BY next_run_at LIMIT ?", ms(now), limit)
}

func (q *Q) targets(ctx context.Context, query string, args ...any) ([]*Target, error) {
	return queryAll(ctx, q.ex, scanTarget, query, args...)
}

// SetTargetNextRun moves a target's next scheduled run.
func (q *Q) SetTargetNextRun(ctx context.Context, id string, next time.Time) error {
	_, err := q.ex.exec(ctx, "UPDATE targets SET next_run_at = ? WHERE id = ?", ms(next), id)
	return err
}

// DeleteTarget deletes a target with its scans.
func (q *Q) DeleteTarget(ctx context.Context, id string) error {
	n, err := q.ex.exec(ctx, "DELETE FROM targets WHERE id = ?", id)
	if err == nil && n == 0 {
		return ErrNotFound
	}
	return err
}
