package jobs

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"

	"github.com/riverqueue/river"

	"github.com/plumbsec/plumb/internal/store"
)

// Delivery headers.
const (
	HeaderEvent     = "X-Plumb-Event"
	HeaderDelivery  = "X-Plumb-Delivery"
	HeaderTimestamp = "X-Plumb-Timestamp"
	HeaderSignature = "X-Plumb-Signature"
)

// Sign returns the X-Plumb-Signature value of a delivery:
// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)).
func Sign(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a delivery's signature in constant time and that its
// timestamp is within tolerance of now (replay protection).
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return errors.New("bad timestamp")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return errors.New("timestamp outside the tolerance")
	}
	if !hmac.Equal([]byte(Sign(secret, timestamp, body)), []byte(signature)) {
		return errors.New("signature mismatch")
	}
	return nil
}

// DeliverArgs is the River job that posts one delivery.
type DeliverArgs struct {
	DeliveryID string `json:"delivery_id"`
}

// Kind is the job's kind.
func (DeliverArgs) Kind() string { return "plumb.webhook" }

// InsertOpts puts deliveries on their own queue.
func (DeliverArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: QueueWebhooks} }

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	r      *Runner
	client *http.Client
}

func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration { return 30 * time.Second }

// NextRetry backs off per the runner's WebhookBackoff.
func (w *deliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	return time.Now().Add(w.r.cfg.WebhookBackoff(job.Attempt))
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	st := w.r.cfg.Store
	d, err := st.GetDelivery(ctx, job.Args.DeliveryID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // its webhook was deleted
	}
	if err != nil {
		return err
	}
	if d.Status != store.DeliveryPending {
		return nil
	}
	h, err := st.GetWebhook(ctx, d.WebhookID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	secret, err := openWebhookSecret(w.r.cfg.Box, h.ID, h.Secret)
	if err != nil {
		return river.JobCancel(err) // no retry opens it with this key
	}
	status, postErr := w.post(ctx, h.URL, d, secret)
	now := w.r.cfg.Now()
	d.Attempts, d.ResponseStatus, d.LastAttemptAt, d.LastError = job.Attempt, status, now, ""
	switch {
	case postErr == nil:
		d.Status, d.DeliveredAt = store.DeliveryDelivered, now
	case job.Attempt >= job.MaxAttempts:
		d.Status, d.LastError = store.DeliveryFailed, postErr.Error()
	default:
		d.LastError = postErr.Error()
	}
	if err := st.RecordAttempt(context.WithoutCancel(ctx), d); err != nil {
		return err
	}
	return postErr
}

// post sends one attempt; a 2xx answer is success. Redirects are not followed.
func (w *deliverWorker) post(ctx context.Context, url string, d *store.Delivery, secret []byte) (int, error) {
	ts := strconv.FormatInt(w.r.cfg.Now().Unix(), 10)
	body := []byte(d.Body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "plumb-webhook/1")
	req.Header.Set(HeaderEvent, d.Event)
	req.Header.Set(HeaderDelivery, d.ID)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(secret, ts, body))
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("receiver answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// newWebhookClient returns a client that checks the address each
// connection actually goes to (after DNS), so a webhook URL cannot steer
// the server into its own network, even by re-resolving.
func newWebhookClient(allow func(netip.Addr) error) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if allow != nil {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return err
			}
			return allow(ap.Addr())
		}
	}
	tr := &http.Transport{Proxy: nil, DialContext: d.DialContext, TLSHandshakeTimeout: 10 * time.Second,
		ResponseHeaderTimeout: 15 * time.Second, MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second}
	return &http.Client{
		Transport:     tr,
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
