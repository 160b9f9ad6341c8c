package netx

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/plumbsec/plumb/internal/finding"
)

// maxExcerpt is the longest body excerpt kept as evidence.
const maxExcerpt = 2 << 10

// Exchange is one entry of the request log; URL and Err are redacted.
type Exchange struct {
	Time            time.Time
	Method          string
	URL             string
	Status          int
	Duration        time.Duration
	Err             string
	CredentialsSent bool
}

// requestLog keeps the last n exchanges.
type requestLog struct {
	mu    sync.Mutex
	buf   []Exchange
	next  int
	total int
}

func newRequestLog(n int) *requestLog {
	return &requestLog{buf: make([]Exchange, 0, min(n, 1024)), next: 0, total: n}
}

func (l *requestLog) add(e Exchange) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) < l.total {
		l.buf = append(l.buf, e)
		return
	}
	l.buf[l.next] = e
	l.next = (l.next + 1) % l.total
}

func (l *requestLog) list() []Exchange {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Exchange, 0, len(l.buf))
	out = append(out, l.buf[l.next:]...)
	return append(out, l.buf[:l.next]...)
}

// Exchanges returns the request log, oldest first (the last 10,000).
func (c *Client) Exchanges() []Exchange { return c.log.list() }

// Stats summarises a client's traffic.
type Stats struct {
	Requests        int64            // requests sent (each redirect hop counts)
	Errors          int64            // Do calls that failed
	BudgetExhausted bool             // a request was refused for lack of budget
	Refused         int64            // requests the Guard refused (never sent)
	BodyBytes       int64            // response body bytes kept, after decompression
	PerHost         map[string]int64 // requests sent per host:port
}

type statsRec struct {
	errors atomic.Int64
	bytes  atomic.Int64
	mu     sync.Mutex
	hosts  map[string]int64
}

func (s *statsRec) countHost(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hosts == nil {
		s.hosts = make(map[string]int64)
	}
	s.hosts[key]++
}

// Stats returns a snapshot of the client's counters.
func (c *Client) Stats() Stats {
	st := Stats{
		Requests:        c.sent.Load(),
		Errors:          c.stats.errors.Load(),
		BudgetExhausted: c.exhausted.Load(),
		BodyBytes:       c.stats.bytes.Load(),
		Refused:         c.guard.refused.Load(),
		PerHost:         make(map[string]int64),
	}
	c.stats.mu.Lock()
	for k, v := range c.stats.hosts {
		st.PerHost[k] = v
	}
	c.stats.mu.Unlock()
	return st
}

// Evidence renders an exchange as redacted evidence: the final hop's
// request headers as sent, the response headers and a body excerpt of at
// most 2 KiB. resp may be nil (failed request).
func (c *Client) Evidence(req *Request, resp *Response, err error) finding.HTTPExchange {
	r := c.redactor
	ex := finding.HTTPExchange{Method: strings.ToUpper(req.Method), URL: r.URL(req.URL), RequestHeaders: headerMap(r.Header(req.Header))}
	if ex.Method == "" {
		ex.Method = http.MethodGet
	}
	if resp != nil {
		ex.Method, ex.URL = resp.method, r.URL(resp.URL)
		if resp.sent != nil {
			ex.RequestHeaders = headerMap(r.Header(resp.sent))
		}
		ex.Status = resp.StatusCode
		ex.Headers = headerMap(r.Header(resp.Header))
		ex.Body = c.excerpt(resp.Body)
	}
	if err != nil {
		ex.Error = r.String(err.Error())
	}
	return ex
}

// excerpt redacts a window a little longer than the excerpt, so a secret
// straddling the cut is still masked, then cuts at a rune boundary.
func (c *Client) excerpt(body []byte) string {
	win := body[:min(len(body), maxExcerpt+c.redactor.window())]
	s := c.redactor.String(strings.ToValidUTF8(string(win), "\uFFFD"))
	if len(s) <= maxExcerpt {
		return s
	}
	cut := maxExcerpt
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func headerMap(h http.Header) map[string][]string {
	if len(h) == 0 {
		return nil
	}
	return map[string][]string(h)
}
