package lab

import (
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// owaspRoutes: the search without the SQL error (bound parameters, length
// limit) and the catalogue with a clamped page size; TRACE and undeclared
// methods fall to the 404 catch-all.
func (c *cleanShop) owaspRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/search", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		if len(q) > 100 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_query"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"books": searchBooks(q)})
	})
	mux.HandleFunc("GET /api/v1/support/tickets", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"tickets": []ticket{
			{ID: 1, Subject: "Refund", Message: "Refund requested for the card ending 1111."},
			{ID: 2, Subject: "Tax form", Message: "Tax form received."},
			{ID: 3, Subject: "Build broken", Message: "Deploy credentials rotated."},
		}})
	})
	mux.HandleFunc("GET /api/v1/catalog/legacy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Sunset", "Wed, 31 Dec 2025 23:59:59 GMT")
		writeJSON(w, http.StatusGone, map[string]string{"error": "gone", "use": "/api/v1/catalog"})
	})
	// The preview fetches only from the shop's own docs host (allow-list)
	// and would never forward the caller's token; here it just refuses.
	mux.HandleFunc("GET /api/v1/preview", c.requireToken(func(w http.ResponseWriter, r *http.Request, _ string) {
		u, err := url.Parse(r.URL.Query().Get("url"))
		if err != nil || u.Scheme != "https" || u.Hostname() != cleanDocsHost {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "url_not_allowed"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"preview": ""})
	}))
	mux.HandleFunc("GET /api/v1/catalog", func(w http.ResponseWriter, r *http.Request) {
		limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
		if err != nil || limit < 1 {
			limit = 20
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": catalogPage(min(limit, 100))})
	})
}

// rateLimiter is the clean twin's fixed-window limit, announced with the
// RateLimit headers on every response. The window is generous: the lab's
// own scans must never hit it.
type rateLimiter struct {
	mu    sync.Mutex
	start time.Time
	n     int
}

const cleanRateLimit = 5000

func (l *rateLimiter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		if now := time.Now(); now.Sub(l.start) > time.Minute {
			l.start, l.n = now, 0
		}
		l.n++
		left := max(0, cleanRateLimit-l.n)
		reset := int(time.Until(l.start.Add(time.Minute)).Seconds()) + 1
		l.mu.Unlock()
		w.Header().Set("RateLimit-Limit", strconv.Itoa(cleanRateLimit))
		w.Header().Set("RateLimit-Remaining", strconv.Itoa(left))
		w.Header().Set("RateLimit-Reset", strconv.Itoa(reset))
		if left == 0 {
			w.Header().Set("Retry-After", strconv.Itoa(reset))
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "rate_limited"})
			return
		}
		h.ServeHTTP(w, r)
	})
}
