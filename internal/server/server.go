// Package server is plumb serve's HTTP side: the JSON API under /api/v1
// (API keys, stored hashed), the dashboard (server-rendered, sessions with
// CSRF-protected forms, no external assets), /healthz and /metrics. It
// validates what users submit — targets, webhooks and resolvers on private
// addresses are refused unless the operator allows them — and hands the
// work to the jobs runner.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/plumbsec/plumb/internal/jobs"
	"github.com/plumbsec/plumb/internal/seal"
	"github.com/plumbsec/plumb/internal/store"
)

// Config configures a Server.
type Config struct {
	Store  *store.Store
	Runner *jobs.Runner // inserts jobs (and runs them, unless --no-worker)
	Box    *seal.Box    // seals credentials and webhook secrets
	// Resolvers are the DNS servers used to vet target and webhook host
	// names ("ip:port"; empty: /etc/resolv.conf), as scans resolve them.
	Resolvers []string
	// AllowPrivate accepts loopback, private and link-local targets,
	// webhooks and resolvers (--allow-private-targets).
	AllowPrivate bool
	MinSchedule  time.Duration // shortest schedule interval; default 1m
	LLMTiers     []string      // valid "llm" option values
	TLS          bool          // served over HTTPS: Secure cookies and HSTS
	Version      string
	Logger       *slog.Logger
	Now          func() time.Time
	// AuthFailures is how many failed sign-ins one client address may make
	// per minute before it is told to wait; default 10.
	AuthFailures int
	MaxBody      int64 // request body cap; default 1 MiB
	// RateLimit is requests per second per API key (API) and per client
	// address (everything else), with bursts of twice that; 0: default 50,
	// negative: no limit.
	RateLimit float64
}

// Server serves the API and the dashboard.
type Server struct {
	cfg     Config
	mux     *http.ServeMux
	limiter *failLimiter
	reqs    *reqLimiter
	metrics *httpMetrics
	pages   *pages
}

// New builds a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Runner == nil || cfg.Box == nil {
		return nil, errors.New("server: Store, Runner and Box are required")
	}
	if cfg.MinSchedule <= 0 {
		cfg.MinSchedule = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AuthFailures <= 0 {
		cfg.AuthFailures = 10
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = 50
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), limiter: newFailLimiter(cfg.AuthFailures, time.Minute), reqs: newReqLimiter(cfg.RateLimit), metrics: newHTTPMetrics(), pages: p}
	s.routes()
	return s, nil
}

// Handler is the server's root handler, with its protections applied.
func (s *Server) Handler() http.Handler {
	return s.recoverer(s.secure(s.metrics.wrap(s.limitBody(s.mux))))
}

// HTTPServer wraps Handler in an http.Server with timeouts and header caps.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
	}
}

// route is one API operation; the table is also what the OpenAPI
// document is checked against.
type route struct {
	method, pattern string
	h               http.HandlerFunc
	public          bool // no API key needed
}

func (s *Server) apiRoutes() []route {
	return []route{
		{"GET", "/healthz", s.healthz, true},
		{"GET", "/metrics", s.serveMetrics, false},
		{"GET", "/api/v1/openapi.json", s.openAPI, true},
		{"POST", "/api/v1/targets", s.createTarget, false},
		{"GET", "/api/v1/targets", s.listTargets, false},
		{"GET", "/api/v1/targets/{id}", s.getTarget, false},
		{"PATCH", "/api/v1/targets/{id}", s.patchTarget, false},
		{"DELETE", "/api/v1/targets/{id}", s.deleteTarget, false},
		{"POST", "/api/v1/targets/{id}/scans", s.startScan, false},
		{"GET", "/api/v1/targets/{id}/scans", s.listScans, false},
		{"GET", "/api/v1/scans/{id}", s.getScan, false},
		{"GET", "/api/v1/scans/{id}/diff", s.scanDiff, false},
		{"POST", "/api/v1/scans/{id}/cancel", s.cancelScan, false},
		{"POST", "/api/v1/dns-watches", s.createWatch, false},
		{"GET", "/api/v1/dns-watches", s.listWatches, false},
		{"GET", "/api/v1/dns-watches/{id}", s.getWatch, false},
		{"DELETE", "/api/v1/dns-watches/{id}", s.deleteWatch, false},
		{"POST", "/api/v1/webhooks", s.createWebhook, false},
		{"GET", "/api/v1/webhooks", s.listWebhooks, false},
		{"GET", "/api/v1/webhooks/{id}", s.getWebhook, false},
		{"DELETE", "/api/v1/webhooks/{id}", s.deleteWebhook, false},
		{"GET", "/api/v1/webhooks/{id}/deliveries", s.listDeliveries, false},
	}
}

func (s *Server) routes() {
	for _, rt := range s.apiRoutes() {
		var h http.Handler = rt.h
		if rt.public {
			h = s.limitByAddress(h)
		} else {
			h = s.api(rt.h)
		}
		s.mux.Handle(rt.method+" "+rt.pattern, h)
	}
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "no such API endpoint (see /api/v1/openapi.json)")
	})
	s.dashboardRoutes()
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.cfg.Store.SchemaVersion(ctx); err != nil {
		writeError(w, http.StatusServiceUnavailable, "database unavailable")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// secure sets the headers every response carries: no sniffing, no
// framing, no referrer, a strict content security policy (the dashboard
// loads only its own stylesheet), nothing cached, HSTS under TLS.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cache-Control", "no-store")
		if s.cfg.TLS {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody caps every request body.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > s.cfg.MaxBody {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", s.cfg.MaxBody))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a handler panic into a 500 and a log line (with the
// stack, never the request's headers or body).
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v) // the server's own signal to abort the response
				}
				s.cfg.Logger.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				writeError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
