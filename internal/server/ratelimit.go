package server

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// reqLimiter is a token bucket per client: per API key on the API, per
// address elsewhere. Every answer says where the client stands
// (RateLimit-Limit, -Remaining, -Reset); over the limit it is a 429 with
// Retry-After.
type reqLimiter struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	buckets map[string]*rate.Limiter
}

func newReqLimiter(perSecond float64) *reqLimiter {
	if perSecond <= 0 {
		return nil // unlimited
	}
	return &reqLimiter{rate: rate.Limit(perSecond), burst: max(1, int(perSecond*2)), buckets: map[string]*rate.Limiter{}}
}

// allow takes a token for client and writes the RateLimit headers; it
// answers 429 and returns false when there is none.
func (l *reqLimiter) allow(w http.ResponseWriter, client string, now time.Time) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	b, ok := l.buckets[client]
	if !ok {
		if len(l.buckets) > 10000 { // forget idle clients (their buckets are full again anyway)
			for k, v := range l.buckets {
				if v.TokensAt(now) >= float64(l.burst) {
					delete(l.buckets, k)
				}
			}
		}
		b = rate.NewLimiter(l.rate, l.burst)
		l.buckets[client] = b
	}
	ok = b.AllowN(now, 1)
	left := b.TokensAt(now)
	l.mu.Unlock()
	h := w.Header()
	h.Set("RateLimit-Limit", strconv.Itoa(l.burst))
	h.Set("RateLimit-Remaining", strconv.Itoa(int(math.Max(0, math.Floor(left)))))
	h.Set("RateLimit-Reset", strconv.Itoa(int(math.Ceil((float64(l.burst)-left)/float64(l.rate)))))
	if !ok {
		wait := time.Duration(math.Ceil((1-left)/float64(l.rate)*1000)) * time.Millisecond
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		writeError(w, http.StatusTooManyRequests, "rate limit exceeded; slow down")
		return false
	}
	return true
}

// limitByAddress applies the per-address limit to non-API routes.
func (s *Server) limitByAddress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.reqs.allow(w, "addr:"+clientIP(r), s.cfg.Now()) {
			return
		}
		next.ServeHTTP(w, r)
	})
}
