package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/store"
)

// Webhook events.
const (
	EventScanCompleted = "scan.completed"
	EventFindingNew    = "finding.new"
	EventFindingFixed  = "finding.fixed"
	EventDNSChanged    = "dns.changed"
)

// Events lists every event a webhook can subscribe to.
var Events = []string{EventScanCompleted, EventFindingNew, EventFindingFixed, EventDNSChanged}

// maxEventFindings bounds the findings one delivery carries.
const maxEventFindings = 100

// Envelope is the body of every delivery.
type Envelope struct {
	Event      string    `json:"event"`
	DeliveryID string    `json:"delivery_id"`
	CreatedAt  time.Time `json:"created_at"`
	Data       any       `json:"data"`
}

// ScanCompleted is the data of scan.completed (sent for failed scans too).
type ScanCompleted struct {
	ScanID    string         `json:"scan_id"`
	TargetID  string         `json:"target_id"`
	TargetURL string         `json:"target_url"`
	Status    string         `json:"status"`
	Error     string         `json:"error,omitempty"`
	Score     int            `json:"score"`
	Grade     string         `json:"grade"`
	Counts    map[string]int `json:"counts"`
	New       int            `json:"new"`
	Fixed     int            `json:"fixed"`
	Unchanged int            `json:"unchanged"`
	// PreviousScanID is the completed scan the diff is against ("" for a first scan).
	PreviousScanID string `json:"previous_scan_id,omitempty"`
}

// FindingsChanged is the data of finding.new and finding.fixed.
type FindingsChanged struct {
	ScanID         string            `json:"scan_id"`
	PreviousScanID string            `json:"previous_scan_id"`
	TargetID       string            `json:"target_id"`
	TargetURL      string            `json:"target_url"`
	Findings       []finding.Finding `json:"findings"`
	Total          int               `json:"total"`     // findings in this event, before truncation
	Truncated      bool              `json:"truncated"` // only the first 100 are listed
}

// Diff is a scan's findings compared with an earlier scan's, by fingerprint.
type Diff struct {
	New       []finding.Finding `json:"new"`
	Fixed     []finding.Finding `json:"fixed"`
	Unchanged int               `json:"unchanged"`
}

// DiffReports compares cur with prev (nil: every finding of cur is new).
// Neither report is modified.
func DiffReports(cur, prev *result.Report) Diff {
	d := Diff{New: []finding.Finding{}, Fixed: []finding.Finding{}}
	if cur == nil {
		return d
	}
	if prev == nil {
		prev = &result.Report{}
	}
	cp := *cur
	cp.Findings = slices.Clone(cur.Findings)
	cp.CompareTo(prev, "previous scan")
	for _, f := range cp.Findings {
		if f.BaselineState == result.StateNew {
			d.New = append(d.New, f)
		}
	}
	d.Fixed = append(d.Fixed, cp.Diff.FixedFindings...)
	d.Unchanged = cp.Diff.Unchanged
	return d
}

// scanEvents queues scan.completed, and finding.new / finding.fixed when
// there is an earlier completed scan to compare with.
func (r *Runner) scanEvents(ctx context.Context, tx *store.Tx, sc *store.Scan, tg *store.Target, rep *result.Report) error {
	ev := ScanCompleted{ScanID: sc.ID, TargetID: tg.ID, TargetURL: tg.URL, Status: sc.Status, Error: sc.Error,
		Score: sc.Score, Grade: sc.Grade, Counts: map[string]int{}}
	var d Diff
	var prevID string
	if rep != nil && sc.Status == store.StatusDone {
		for sev, n := range rep.Counts() {
			ev.Counts[sev.String()] = n
		}
		prev, err := tx.PreviousDoneScan(ctx, tg.ID, sc.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			old, err := result.ReadReport(strings.NewReader(prev.Report))
			if err != nil {
				return fmt.Errorf("previous scan %s: %w", prev.ID, err)
			}
			d, prevID = DiffReports(rep, old), prev.ID
			ev.New, ev.Fixed, ev.Unchanged, ev.PreviousScanID = len(d.New), len(d.Fixed), d.Unchanged, prevID
		}
	}
	if err := r.emit(ctx, tx, EventScanCompleted, ev); err != nil {
		return err
	}
	if prevID == "" {
		return nil // a first scan is the baseline: no finding is "new" yet
	}
	for _, e := range []struct {
		name string
		fs   []finding.Finding
	}{{EventFindingNew, d.New}, {EventFindingFixed, d.Fixed}} {
		if len(e.fs) == 0 {
			continue
		}
		data := FindingsChanged{ScanID: sc.ID, PreviousScanID: prevID, TargetID: tg.ID, TargetURL: tg.URL, Findings: e.fs, Total: len(e.fs)}
		if len(data.Findings) > maxEventFindings {
			data.Findings, data.Truncated = data.Findings[:maxEventFindings], true
		}
		if err := r.emit(ctx, tx, e.name, data); err != nil {
			return err
		}
	}
	return nil
}

// emit records a delivery of event to each subscribed webhook and queues
// it, in tx: an event is delivered if and only if what caused it commits.
func (r *Runner) emit(ctx context.Context, tx *store.Tx, event string, data any) error {
	hooks, err := tx.WebhooksFor(ctx, event)
	if err != nil || len(hooks) == 0 {
		return err
	}
	for _, h := range hooks {
		d := &store.Delivery{ID: store.NewID("dlv"), WebhookID: h.ID, Event: event, CreatedAt: r.cfg.Now().UTC()}
		body, err := json.Marshal(Envelope{Event: event, DeliveryID: d.ID, CreatedAt: d.CreatedAt, Data: data})
		if err != nil {
			return err
		}
		d.Body = string(body)
		if err := tx.CreateDelivery(ctx, d); err != nil {
			return err
		}
		if _, err := r.q.insertTx(ctx, tx, DeliverArgs{DeliveryID: d.ID}, &river.InsertOpts{Queue: QueueWebhooks, MaxAttempts: r.cfg.WebhookAttempts}); err != nil {
			return fmt.Errorf("queue delivery: %w", err)
		}
	}
	return nil
}
