package lab

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

const collectorHost = "collector.evil.test"

// CallbackURL is the collector as an out-of-band listener for --callback-url:
// it answers GET /plumb/interactions/ID with what reached it.
const CallbackURL = "https://" + collectorHost

// RecordedRequest is one request that reached the attacker's collector.
type RecordedRequest struct {
	Time   time.Time
	TLS    bool
	Host   string
	Method string
	Path   string // path and query as sent
	Header http.Header
	Body   []byte // first 64 KiB
}

// Collector plays the attacker's server: it records every request and
// answers 200 "ok". Tests read it to prove credentials never arrive.
type Collector struct {
	mu   sync.Mutex
	reqs []RecordedRequest
}

const collectorBodyCap = 64 << 10

func (c *Collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c.serveInteractions(w, r) {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, collectorBodyCap))
	rec := RecordedRequest{
		Time:   time.Now(),
		TLS:    r.TLS != nil,
		Host:   r.Host,
		Method: r.Method,
		Path:   r.URL.RequestURI(),
		Header: r.Header.Clone(),
		Body:   body,
	}
	c.mu.Lock()
	c.reqs = append(c.reqs, rec)
	c.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "ok")
}

// Requests returns a copy of everything recorded so far, oldest first.
func (c *Collector) Requests() []RecordedRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := slices.Clone(c.reqs)
	for i := range out {
		out[i].Header = out[i].Header.Clone()
		out[i].Body = slices.Clone(out[i].Body)
	}
	return out
}

// Reset forgets every recorded request.
func (c *Collector) Reset() {
	c.mu.Lock()
	c.reqs = nil
	c.mu.Unlock()
}

// Saw reports whether any recorded request carried secret anywhere in its
// path, headers or body.
func (c *Collector) Saw(secret string) bool {
	if secret == "" {
		return false
	}
	for _, r := range c.Requests() {
		if strings.Contains(r.Path, secret) || strings.Contains(string(r.Body), secret) {
			return true
		}
		for _, vs := range r.Header {
			for _, v := range vs {
				if strings.Contains(v, secret) {
					return true
				}
			}
		}
	}
	return false
}
