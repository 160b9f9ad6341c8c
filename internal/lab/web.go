package lab

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Site is one virtual host of the lab web server. Sites are data: to add a
// flaw, add a handler to a site or a new Site to builtinSites.
type Site struct {
	// Host is the lower-case host name, or "*.suffix" for every name under
	// suffix (exact names win).
	Host string
	// Handler serves HTTPS, and plain HTTP unless PlainHTTP is set.
	Handler http.Handler
	// PlainHTTP, if set, serves plain HTTP instead of Handler (for
	// example redirectToHTTPS).
	PlainHTTP http.Handler
	// Cert is the certificate presented over TLS.
	Cert CertKind
	// LegacyTLS offers TLS 1.0/1.1 and insecure cipher suites.
	LegacyTLS bool
}

func builtinSites(v *vulnShop, c *cleanShop, h *hostile, col *Collector) []Site {
	page := simplePage
	return []Site{
		{Host: vulnHost, Handler: v.withFetcher(col).handler()},
		{Host: "docs.vulnshop.test", Handler: page("vulnshop API documentation")},
		{Host: "expired.vulnshop.test", Handler: page("expired"), Cert: CertExpired},
		{Host: "wrongname.vulnshop.test", Handler: page("wrong name"), Cert: CertWrongName},
		{Host: "selfsigned.vulnshop.test", Handler: page("self-signed"), Cert: CertSelfSigned},
		{Host: legacyTLSHost, Handler: page("legacy TLS"), LegacyTLS: true},
		{Host: cleanHost, Handler: c.handler(), PlainHTTP: redirectToHTTPS()},
		{Host: cleanAuthHost, Handler: c.authHandler(), PlainHTTP: redirectToHTTPS()},
		{Host: cleanDocsHost, Handler: cleanHeaders(page("cleanshop API documentation")), PlainHTTP: redirectToHTTPS()},
		{Host: hostileHost, Handler: h.handler()},
		{Host: collectorHost, Handler: col},
	}
}

// mergeSites appends extra to base; an extra site replaces a base site with
// the same host.
func mergeSites(base, extra []Site) []Site {
	out := make([]Site, 0, len(base)+len(extra))
	for _, s := range base {
		replaced := false
		for _, e := range extra {
			replaced = replaced || strings.EqualFold(e.Host, s.Host)
		}
		if !replaced {
			out = append(out, s)
		}
	}
	return append(out, extra...)
}

// webServer is one TLS and one plain listener, both routing by Host.
type webServer struct {
	httpsAddr, httpAddr string
	servers             []*http.Server
	cancel              context.CancelFunc
	logf                func(string, ...any)

	mu       sync.Mutex
	closed   bool
	active   int
	inflight sync.WaitGroup
}

func startWeb(authority *ca, sites []Site, now time.Time, logf func(string, ...any)) (*webServer, error) {
	certs := certStore{}
	tlsRoutes, plainRoutes := router{}, router{}
	for _, s := range sites {
		host := strings.ToLower(s.Host)
		if s.Cert != CertNone {
			c, err := authority.leaf(host, s.Cert, now)
			if err != nil {
				return nil, err
			}
			certs[host] = c
			tlsRoutes[host] = s.Handler
		}
		plainRoutes[host] = s.Handler
		if s.PlainHTTP != nil {
			plainRoutes[host] = s.PlainHTTP
		}
	}
	ws := &webServer{logf: logf}
	tlsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	plainLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = tlsLn.Close()
		return nil, err
	}
	baseCtx, cancel := context.WithCancel(context.Background())
	ws.cancel = cancel
	ws.httpsAddr, ws.httpAddr = tlsLn.Addr().String(), plainLn.Addr().String()
	tlsConf := &tls.Config{GetCertificate: certs.get, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
	tlsConf.GetConfigForClient = legacyTLSConfigs(tlsConf, sites)
	for _, l := range []struct {
		ln     net.Listener
		routes router
	}{{tls.NewListener(tlsLn, tlsConf), tlsRoutes}, {plainLn, plainRoutes}} {
		srv := &http.Server{
			Handler:           ws.track(l.routes),
			BaseContext:       func(net.Listener) context.Context { return baseCtx },
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          log.New(logfWriter(ws.log), "lab http: ", 0),
			// HTTP/1.1 only, like the Werkzeug and gunicorn servers the
			// sites imitate.
			TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		}
		ws.servers = append(ws.servers, srv)
		go func() { _ = srv.Serve(l.ln) }()
	}
	return ws, nil
}

// track refuses requests after close and counts the others, so close can
// wait for every handler to return.
func (ws *webServer) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws.mu.Lock()
		if ws.closed {
			ws.mu.Unlock()
			http.Error(w, "lab closed", http.StatusServiceUnavailable)
			return
		}
		ws.inflight.Add(1)
		ws.active++
		ws.mu.Unlock()
		defer func() {
			ws.mu.Lock()
			ws.active--
			ws.mu.Unlock()
			ws.inflight.Done()
		}()
		h.ServeHTTP(w, r)
	})
}

func (ws *webServer) close() error {
	ws.mu.Lock()
	ws.closed = true
	ws.mu.Unlock()
	ws.cancel() // ends every request context: slow handlers return
	var errs []error
	for _, srv := range ws.servers {
		if err := srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	ws.inflight.Wait()
	return errors.Join(errs...)
}

// log forwards to logf until close: connection goroutines may still
// report errors after close returns, when logf (often t.Logf) is dead.
func (ws *webServer) log(format string, args ...any) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.logf != nil && !ws.closed {
		ws.logf(format, args...)
	}
}

type logfWriter func(string, ...any)

func (f logfWriter) Write(p []byte) (int, error) {
	f("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// router dispatches on the Host header (port and trailing dot ignored).
type router map[string]http.Handler

func (rt router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	h, ok := rt[host]
	if !ok {
		if i := strings.IndexByte(host, '.'); i > 0 {
			h, ok = rt["*"+host[i:]]
		}
	}
	if !ok {
		http.Error(w, fmt.Sprintf("lab: no site %q on this listener", host), http.StatusMisdirectedRequest)
		return
	}
	h.ServeHTTP(w, r)
}

// redirectToHTTPS answers 301 to the same URL over https, with no body.
func redirectToHTTPS() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		w.Header().Set("Location", "https://"+host+r.URL.RequestURI())
		w.WriteHeader(http.StatusMovedPermanently)
	})
}

func simplePage(title string) http.Handler {
	body := "<!doctype html>\n<html><head><title>" + title + "</title></head><body><h1>" + title + "</h1></body></html>\n"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(body))
	})
}

// inflightCount reports how many handlers are running (for tests).
func (ws *webServer) inflightCount() int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.active
}
