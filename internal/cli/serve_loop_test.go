package cli

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// hookReceiver checks each delivery's signature the way docs/server.md
// tells users to (recomputed here, not through plumb's code).
type hookReceiver struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	events []map[string]any
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, []byte(h.secret))
	mac.Write([]byte(r.Header.Get("X-Plumb-Timestamp") + "." + string(body)))
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Plumb-Signature"))) {
		h.t.Errorf("delivery %s: bad signature", r.Header.Get("X-Plumb-Delivery"))
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		h.t.Errorf("delivery body: %v", err)
	}
	h.mu.Lock()
	h.events = append(h.events, ev)
	h.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (h *hookReceiver) got(event string) []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []map[string]any
	for _, e := range h.events {
		if e["event"] == event {
			out = append(out, e)
		}
	}
	return out
}

// The whole loop of plumb serve, as a user drives it: the lab API as a
// scheduled target, on-demand scans, a flaw fixed on a second target, the
// diff and a signed finding.fixed webhook, and the dashboard showing it in
// a real browser.
func TestServeWholeLoop(t *testing.T) {
	t.Parallel()
	sl := startLoopLab(t)
	s := startServe(t, nil, append(sl.netArgs(), "--db", "sqlite:"+t.TempDir()+"/plumb.db", "--allow-private-targets",
		"--tick", "200ms", "--min-schedule", "1s")...)
	hooks := &hookReceiver{t: t, secret: "whsec-loop-0123456789"}
	recv := httptest.NewServer(hooks)
	t.Cleanup(recv.Close)
	var wh struct{ ID string }
	if code := s.api(t, "POST", "/api/v1/webhooks", map[string]any{"url": recv.URL + "/plumb", "secret": hooks.secret,
		"events": []string{"scan.completed", "finding.new", "finding.fixed"}}, &wh); code != 201 {
		t.Fatalf("create webhook: %d", code)
	}

	// The lab API, scheduled: its first scan is the schedule's baseline.
	var vuln struct{ ID string }
	if code := s.api(t, "POST", "/api/v1/targets", map[string]any{"name": "vulnshop", "url": sl.Vuln.BaseURL, "schedule": "@every 1h", "options": map[string]any{"rate": 500},
		"credentials": map[string]any{"bearer": sl.Vuln.Token, "bearer_b": sl.Vuln.TokenB}}, &vuln); code != 201 {
		t.Fatalf("create target: %d", code)
	}
	pollUntil(t, 2*time.Minute, "the scheduled scan", func() bool {
		sc := s.scans(t, vuln.ID)
		return len(sc) == 1 && sc[0].Status == "done" && sc[0].Cause == "schedule"
	})
	scheduled := s.scans(t, vuln.ID)[0]
	if scheduled.Grade != "F" || scheduled.Critical == 0 {
		t.Errorf("the vulnerable lab API got %s with %d criticals", scheduled.Grade, scheduled.Critical)
	}
	var onDemand struct{ ID string }
	s.api(t, "POST", "/api/v1/targets/"+vuln.ID+"/scans", nil, &onDemand)
	if sc := s.waitScan(t, onDemand.ID); sc.Status != "done" || sc.Cause != "api" {
		t.Fatalf("on-demand scan: %+v", sc)
	}

	// A flaw fixed between two scans of the switch.
	var sw struct{ ID string }
	s.api(t, "POST", "/api/v1/targets", map[string]any{"name": "switch", "url": "https://switch.fix.test"}, &sw)
	var first, second struct{ ID string }
	s.api(t, "POST", "/api/v1/targets/"+sw.ID+"/scans", nil, &first)
	s.waitScan(t, first.ID)
	sl.fixed.Store(true)
	s.api(t, "POST", "/api/v1/targets/"+sw.ID+"/scans", nil, &second)
	s.waitScan(t, second.ID)
	var diff struct {
		PreviousScanID string `json:"previous_scan_id"`
		New, Fixed     []struct{ ID string }
	}
	if code := s.api(t, "GET", "/api/v1/scans/"+second.ID+"/diff", nil, &diff); code != 200 || diff.PreviousScanID != first.ID ||
		len(diff.Fixed) != 1 || diff.Fixed[0].ID != "data-exposure.content-type-sniffing" || len(diff.New) != 0 {
		t.Fatalf("diff after the fix: %d %+v", code, diff)
	}
	pollUntil(t, time.Minute, "finding.fixed", func() bool { return len(hooks.got("finding.fixed")) == 1 })
	data := hooks.got("finding.fixed")[0]["data"].(map[string]any)
	if data["scan_id"] != second.ID || data["target_id"] != sw.ID || !strings.Contains(toJSON(data["findings"]), "content-type-sniffing") {
		t.Errorf("finding.fixed data: %v", data)
	}
	var dl struct {
		Deliveries []struct{ Event, Status string }
	}
	s.api(t, "GET", "/api/v1/webhooks/"+wh.ID+"/deliveries", nil, &dl)
	delivered := 0
	for _, d := range dl.Deliveries {
		if d.Status == "delivered" {
			delivered++
		}
	}
	if delivered < 4 {
		t.Errorf("delivery log: %+v", dl.Deliveries)
	}

	dashboardShowsIt(t, s, vuln.ID, sw.ID, second.ID)
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
