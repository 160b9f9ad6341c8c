package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/store/pgtest"
)

// stopsPostgres stops the test Postgres cluster after the tests.
type stopsPostgres struct{ m *testing.M }

func (s stopsPostgres) Run() int { return pgtest.Main(s.m) }

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// loopLab is a lab with a switchable site, https://switch.fix.test: it
// lacks X-Content-Type-Options until fixed is set.
type loopLab struct {
	*lab.World
	fixed atomic.Bool
	ca    string
}

func startLoopLab(t *testing.T, extra ...lab.Site) *loopLab {
	t.Helper()
	zone, err := lab.ParseZone("fix.test.", "@ 300 IN SOA ns1.fix.test. h.fix.test. 1 3600 600 86400 60",
		"switch A 127.0.0.1", "slow A 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	sl := &loopLab{}
	sw := lab.Site{Host: "switch.fix.test", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sl.fixed.Load() {
			w.Header().Set("X-Content-Type-Options", "nosniff")
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	})}
	sl.World = labtest.Start(t, lab.Options{ExtraZones: []lab.Zone{zone}, ExtraSites: append([]lab.Site{sw}, extra...)})
	sl.ca = filepath.Join(t.TempDir(), "lab-ca.pem")
	if err := os.WriteFile(sl.ca, sl.CACertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return sl
}

// netArgs point plumb serve's scans and watches at the lab.
func (sl *loopLab) netArgs() []string {
	args := []string{"--resolver", sl.DNSAddr, "--cacert", sl.ca, "--dns-root", sl.RootAddr, "--dns-authority-port", sl.AuthorityPort}
	for _, c := range sl.ConnectTo {
		args = append(args, "--connect-to", c)
	}
	return args
}

const testAPIKey = "plumb_test_admin_key_0123456789abcdef"

// served is a plumb serve running in this process.
type served struct {
	url    string
	stderr *syncBuf
	cancel context.CancelFunc
	done   chan int
	client *http.Client
}

var listening = regexp.MustCompile(`plumb serve: (https?://[0-9.:]+) `)

// startServe runs `plumb serve args...` in-process (on 127.0.0.1:0) with
// PLUMB_API_KEY set, and waits until it listens.
func startServe(t *testing.T, env map[string]string, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{stderr: &syncBuf{}, cancel: cancel, done: make(chan int, 1), client: &http.Client{Timeout: 30 * time.Second}}
	lookup := func(k string) (string, bool) {
		if k == "PLUMB_API_KEY" {
			return testAPIKey, true
		}
		v, ok := env[k]
		return v, ok
	}
	go func() {
		s.done <- run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), &Streams{In: strings.NewReader(""), Out: io.Discard, Err: s.stderr, LookupEnv: lookup})
	}()
	t.Cleanup(func() { s.stop(t) })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := listening.FindStringSubmatch(s.stderr.String()); m != nil {
			s.url = m[1]
			return s
		}
		select {
		case code := <-s.done:
			t.Fatalf("plumb serve exited %d:\n%s", code, s.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("plumb serve did not start:\n%s", s.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *served) stop(t *testing.T) {
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case code := <-s.done:
		if code != 0 {
			t.Errorf("plumb serve exited %d:\n%s", code, s.stderr.String())
		}
	case <-time.After(90 * time.Second):
		t.Error("plumb serve did not stop")
	}
}

// api calls the API with the admin key and decodes the answer into out.
func (s *served) api(t testing.TB, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+testAPIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode
}

type apiScan struct {
	ID, Status, Grade, Error, Note, Cause string
	Attempt, Score, Findings, Critical    int
	Report                                json.RawMessage
}

// pollUntil polls until cond holds (or fails the test after limit).
func pollUntil(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *served) scans(t testing.TB, targetID string) []apiScan {
	var out struct{ Scans []apiScan }
	if code := s.api(t, "GET", "/api/v1/targets/"+targetID+"/scans", nil, &out); code != 200 {
		t.Fatalf("list scans: %d", code)
	}
	return out.Scans
}

func (s *served) waitScan(t testing.TB, id string) apiScan {
	t.Helper()
	var sc apiScan
	pollUntil(t, 2*time.Minute, "scan "+id, func() bool {
		s.api(t, "GET", "/api/v1/scans/"+id, nil, &sc)
		return sc.Status == "done" || sc.Status == "failed" || sc.Status == "canceled"
	})
	return sc
}
