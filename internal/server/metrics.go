package server

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// httpMetrics counts this process's HTTP responses by status class.
type httpMetrics struct {
	mu       sync.Mutex
	byClass  map[string]int64
	seconds  float64
	inflight int64
}

func newHTTPMetrics() *httpMetrics { return &httpMetrics{byClass: map[string]int64{}} }

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (m *httpMetrics) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.mu.Lock()
		m.inflight++
		m.mu.Unlock()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			class := strconv.Itoa(max(sw.status, 200)/100) + "xx"
			m.mu.Lock()
			m.inflight--
			m.byClass[class]++
			m.seconds += time.Since(start).Seconds()
			m.mu.Unlock()
		}()
		next.ServeHTTP(sw, r)
	})
}

// serveMetrics writes Prometheus text exposition. Job, scan and delivery
// figures come from the database, so they cover every worker.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st := s.cfg.Store
	jobs, err := st.JobCounts(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	scans, err := st.ScanStats(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	deliveries, failedAttempts, err := st.DeliveryStats(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	p := &promWriter{w: w}
	p.help("plumb_jobs", "gauge", "River jobs by kind and state.")
	for _, j := range jobs {
		p.sample("plumb_jobs", fmt.Sprintf(`kind=%q,state=%q`, j.Kind, j.State), float64(j.N))
	}
	p.help("plumb_scans", "gauge", "Scans by status.")
	for _, k := range slices.Sorted(maps.Keys(scans.ByStatus)) {
		p.sample("plumb_scans", fmt.Sprintf(`status=%q`, k), float64(scans.ByStatus[k]))
	}
	p.help("plumb_scan_duration_seconds", "summary", "Duration of completed scans.")
	p.sample("plumb_scan_duration_seconds_sum", "", float64(scans.DurationMSSum)/1000)
	p.sample("plumb_scan_duration_seconds_count", "", float64(scans.ByStatus["done"]))
	p.help("plumb_scan_requests_total", "counter", "HTTP requests sent by scans that ended.")
	p.sample("plumb_scan_requests_total", "", float64(scans.Requests))
	p.help("plumb_webhook_deliveries", "gauge", "Webhook deliveries by status.")
	for _, k := range slices.Sorted(maps.Keys(deliveries)) {
		p.sample("plumb_webhook_deliveries", fmt.Sprintf(`status=%q`, k), float64(deliveries[k]))
	}
	p.help("plumb_webhook_failed_attempts_total", "counter", "Webhook delivery attempts that failed.")
	p.sample("plumb_webhook_failed_attempts_total", "", float64(failedAttempts))
	s.metrics.write(p)
}

func (m *httpMetrics) write(p *promWriter) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p.help("plumb_http_responses_total", "counter", "HTTP responses of this process by status class.")
	for _, k := range slices.Sorted(maps.Keys(m.byClass)) {
		p.sample("plumb_http_responses_total", fmt.Sprintf(`code=%q`, k), float64(m.byClass[k]))
	}
	p.help("plumb_http_request_seconds_total", "counter", "Time spent serving HTTP requests.")
	p.sample("plumb_http_request_seconds_total", "", m.seconds)
	p.help("plumb_http_inflight_requests", "gauge", "HTTP requests being served.")
	p.sample("plumb_http_inflight_requests", "", float64(m.inflight))
}

type promWriter struct{ w io.Writer }

func (p *promWriter) help(name, typ, text string) {
	fmt.Fprintf(p.w, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, typ)
}

func (p *promWriter) sample(name, labels string, v float64) {
	if labels != "" {
		name += "{" + labels + "}"
	}
	fmt.Fprintf(p.w, "%s %s\n", name, strconv.FormatFloat(v, 'g', -1, 64))
}
