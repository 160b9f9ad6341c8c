package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/checks/exposure"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/jobs"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/seal"
	"github.com/plumbsec/plumb/internal/store"
	"github.com/plumbsec/plumb/internal/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// syncBuffer collects the server's log for the never-logged assertions.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testServer struct {
	*httptest.Server
	key   string
	st    *store.Store
	w     *lab.World
	log   *syncBuffer
	fixed *atomic.Bool
}

type opts struct {
	allowPrivate bool
	dsn          string
	rateLimit    float64
}

// startServer runs a server (and two scan workers) on a fresh database,
// over a lab with a switchable site at https://switch.fix.test.
func startServer(t *testing.T, o opts) *testServer {
	t.Helper()
	fixed := &atomic.Bool{}
	zone, err := lab.ParseZone("fix.test.", "@ 300 IN SOA ns1.fix.test. h.fix.test. 1 3600 600 86400 60", "switch A 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	sw := lab.Site{Host: "switch.fix.test", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fixed.Load() {
			w.Header().Set("X-Content-Type-Options", "nosniff")
		}
		_, _ = w.Write([]byte(`{}`))
	})}
	w := labtest.Start(t, lab.Options{ExtraZones: []lab.Zone{zone}, ExtraSites: []lab.Site{sw}})
	ctx := context.Background()
	if o.dsn == "" {
		o.dsn = "sqlite:" + filepath.Join(t.TempDir(), "plumb.db")
	}
	st, err := store.Open(ctx, o.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := jobs.Migrate(ctx, st); err != nil {
		t.Fatal(err)
	}
	box, _ := seal.New(bytes.Repeat([]byte{3}, seal.KeySize))
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	base := labtest.Options(t, w, "", exposure.NoSniff{})
	r, err := jobs.New(jobs.Config{Store: st, Box: box, AllowPrivate: o.allowPrivate, Workers: 2, Logger: logger,
		TickInterval: 200 * time.Millisecond, LockRetry: 100 * time.Millisecond,
		ScanOptions: func() engine.Options { c := base; c.Checks = slices.Clone(base.Checks); return c }})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Stop(context.Background()) })
	key, err := EnsureAdminKey(ctx, st, "", time.Now())
	if err != nil || key == "" {
		t.Fatalf("admin key %q: %v", key, err)
	}
	srv, err := New(Config{Store: st, Runner: r, Box: box, Resolvers: []string{w.DNSAddr}, AllowPrivate: o.allowPrivate,
		MinSchedule: 2 * time.Second, LLMTiers: []string{"off", "quick", "standard", "deep"}, Logger: logger, AuthFailures: 5, RateLimit: o.rateLimit})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &testServer{Server: hs, key: key, st: st, w: w, log: logs, fixed: fixed}
}

// call sends a request with the admin key (key "" for none) and decodes
// a JSON answer into out (if not nil); it returns the status and raw body.
func (ts *testServer) call(t *testing.T, method, path, key string, body any, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			rd = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode, string(raw)
}

func (ts *testServer) waitScan(t *testing.T, id string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var sc map[string]any
		if code, body := ts.call(t, "GET", "/api/v1/scans/"+id, ts.key, nil, &sc); code != 200 {
			t.Fatalf("get scan: %d %s", code, body)
		}
		switch sc["status"] {
		case "done", "failed", "canceled":
			return sc
		}
		if time.Now().After(deadline) {
			t.Fatalf("scan %s still %v", id, sc["status"])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func sleep() { time.Sleep(50 * time.Millisecond) }
