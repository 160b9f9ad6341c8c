package jobs

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/store"
)

// receiver records deliveries and checks each signature as a user would.
type receiver struct {
	t      *testing.T
	secret []byte
	mu     sync.Mutex
	got    []Envelope
	raw    [][]byte
	srv    *http.Server
	addr   string
}

func newReceiver(t *testing.T, secret string) *receiver {
	return &receiver{t: t, secret: []byte(secret)}
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := Verify(rc.secret, r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderSignature), body, time.Now(), 5*time.Minute); err != nil {
		rc.t.Errorf("delivery %s: %v", r.Header.Get(HeaderDelivery), err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		rc.t.Errorf("delivery body: %v", err)
	}
	if env.Event != r.Header.Get(HeaderEvent) || env.DeliveryID != r.Header.Get(HeaderDelivery) {
		rc.t.Errorf("headers %s/%s disagree with the body %s/%s", r.Header.Get(HeaderEvent), r.Header.Get(HeaderDelivery), env.Event, env.DeliveryID)
	}
	rc.mu.Lock()
	rc.got, rc.raw = append(rc.got, env), append(rc.raw, body)
	rc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// listen serves on addr ("127.0.0.1:0" for any port) until stop.
func (rc *receiver) listen(addr string) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		rc.t.Fatal(err)
	}
	rc.addr = l.Addr().String()
	rc.srv = &http.Server{Handler: rc, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = rc.srv.Serve(l) }()
	rc.t.Cleanup(rc.stop)
}

func (rc *receiver) stop() { _ = rc.srv.Close() }

func (rc *receiver) events(name string) []Envelope {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []Envelope
	for _, e := range rc.got {
		if e.Event == name {
			out = append(out, e)
		}
	}
	return out
}

func (h *harness) addWebhook(t *testing.T, url, secret string, events ...string) *store.Webhook {
	t.Helper()
	wh := &store.Webhook{ID: store.NewID("whk"), URL: url, Events: events, CreatedAt: time.Now()}
	var err error
	if wh.Secret, err = SealWebhookSecret(h.box, wh.ID, secret); err != nil {
		t.Fatal(err)
	}
	if err := h.st.CreateWebhook(context.Background(), wh); err != nil {
		t.Fatal(err)
	}
	return wh
}

// The loop of the product: scan, fix the flaw, rescan, and the diff and a
// signed finding.fixed delivery say what was fixed.
func TestFixedFindingIsDeliveredSigned(t *testing.T) {
	t.Parallel()
	w := startFixLab(t)
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, dsn(t, d), w.World, fewChecks(), nil)
			rc := newReceiver(t, "whsec-test")
			rc.listen("127.0.0.1:0")
			h.addWebhook(t, "http://"+rc.addr+"/hook", "whsec-test", Events...)
			h.start(t)
			// Each database's subtest fixes its own switch.
			name := "sw-" + string(d)
			tg := h.addTarget(t, "https://"+name+".fix.test", name+".fix.test", nil, "")
			first := h.waitScan(t, h.scan(t, tg.ID).ID)
			if first.Status != store.StatusDone || first.Findings != 1 {
				t.Fatalf("first scan %s with %d findings: %s", first.Status, first.Findings, first.Error)
			}
			waitFor(t, "scan.completed of the first scan", func() bool { return len(rc.events(EventScanCompleted)) == 1 })
			if n := len(rc.events(EventFindingNew)); n != 0 {
				t.Errorf("a first scan sent finding.new (%d): it is the baseline", n)
			}
			w.fixed[name].Store(true)
			second := h.waitScan(t, h.scan(t, tg.ID).ID)
			if second.Status != store.StatusDone || second.Findings != 0 {
				t.Fatalf("rescan after the fix: %s with %d findings", second.Status, second.Findings)
			}
			waitFor(t, "finding.fixed", func() bool { return len(rc.events(EventFindingFixed)) == 1 })
			ev := rc.events(EventFindingFixed)[0]
			raw, _ := json.Marshal(ev.Data)
			var data FindingsChanged
			if err := json.Unmarshal(raw, &data); err != nil {
				t.Fatal(err)
			}
			if data.ScanID != second.ID || data.PreviousScanID != first.ID || len(data.Findings) != 1 ||
				data.Findings[0].ID != "data-exposure.content-type-sniffing" {
				t.Errorf("finding.fixed data: %+v", data)
			}
			d := DiffReports(mustReport(t, second), mustReport(t, first))
			if len(d.New) != 0 || len(d.Fixed) != 1 || d.Unchanged != 0 {
				t.Errorf("diff: %d new, %d fixed, %d unchanged; want 0, 1, 0", len(d.New), len(d.Fixed), d.Unchanged)
			}
		})
	}
}

