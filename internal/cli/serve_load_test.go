package cli

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/store"
	"github.com/plumbsec/plumb/internal/store/pgtest"
)

// Load of plumb serve (run with PLUMB_LOAD=1; the numbers go to the test
// log): 50 API clients at once while 20 scans of the lab queue and run,
// on SQLite; the same 20 scans shared by two workers on Postgres.
//
//	PLUMB_LOAD=1 go test ./internal/cli -run TestServeLoad -v
func TestServeLoadSQLite(t *testing.T) {
	if os.Getenv("PLUMB_LOAD") == "" {
		t.Skip("set PLUMB_LOAD=1 to run the load test")
	}
	sl := startLoopLab(t)
	s := startServe(t, nil, append(sl.netArgs(), "--db", "sqlite:"+filepath.Join(t.TempDir(), "plumb.db"), "--allow-private-targets",
		"--workers", "4", "--rate-limit", "0")...)
	runLoad(t, s, sl, "sqlite")
}

func TestServeLoadPostgresTwoWorkers(t *testing.T) {
	if os.Getenv("PLUMB_LOAD") == "" {
		t.Skip("set PLUMB_LOAD=1 to run the load test")
	}
	dsn := pgtest.DSN(t)
	sl := startLoopLab(t)
	env := map[string]string{"PLUMB_SECRET_KEY": strings.Repeat("6b", 32)}
	s := startServe(t, env, append(sl.netArgs(), "--db", dsn, "--allow-private-targets", "--no-worker", "--rate-limit", "0")...)
	for range 2 {
		startWorker(t, env, append(sl.netArgs(), "--db", dsn, "--allow-private-targets", "--workers", "2")...)
	}
	runLoad(t, s, sl, "postgres")
	perWorker := jobsPerWorker(t, dsn)
	t.Logf("postgres: scans per worker: %v", perWorker)
	if len(perWorker) != 2 {
		t.Errorf("%d workers ran scans, want both", len(perWorker))
	}
}

// startWorker runs `plumb worker` in this process until the test ends.
func startWorker(t *testing.T, env map[string]string, args ...string) {
	ctx, cancel := context.WithCancel(context.Background())
	errb := &syncBuf{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"worker"}, args...), &Streams{In: strings.NewReader(""), Out: errb, Err: errb,
			LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("worker exited %d: %s", code, errb.String())
		}
	})
	pollUntil(t, 30*time.Second, "the worker", func() bool { return strings.Contains(errb.String(), "plumb worker: working") })
}

func jobsPerWorker(t *testing.T, dsn string) map[string]int {
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Pool().Query(context.Background(), "SELECT attempted_by[array_length(attempted_by, 1)], count(*) FROM river_job WHERE kind = 'plumb.scan' GROUP BY 1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		out[id] = n
	}
	return out
}

type loadStats struct {
	mu        sync.Mutex
	latencies []time.Duration
	errors    map[string]int
}

func (l *loadStats) record(d time.Duration, err string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.latencies = append(l.latencies, d)
	if err != "" {
		l.errors[err]++
	}
}

// runLoad queues 20 scans of three lab APIs, then runs 50 API clients
// (100 requests each: lists, gets, a target created and deleted) while
// the scans run, sampling the heap; it fails on any error.
func runLoad(t *testing.T, s *served, sl *loopLab, db string) {
	targets := []map[string]any{
		{"name": "vulnshop", "url": sl.Vuln.BaseURL, "credentials": map[string]any{"bearer": sl.Vuln.Token, "bearer_b": sl.Vuln.TokenB}, "options": map[string]any{"rate": 500}},
		{"name": "cleanshop", "url": sl.Clean.BaseURL, "credentials": map[string]any{"bearer": sl.Clean.Token, "bearer_b": sl.Clean.TokenB}, "options": map[string]any{"rate": 500}},
		{"name": "switch", "url": "https://switch.fix.test", "options": map[string]any{"rate": 500}},
	}
	var ids []string
	for _, tg := range targets {
		var out struct{ ID string }
		if code := s.api(t, "POST", "/api/v1/targets", tg, &out); code != 201 {
			t.Fatalf("create target: %d", code)
		}
		ids = append(ids, out.ID)
	}
	start := time.Now()
	var scanIDs []string
	for i := range 20 {
		var out struct{ ID string }
		if code := s.api(t, "POST", "/api/v1/targets/"+ids[i%3]+"/scans", nil, &out); code != 202 {
			t.Fatalf("queue scan: %d", code)
		}
		scanIDs = append(scanIDs, out.ID)
	}
	var peak atomic.Uint64
	stopSampling := sampleHeap(&peak)
	stats := apiClients(t, s, ids, scanIDs, 50, 100)
	apiTime := time.Since(start)
	for _, id := range scanIDs {
		if sc := s.waitScan(t, id); sc.Status != "done" {
			t.Errorf("scan %s: %s %s", id, sc.Status, sc.Error)
		}
	}
	drained := time.Since(start)
	stopSampling()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	reportLoad(t, db, stats, apiTime, drained, peak.Load(), ms.HeapInuse)
	if len(stats.errors) > 0 {
		t.Errorf("API errors under load: %v", stats.errors)
	}
	if peak.Load() > 1<<30 {
		t.Errorf("heap peaked at %d MiB", peak.Load()>>20)
	}
}

func sampleHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done) }
}

func apiClients(t *testing.T, s *served, targetIDs, scanIDs []string, clients, each int) *loadStats {
	stats := &loadStats{errors: map[string]int{}}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	c := &served{url: s.url, client: hc}
	var wg sync.WaitGroup
	for n := range clients {
		wg.Go(func() {
			for i := range each {
				method, path, body := "GET", "/api/v1/targets", any(nil)
				switch i % 5 {
				case 1:
					path = "/api/v1/targets/" + targetIDs[(n+i)%len(targetIDs)]
				case 2:
					path = "/api/v1/scans/" + scanIDs[(n+i)%len(scanIDs)]
				case 3:
					path = "/api/v1/targets/" + targetIDs[(n+i)%len(targetIDs)] + "/scans"
				case 4:
					method, path, body = "POST", "/api/v1/dns-watches", map[string]any{"names": []string{fmt.Sprintf("n%d-%d.example.test", n, i)}, "schedule": "@every 24h", "options": map[string]any{"no_http": true}}
				}
				t0 := time.Now()
				code := c.api(t, method, path, body, nil)
				errs := ""
				if code >= 300 {
					errs = fmt.Sprintf("%s %s: %d", method, strings.SplitN(path, "/", 5)[3], code)
				}
				stats.record(time.Since(t0), errs)
			}
		})
	}
	wg.Wait()
	return stats
}

func reportLoad(t *testing.T, db string, st *loadStats, apiTime, drained time.Duration, peak, after uint64) {
	l := slices.Clone(st.latencies)
	slices.Sort(l)
	pct := func(p float64) time.Duration { return l[int(float64(len(l)-1)*p)] }
	t.Logf("%s: %d API requests from 50 clients in %s (%.0f req/s), latency p50 %s p95 %s p99 %s max %s, %d errors",
		db, len(l), apiTime.Round(time.Millisecond), float64(len(l))/apiTime.Seconds(), pct(.5).Round(time.Microsecond),
		pct(.95).Round(time.Microsecond), pct(.99).Round(time.Microsecond), l[len(l)-1].Round(time.Microsecond), len(st.errors))
	t.Logf("%s: 20 queued scans of the lab done %s after queueing; heap peak %d MiB, %d MiB in use after GC",
		db, drained.Round(time.Millisecond), peak>>20, after>>20)
}

// Two workers on Postgres share the jobs: scans of three hosts, one at a
// time per worker, the slow one holding its worker, so both must work.
func TestWorkersShareJobsPostgres(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	var delay atomic.Int64
	delay.Store(int64(200 * time.Millisecond))
	sl := startLoopLab(t, slowSite(&delay))
	env := map[string]string{"PLUMB_SECRET_KEY": strings.Repeat("7c", 32)}
	s := startServe(t, env, append(sl.netArgs(), "--db", dsn, "--allow-private-targets", "--no-worker")...)
	for range 2 {
		startWorker(t, env, append(sl.netArgs(), "--db", dsn, "--allow-private-targets", "--workers", "1")...)
	}
	var scans []string
	for _, u := range []string{"https://slow.fix.test", "https://switch.fix.test", sl.Clean.BaseURL} {
		var tg, sc struct{ ID string }
		s.api(t, "POST", "/api/v1/targets", map[string]any{"url": u, "options": map[string]any{"rate": 500}}, &tg)
		for range 2 {
			s.api(t, "POST", "/api/v1/targets/"+tg.ID+"/scans", nil, &sc)
			scans = append(scans, sc.ID)
		}
	}
	for _, id := range scans {
		if sc := s.waitScan(t, id); sc.Status != "done" {
			t.Errorf("scan %s: %s %s", id, sc.Status, sc.Error)
		}
	}
	if per := jobsPerWorker(t, dsn); len(per) != 2 {
		t.Errorf("scans per worker %v: want both workers used", per)
	}
}
