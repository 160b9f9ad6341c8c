package netx

import (
	"net/http"
	"slices"
	"strings"
	"sync"
)

// WatchedHeaders are the response headers every response is read for:
// the ones that name software, and X-Content-Type-Options, whose absence
// on a response with a body is recorded too. Header checks read what the
// whole scan saw (HeadersSeen), not one response.
var WatchedHeaders = []string{"Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Runtime-Version",
	"X-Generator", "X-Content-Type-Options"}

// absenceWatched are the watched headers whose absence is recorded (on
// 2xx responses with a body: content served as data).
var absenceWatched = map[string]bool{"X-Content-Type-Options": true}

// Absent is the Value of a HeaderSeen that records responses without it.
const Absent = ""

// Bounds of what the scan remembers of headers: distinct (origin, name,
// value) entries, and the requests kept per entry.
const (
	maxSeenEntries = 256
	maxSeenWhere   = 8
)

// HeaderSeen is one value of a watched header on one origin (or its
// absence): how many responses had it and a few of the requests that got
// them — the first few by URL and method, so two scans that saw the same
// responses keep the same ones. Values and URLs are redacted.
type HeaderSeen struct {
	Origin string // scheme://host[:port]
	Name   string // canonical header name
	Value  string // Absent: responses with a body that lacked it
	Count  int
	Where  []SeenAt
}

// SeenAt is one request whose response carried a watched header value.
type SeenAt struct {
	Method string
	URL    string // redacted
	Status int
}

// headerLog aggregates watched headers over a scan, in bounded memory:
// header observations, never bodies.
type headerLog struct {
	mu      sync.Mutex
	entries map[seenKey]*HeaderSeen
	order   []seenKey
}

type seenKey struct{ origin, name, value string }

func (c *Client) noteHeaders(o Origin, method, rurl string, status int, h http.Header, bodyLen int) {
	l := &c.seen
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, name := range WatchedHeaders {
		vs := h.Values(name)
		if len(vs) == 0 && absenceWatched[name] && bodyLen > 0 && status >= 200 && status < 300 {
			vs = []string{Absent}
		}
		for _, v := range vs {
			k := seenKey{o.String(), name, c.redactor.String(strings.TrimSpace(v))}
			e, ok := l.entries[k]
			if !ok {
				if len(l.entries) >= maxSeenEntries {
					continue
				}
				if l.entries == nil {
					l.entries = map[seenKey]*HeaderSeen{}
				}
				e = &HeaderSeen{Origin: k.origin, Name: name, Value: k.value}
				l.entries[k] = e
				l.order = append(l.order, k)
			}
			e.Count++
			e.Where = keepFirst(e.Where, SeenAt{Method: method, URL: rurl, Status: status})
		}
	}
}

// HeadersSeen returns the watched headers every response of the scan (any
// identity) carried so far, in the order first seen.
func (c *Client) HeadersSeen() []HeaderSeen {
	l := &c.seen
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]HeaderSeen, 0, len(l.order))
	for _, k := range l.order {
		e := *l.entries[k]
		e.Where = slices.Clone(e.Where)
		out = append(out, e)
	}
	return out
}

// keepFirst adds at to where, keeping the maxSeenWhere first by URL and
// method, each request once.
func keepFirst(where []SeenAt, at SeenAt) []SeenAt {
	less := func(a, b SeenAt) int {
		if c := strings.Compare(a.URL, b.URL); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	}
	i, found := slices.BinarySearchFunc(where, at, less)
	if found {
		return where
	}
	if i >= maxSeenWhere {
		return where
	}
	where = slices.Insert(where, i, at)
	if len(where) > maxSeenWhere {
		where = where[:maxSeenWhere]
	}
	return where
}
