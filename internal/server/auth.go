package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/plumbsec/plumb/internal/store"
)

// keyPrefix marks plumb API keys (and lets secret scanners find leaked ones).
const keyPrefix = "plumb_"

// NewKey returns a fresh API key: 32 random bytes, hex, prefixed.
func NewKey() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return keyPrefix + hex.EncodeToString(b[:])
}

// HashKey is how keys and session cookies are stored. They are 256 random
// bits, so a plain SHA-256 cannot be reversed by guessing; a slow password
// hash would only slow every request down.
func HashKey(k string) string {
	sum := sha256.Sum256([]byte(k))
	return hex.EncodeToString(sum[:])
}

// EnsureAdminKey makes sure the server has an admin key. With envKey
// (PLUMB_API_KEY) it stores that key's hash; otherwise, on a database
// without keys, it generates one and returns it to be shown once.
func EnsureAdminKey(ctx context.Context, st *store.Store, envKey string, now time.Time) (generated string, err error) {
	if envKey != "" {
		if len(envKey) < 20 {
			return "", errors.New("PLUMB_API_KEY is too short: use at least 20 random characters (plumb serve makes one if it is unset)")
		}
		return "", st.PutAPIKey(ctx, &store.APIKey{ID: store.NewID("key"), Name: "admin (PLUMB_API_KEY)", Hash: HashKey(envKey), CreatedAt: now})
	}
	n, err := st.CountAPIKeys(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	k := NewKey()
	return k, st.PutAPIKey(ctx, &store.APIKey{ID: store.NewID("key"), Name: "admin", Hash: HashKey(k), CreatedAt: now})
}

// failLimiter counts failed sign-ins per client address in a sliding
// window; over the limit, the client is refused before its key is checked.
type failLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	fails  map[string][]time.Time
}

func newFailLimiter(limit int, window time.Duration) *failLimiter {
	return &failLimiter{limit: limit, window: window, fails: map[string][]time.Time{}}
}

// blocked reports how long ip must wait (0: not blocked).
func (l *failLimiter) blocked(ip string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.recent(ip, now)
	if len(ts) < l.limit {
		return 0
	}
	return ts[0].Add(l.window).Sub(now)
}

func (l *failLimiter) fail(ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fails[ip] = append(l.recent(ip, now), now)
	if len(l.fails) > 10000 { // bound memory under a spray of addresses
		for k := range l.fails {
			if len(l.recent(k, now)) == 0 {
				delete(l.fails, k)
			}
		}
	}
}

func (l *failLimiter) recent(ip string, now time.Time) []time.Time {
	ts := l.fails[ip]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.window {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, ip)
	} else {
		l.fails[ip] = ts
	}
	return ts
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type ctxKey int

const keyIDCtx ctxKey = 1

// api wraps an API handler with Bearer authentication.
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ip, now := clientIP(r), s.cfg.Now()
		if wait := s.limiter.blocked(ip, now); wait > 0 {
			tooMany(w, wait)
			return
		}
		k, err := s.authenticate(r.Context(), bearer(r), now)
		if err != nil {
			s.limiter.fail(ip, now)
			w.Header().Set("WWW-Authenticate", `Bearer realm="plumb"`)
			writeError(w, http.StatusUnauthorized, "missing or invalid API key (Authorization: Bearer <key>)")
			return
		}
		if !s.reqs.allow(w, "key:"+k.ID, now) {
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), keyIDCtx, k.ID)))
	}
}

func tooMany(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	writeError(w, http.StatusTooManyRequests, "too many failed sign-ins from this address; wait and retry")
}

func bearer(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

var errBadKey = errors.New("invalid API key")

func (s *Server) authenticate(ctx context.Context, key string, now time.Time) (*store.APIKey, error) {
	if !strings.HasPrefix(key, keyPrefix) && len(key) < 20 {
		return nil, errBadKey
	}
	k, err := s.cfg.Store.APIKeyByHash(ctx, HashKey(key))
	if err != nil {
		return nil, errBadKey
	}
	_ = s.cfg.Store.TouchAPIKey(ctx, k.ID, now)
	return k, nil
}

// --- dashboard sessions ---

const (
	sessionCookie = "plumb_session"
	sessionTTL    = 12 * time.Hour
)

// startSession signs the browser in: a random cookie, stored hashed, and
// a CSRF token for its forms.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, k *store.APIKey) error {
	var raw, csrf [32]byte
	_, _ = rand.Read(raw[:])
	_, _ = rand.Read(csrf[:])
	cookie := hex.EncodeToString(raw[:])
	now := s.cfg.Now()
	sess := &store.Session{Hash: HashKey(cookie), KeyID: k.ID, CSRF: hex.EncodeToString(csrf[:]), CreatedAt: now, ExpiresAt: now.Add(sessionTTL)}
	if err := s.cfg.Store.CreateSession(r.Context(), sess); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: cookie, Path: "/", MaxAge: int(sessionTTL.Seconds()),
		HttpOnly: true, Secure: s.cfg.TLS, SameSite: http.SameSiteStrictMode})
	return nil
}

// session returns the request's valid session, if any.
func (s *Server) session(r *http.Request) (*store.Session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || len(c.Value) != 64 {
		return nil, false
	}
	sess, err := s.cfg.Store.GetSession(r.Context(), HashKey(c.Value), s.cfg.Now())
	return sess, err == nil
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = s.cfg.Store.DeleteSession(r.Context(), HashKey(c.Value))
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.cfg.TLS, SameSite: http.SameSiteStrictMode})
}

// sameOrigin rejects cross-site form posts: the browser's Sec-Fetch-Site
// or Origin must say the request came from this site.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" || site == "none"
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		return strings.TrimPrefix(strings.TrimPrefix(o, "https://"), "http://") == r.Host
	}
	return true
}

// checkCSRF verifies a form's token against the session's.
func checkCSRF(r *http.Request, sess *store.Session) bool {
	tok := r.PostFormValue("csrf")
	return sameOrigin(r) && tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(sess.CSRF)) == 1
}