func mustReport(t *testing.T, sc *store.Scan) *result.Report {
	t.Helper()
	r, err := result.ReadReport(strings.NewReader(sc.Report))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A receiver that is down gets its delivery once it is back, and the
// delivery log shows the failed attempts.
func TestDeliveryRetriedUntilReceiverIsUp(t *testing.T) {
	t.Parallel()
	w := startFixLab(t)
	h := newHarness(t, dsn(t, store.SQLite), w.World, fewChecks(), nil)
	rc := newReceiver(t, "s3cret")
	rc.listen("127.0.0.1:0")
	addr := rc.addr
	rc.stop() // down
	wh := h.addWebhook(t, "http://"+addr+"/hook", "s3cret", EventScanCompleted)
	h.start(t)
	tg := h.addTarget(t, switchURL, "switch.fix.test", nil, "")
	h.waitScan(t, h.scan(t, tg.ID).ID)
	ctx := context.Background()
	waitFor(t, "two failed attempts", func() bool {
		dl, _ := h.st.ListDeliveries(ctx, wh.ID, 10)
		return len(dl) == 1 && dl[0].Attempts >= 2 && dl[0].Status == store.DeliveryPending
	})
	dl, _ := h.st.ListDeliveries(ctx, wh.ID, 10)
	if !strings.Contains(dl[0].LastError, "refused") {
		t.Errorf("failed attempt's error %q", dl[0].LastError)
	}
	rc.listen(addr) // back up
	waitFor(t, "the delivery", func() bool { return len(rc.events(EventScanCompleted)) == 1 })
	waitFor(t, "the log to say delivered", func() bool {
		dl, _ := h.st.ListDeliveries(ctx, wh.ID, 10)
		return dl[0].Status == store.DeliveryDelivered && dl[0].ResponseStatus == 204
	})
}

// A webhook URL on a private address is refused at delivery time, not
// only when it is created: the check is on the address connected to.
func TestDeliveryRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	h := newHarness(t, dsn(t, store.SQLite), startFixLab(t).World, fewChecks(), func(c *Config) { c.AllowPrivate = false })
	rc := newReceiver(t, "s")
	rc.listen("127.0.0.1:0")
	wh := h.addWebhook(t, "http://localhost:"+strings.Split(rc.addr, ":")[1]+"/", "s", EventScanCompleted)
	d := &store.Delivery{ID: store.NewID("dlv"), WebhookID: wh.ID, Event: EventScanCompleted, Body: "{}", CreatedAt: time.Now()}
	if err := h.st.CreateDelivery(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	dw := &deliverWorker{r: h.r, client: newWebhookClient(h.r.cfg.allowAddr())}
	_, err := dw.post(context.Background(), wh.URL, d, []byte("s"))
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("delivery to localhost: %v, want refused", err)
	}
	if len(rc.events(EventScanCompleted)) != 0 {
		t.Fatal("the private receiver got the delivery")
	}
}

func TestSignatureFormat(t *testing.T) {
	t.Parallel()
	// A vector computed independently (Python: hmac.new(b"s3cret",
	// b"1700000000.{}", hashlib.sha256).hexdigest()); docs/server.md uses it.
	if got := Sign([]byte("s3cret"), "1700000000", []byte("{}")); got != "sha256=97926816e98fbb41ccb1673225ff29a2f35369099990e1b1561651e7bd097ebf" {
		t.Fatalf("signature %q", got)
	}
	now := time.Unix(1_700_000_000, 0)
	sig := Sign([]byte("k"), "1700000000", []byte("body"))
	if err := Verify([]byte("k"), "1700000000", sig, []byte("body"), now, time.Minute); err != nil {
		t.Errorf("valid signature: %v", err)
	}
	for name, c := range map[string]struct {
		key, ts, body string
		at            time.Time
	}{
		"other key":  {"k2", "1700000000", "body", now},
		"other body": {"k", "1700000000", "body2", now},
		"other time": {"k", "1700000001", "body", now},
		"replayed":   {"k", "1700000000", "body", now.Add(time.Hour)},
	} {
		if err := Verify([]byte(c.key), c.ts, sig, []byte(c.body), c.at, time.Minute); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}
