package cli

import (
	"bufio"
	"context"
	"database/sql"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/store"
	"github.com/plumbsec/plumb/internal/store/pgtest"
)

// slowSite serves https://slow.fix.test after delay (until the client
// goes away): a scan of it is "mid-scan" for as long as the test wants.
func slowSite(delay *atomic.Int64) lab.Site {
	return lab.Site{Host: "slow.fix.test", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(time.Duration(delay.Load())):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	})}
}

// proc is plumb running as its own process (this test binary as plumb-bin).
type proc struct {
	cmd    *exec.Cmd
	stderr *syncBuf
	url    string
	done   chan error
}

func startProc(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command("plumb-bin", args...)
	cmd.Env = append(os.Environ(), append(env, "PLUMB_API_KEY="+testAPIKey)...)
	p := &proc{cmd: cmd, stderr: &syncBuf{}, done: make(chan error, 1)}
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			_, _ = p.stderr.Write(append(sc.Bytes(), '\n'))
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() { p.kill() })
	if args[0] != "serve" {
		pollUntil(t, 30*time.Second, "plumb worker to start", func() bool { return strings.Contains(p.stderr.String(), "plumb worker: working") })
		return p
	}
	pollUntil(t, 30*time.Second, "plumb serve to listen", func() bool {
		m := listening.FindStringSubmatch(p.stderr.String())
		if m != nil {
			p.url = m[1]
		}
		return m != nil
	})
	return p
}

// kill -9s the process and waits for it to die.
func (p *proc) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	if err := <-p.done; err == nil {
		p.stderr.Write([]byte("(exited on its own before the kill)\n")) //nolint:errcheck // a buffer
	}
}

func (p *proc) client() *served {
	return &served{url: p.url, stderr: p.stderr, client: &http.Client{Timeout: 30 * time.Second}}
}

// faultArgs keep a scan short and, on Postgres, a dead worker's job quick
// to rescue.
func faultArgs(sl *loopLab) []string {
	return append(sqliteFaultArgs(sl), "--rescue-after", "9s")
}

// sqliteFaultArgs leave --rescue-after at its default (minutes): on
// SQLite a dead process's jobs are rescued when the next one starts.
func sqliteFaultArgs(sl *loopLab) []string {
	return append(sl.netArgs(), "--allow-private-targets", "--tick", "200ms", "--scan-timeout", "4s")
}

// runSlowScan adds https://slow.fix.test as a target, starts a scan of it
// and waits until the scan runs; it returns the scan's id.
func runSlowScan(t *testing.T, s *served) string {
	t.Helper()
	var tg, sc struct{ ID string }
	s.api(t, "POST", "/api/v1/targets", map[string]any{"url": "https://slow.fix.test", "options": map[string]any{"rate": 500}}, &tg)
	s.api(t, "POST", "/api/v1/targets/"+tg.ID+"/scans", nil, &sc)
	pollUntil(t, time.Minute, "the scan to run", func() bool {
		var got apiScan
		s.api(t, "GET", "/api/v1/scans/"+sc.ID, nil, &got)
		return got.Status == "running"
	})
	return sc.ID
}

// kill -9 of plumb serve mid-scan loses nothing: the next start rescues
// the job at once (not after --rescue-after), retries it to the end and
// says so on the scan; the target's next scan is not stuck behind it; a
// second plumb serve on the same file is refused; the SQLite file is intact.
func TestServeKill9MidScanSQLite(t *testing.T) {
	t.Parallel()
	var delay atomic.Int64
	delay.Store(int64(time.Minute))
	sl := startLoopLab(t, slowSite(&delay))
	dbPath := filepath.Join(t.TempDir(), "plumb.db")
	args := append([]string{"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:" + dbPath}, sqliteFaultArgs(sl)...)
	first := startProc(t, nil, args...)
	s := first.client()
	id := runSlowScan(t, s)
	var running struct {
		TargetID string `json:"target_id"`
	}
	s.api(t, "GET", "/api/v1/scans/"+id, nil, &running)
	var next struct{ ID string }
	s.api(t, "POST", "/api/v1/targets/"+running.TargetID+"/scans", nil, &next)
	first.kill()
	delay.Store(0)

	second := startProc(t, nil, args...)
	s = second.client()
	// The default --rescue-after is over 5 minutes; waitScan gives up after 2.
	done := s.waitScan(t, id)
	if done.Status != "done" || done.Attempt != 2 || !strings.Contains(done.Note, "attempt 2 of 3") || !strings.Contains(done.Note, "interrupted") {
		t.Fatalf("after kill -9 and restart: %s on attempt %d (%q, %q), want done on attempt 2, noted as interrupted", done.Status, done.Attempt, done.Note, done.Error)
	}
	if after := s.waitScan(t, next.ID); after.Status != "done" {
		t.Fatalf("the target's next scan after the restart: %s (%q, %q)", after.Status, after.Note, after.Error)
	}
	third := exec.Command("plumb-bin", args...)
	third.Env = append(os.Environ(), "PLUMB_API_KEY="+testAPIKey)
	out, err := third.CombinedOutput()
	if code := third.ProcessState.ExitCode(); code != ExitScan || !strings.Contains(string(out), "another plumb serve") {
		t.Fatalf("a second plumb serve on the same SQLite file: exit %d (%v), want %d and why:\n%s", code, err, ExitScan, out)
	}
	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-second.done; err != nil {
		t.Fatalf("plumb serve on SIGTERM: %v\n%s", err, second.stderr.String())
	}
	db, err := sql.Open("sqlite", "file:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity check after kill -9: %q %v", check, err)
	}
}

