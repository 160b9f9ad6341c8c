package store

import (
	"context"
	"time"
)

// Scan statuses, as the API reports them.
const (
	StatusQueued   = "queued"
	StatusRunning  = "running"
	StatusDone     = "done"
	StatusFailed   = "failed"
	StatusCanceled = "canceled"
)

// Scan is one scan of a target. Report is the redacted JSON report, exactly
// as `plumb scan --format json` writes it ("" until the scan ends).
type Scan struct {
	ID         string
	TargetID   string
	Cause      string // "api", "schedule", "dashboard"
	Status     string
	JobID      int64
	Attempt    int
	Note       string // what happened to the job (retried after a crash, re-queued on shutdown)
	CreatedAt  time.Time
	StartedAt  time.Time
	FinishedAt time.Time
	Error      string
	Score      int
	Grade      string
	Critical   int
	High       int
	Findings   int
	Requests   int
	DurationMS int64
	Report     string
}

// Terminal reports whether the scan has ended.
func (s *Scan) Terminal() bool {
	return s.Status == StatusDone || s.Status == StatusFailed || s.Status == StatusCanceled
}

const scanCols = `id, target_id, cause, status, job_id, attempt, note, created_at, started_at, finished_at, error,
	score, grade, critical, high, findings, requests, duration_ms`

func scanScan(r row, withReport bool) (*Scan, error) {
	var s Scan
	var created, started, finished int64
	dest := []any{&s.ID, &s.TargetID, &s.Cause, &s.Status, &s.JobID, &s.Attempt, &s.Note, &created, &started, &finished, &s.Error,
		&s.Score, &s.Grade, &s.Critical, &s.High, &s.Findings, &s.Requests, &s.DurationMS}
	if withReport {
		dest = append(dest, &s.Report)
	}
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	s.CreatedAt, s.StartedAt, s.FinishedAt = fromMS(created), fromMS(started), fromMS(finished)
	return &s, nil
}

// CreateScan inserts a queued scan.
func (q *Q) CreateScan(ctx context.Context, s *Scan) error {
	_, err := q.ex.exec(ctx, "INSERT INTO scans (id, target_id, cause, status, created_at) VALUES (?, ?, ?, ?, ?)",
		s.ID, s.TargetID, s.Cause, s.Status, ms(s.CreatedAt))
	return err
}

// SetScanJob records the River job that runs a scan.
func (q *Q) SetScanJob(ctx context.Context, id string, jobID int64) error {
	_, err := q.ex.exec(ctx, "UPDATE scans SET job_id = ? WHERE id = ?", jobID, id)
	return err
}

// GetScan returns a scan, with its report when withReport.
func (q *Q) GetScan(ctx context.Context, id string, withReport bool) (*Scan, error) {
	cols := scanCols
	if withReport {
		cols += ", report"
	}
	return scanScan(q.ex.queryRow(ctx, "SELECT "+cols+" FROM scans WHERE id = ?", id), withReport)
}

// ListScans returns a target's latest scans (no reports), newest first.
func (q *Q) ListScans(ctx context.Context, targetID string, limit int) ([]*Scan, error) {
	return q.scans(ctx, "SELECT "+scanCols+" FROM scans WHERE target_id = ? ORDER BY created_at DESC, id DESC LIMIT ?", targetID, limit)
}

// ActiveScans returns the scans not yet ended (no reports).
func (q *Q) ActiveScans(ctx context.Context) ([]*Scan, error) {
	return q.scans(ctx, "SELECT "+scanCols+" FROM scans WHERE status IN ('queued', 'running') ORDER BY id")
}

func (q *Q) scans(ctx context.Context, query string, args ...any) ([]*Scan, error) {
	return queryAll(ctx, q.ex, func(r row) (*Scan, error) { return scanScan(r, false) }, query, args...)
}

// PreviousDoneScan returns the target's last completed scan created before
// the given one (with its report).
func (q *Q) PreviousDoneScan(ctx context.Context, targetID, beforeID string) (*Scan, error) {
	return scanScan(q.ex.queryRow(ctx, "SELECT "+scanCols+`, report FROM scans
		WHERE target_id = ? AND status = 'done' AND id < ? ORDER BY id DESC LIMIT 1`, targetID, beforeID), true)
}

// StartScan marks a queued scan running (attempt counts River's tries).
// It reports false when the scan is no longer queued or running (ended,
// canceled or deleted), and the job should not run it.
func (q *Q) StartScan(ctx context.Context, id string, attempt int, note string, now time.Time) (bool, error) {
	n, err := q.ex.exec(ctx, `UPDATE scans SET status = 'running', attempt = ?, note = ?, started_at = ?
		WHERE id = ? AND status IN ('queued', 'running')`, attempt, note, ms(now), id)
	return n == 1, err
}

// RequeueScan puts a running scan back in the queue with a note saying why.
func (q *Q) RequeueScan(ctx context.Context, id, note string) error {
	_, err := q.ex.exec(ctx, "UPDATE scans SET status = 'queued', note = ? WHERE id = ? AND status IN ('queued', 'running')", note, id)
	return err
}

// FinishScan records how a scan ended; it does nothing to a scan that has
// already ended and reports whether it changed the scan.
func (q *Q) FinishScan(ctx context.Context, s *Scan) (bool, error) {
	n, err := q.ex.exec(ctx, `UPDATE scans SET status = ?, note = ?, finished_at = ?, error = ?, score = ?, grade = ?,
		critical = ?, high = ?, findings = ?, requests = ?, duration_ms = ?, report = ?
		WHERE id = ? AND status IN ('queued', 'running')`,
		s.Status, s.Note, ms(s.FinishedAt), s.Error, s.Score, s.Grade, s.Critical, s.High, s.Findings, s.Requests, s.DurationMS, s.Report, s.ID)
	return n == 1, err
}

// ScanStats sums the ended scans, for /metrics.
type ScanStats struct {
	ByStatus      map[string]int64
	DurationMSSum int64 // completed scans
	Requests      int64 // HTTP requests sent by completed and failed scans
}

// ScanStats returns counts per status and totals of the ended scans.
func (q *Q) ScanStats(ctx context.Context) (*ScanStats, error) {
	st := &ScanStats{ByStatus: map[string]int64{}}
	rs, err := q.ex.query(ctx, "SELECT status, COUNT(*), CAST(COALESCE(SUM(duration_ms), 0) AS BIGINT), CAST(COALESCE(SUM(requests), 0) AS BIGINT) FROM scans GROUP BY status")
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	for rs.Next() {
		var status string
		var n, dur, reqs int64
		if err := rs.Scan(&status, &n, &dur, &reqs); err != nil {
			return nil, err
		}
		st.ByStatus[status] = n
		st.Requests += reqs
		if status == StatusDone {
			st.DurationMSSum = dur
		}
	}
	return st, rs.Err()
}
