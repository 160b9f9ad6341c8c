package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Webhook is a URL told about events, with a sealed signing secret.
type Webhook struct {
	ID        string
	URL       string
	Secret    []byte // sealed (internal/seal)
	Events    []string
	CreatedAt time.Time
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed" // out of attempts
)

// Delivery is one event sent (or being sent) to one webhook. Body is the
// exact bytes signed and posted.
type Delivery struct {
	ID             string
	WebhookID      string
	Event          string
	Body           string
	Status         string
	Attempts       int
	ResponseStatus int
	LastError      string
	CreatedAt      time.Time
	LastAttemptAt  time.Time
	DeliveredAt    time.Time
}

// CreateWebhook inserts h (its ID must be set).
func (q *Q) CreateWebhook(ctx context.Context, h *Webhook) error {
	ev, err := json.Marshal(h.Events)
	if err != nil {
		return err
	}
	_, err = q.ex.exec(ctx, "INSERT INTO webhooks (id, url, secret, events, created_at) VALUES (?, ?, ?, ?, ?)",
		h.ID, h.URL, h.Secret, string(ev), ms(h.CreatedAt))
	return err
}

func scanWebhook(r row) (*Webhook, error) {
	var h Webhook
	var ev string
	var created int64
	if err := r.Scan(&h.ID, &h.URL, &h.Secret, &ev, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(ev), &h.Events); err != nil {
		return nil, fmt.Errorf("webhook %s events: %w", h.ID, err)
	}
	h.CreatedAt = fromMS(created)
	return &h, nil
}

// GetWebhook returns one webhook.
func (q *Q) GetWebhook(ctx context.Context, id string) (*Webhook, error) {
	return scanWebhook(q.ex.queryRow(ctx, "SELECT id, url, secret, events, created_at FROM webhooks WHERE id = ?", id))
}

// ListWebhooks returns every webhook, oldest first.
func (q *Q) ListWebhooks(ctx context.Context) ([]*Webhook, error) {
	return queryAll(ctx, q.ex, scanWebhook, "SELECT id, url, secret, events, created_at FROM webhooks ORDER BY id")
}

// WebhooksFor returns the webhooks subscribed to event.
func (q *Q) WebhooksFor(ctx context.Context, event string) ([]*Webhook, error) {
	all, err := q.ListWebhooks(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Webhook
	for _, h := range all {
		if slices.Contains(h.Events, event) {
			out = append(out, h)
		}
	}
	return out, nil
}

// DeleteWebhook deletes a webhook and its delivery log.
func (q *Q) DeleteWebhook(ctx context.Context, id string) error {
	n, err := q.ex.exec(ctx, "DELETE FROM webhooks WHERE id = ?", id)
	if err == nil && n == 0 {
		return ErrNotFound
	}
	return err
}

const deliveryCols = "id, webhook_id, event, body, status, attempts, response_status, last_error, created_at, last_attempt_at, delivered_at"

func scanDelivery(r row) (*Delivery, error) {
	var d Delivery
	var created, last, delivered int64
	if err := r.Scan(&d.ID, &d.WebhookID, &d.Event, &d.Body, &d.Status, &d.Attempts, &d.ResponseStatus, &d.LastError, &created, &last, &delivered); err != nil {
		return nil, err
	}
	d.CreatedAt, d.LastAttemptAt, d.DeliveredAt = fromMS(created), fromMS(last), fromMS(delivered)
	return &d, nil
}

// CreateDelivery inserts a pending delivery.
func (q *Q) CreateDelivery(ctx context.Context, d *Delivery) error {
	_, err := q.ex.exec(ctx, "INSERT INTO deliveries (id, webhook_id, event, body, status, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		d.ID, d.WebhookID, d.Event, d.Body, DeliveryPending, ms(d.CreatedAt))
	return err
}

// GetDelivery returns one delivery.
func (q *Q) GetDelivery(ctx context.Context, id string) (*Delivery, error) {
	return scanDelivery(q.ex.queryRow(ctx, "SELECT "+deliveryCols+" FROM deliveries WHERE id = ?", id))
}

// RecordAttempt stores the outcome of one delivery attempt.
func (q *Q) RecordAttempt(ctx context.Context, d *Delivery) error {
	_, err := q.ex.exec(ctx, `UPDATE deliveries SET status = ?, attempts = ?, response_status = ?, last_error = ?,
		last_attempt_at = ?, delivered_at = ? WHERE id = ?`,
		d.Status, d.Attempts, d.ResponseStatus, d.LastError, ms(d.LastAttemptAt), ms(d.DeliveredAt), d.ID)
	return err
}

// ListDeliveries returns a webhook's latest deliveries, newest first.
func (q *Q) ListDeliveries(ctx context.Context, webhookID string, limit int) ([]*Delivery, error) {
	return queryAll(ctx, q.ex, scanDelivery, "SELECT "+deliveryCols+" FROM deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ?", webhookID, limit)
}

// DeliveryStats counts deliveries per status and failed attempts, for /metrics.
func (q *Q) DeliveryStats(ctx context.Context) (byStatus map[string]int64, failedAttempts int64, err error) {
	byStatus = map[string]int64{}
	rs, err := q.ex.query(ctx, `SELECT status, COUNT(*), CAST(COALESCE(SUM(CASE WHEN status = 'delivered' THEN attempts - 1 ELSE attempts END), 0) AS BIGINT)
		FROM deliveries GROUP BY status`)
	if err != nil {
		return nil, 0, err
	}
	defer rs.Close()
	for rs.Next() {
		var s string
		var n, fails int64
		if err := rs.Scan(&s, &n, &fails); err != nil {
			return nil, 0, err
		}
		byStatus[s] = n
		failedAttempts += fails
	}
	return byStatus, failedAttempts, rs.Err()
}
