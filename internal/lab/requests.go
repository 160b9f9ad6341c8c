package lab

import (
	"net/http"
	"slices"
	"sync"
)

// MethodRecord is one request a lab API received: the method and path.
type MethodRecord struct {
	Method string
	Path   string
}

// RequestLog records the method and path of every request a lab API
// receives, so tests can prove what a scan sent (e.g. no write without
// --allow-writes).
type RequestLog struct {
	mu   sync.Mutex
	recs []MethodRecord
}

func (l *RequestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		if len(l.recs) < 100000 {
			l.recs = append(l.recs, MethodRecord{Method: r.Method, Path: r.URL.Path})
		}
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// Records returns every request received so far, oldest first.
func (l *RequestLog) Records() []MethodRecord {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.recs)
}

// Reset forgets every record.
func (l *RequestLog) Reset() {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.recs = nil
	l.mu.Unlock()
}