// SIGTERM mid-scan: plumb serve stops within its grace period, the scan
// goes back to the queue without using an attempt, and the next start
// finishes it.
func TestServeSIGTERMRequeues(t *testing.T) {
	t.Parallel()
	var delay atomic.Int64
	delay.Store(int64(time.Minute))
	sl := startLoopLab(t, slowSite(&delay))
	args := append([]string{"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:" + filepath.Join(t.TempDir(), "plumb.db"), "--shutdown-grace", "300ms"}, faultArgs(sl)...)
	first := startProc(t, nil, args...)
	s := first.client()
	id := runSlowScan(t, s)
	if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-first.done; err != nil {
		t.Fatalf("plumb serve on SIGTERM: %v\n%s", err, first.stderr.String())
	}
	delay.Store(0)
	second := startProc(t, nil, args...)
	done := second.client().waitScan(t, id)
	if done.Status != "done" || done.Attempt != 1 {
		t.Fatalf("after SIGTERM and restart: %s on attempt %d (%q)", done.Status, done.Attempt, done.Error)
	}
}

// On Postgres, kill -9 of the worker running a scan: the other worker
// rescues the job and finishes it.
func TestWorkerKill9MidScanPostgres(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	var delay atomic.Int64
	delay.Store(int64(time.Minute))
	sl := startLoopLab(t, slowSite(&delay))
	env := []string{"PLUMB_SECRET_KEY=" + strings.Repeat("5a", 32)}
	api := startProc(t, env, append([]string{"serve", "--listen", "127.0.0.1:0", "--db", dsn, "--no-worker"}, faultArgs(sl)...)...)
	workers := map[int]*proc{}
	for range 2 {
		w := startProc(t, env, append([]string{"worker", "--db", dsn}, faultArgs(sl)...)...)
		workers[w.cmd.Process.Pid] = w
	}
	s := api.client()
	id := runSlowScan(t, s)
	victim := runningWorker(t, dsn, id, workers)
	victim.kill()
	delay.Store(0)
	done := s.waitScan(t, id)
	if done.Status != "done" || done.Attempt != 2 || !strings.Contains(done.Note, "interrupted") {
		t.Fatalf("after kill -9 of its worker: %s on attempt %d (%q, %q), want done on attempt 2, noted as interrupted", done.Status, done.Attempt, done.Note, done.Error)
	}
}

// runningWorker finds the worker process whose River client attempted the
// scan's job (client ids carry the process id).
func runningWorker(t *testing.T, dsn, scanID string, workers map[int]*proc) *proc {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sc, err := st.GetScan(context.Background(), scanID, false)
	if err != nil {
		t.Fatal(err)
	}
	var by []string
	if err := st.Pool().QueryRow(context.Background(), "SELECT attempted_by FROM river_job WHERE id = $1", sc.JobID).Scan(&by); err != nil {
		t.Fatal(err)
	}
	for pid, w := range workers {
		for _, id := range by {
			if strings.Contains(id, "-"+strconv.Itoa(pid)+"-") {
				return w
			}
		}
	}
	t.Fatalf("no worker process ran job %d (attempted by %v)", sc.JobID, by)
	return nil
}
