package oob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/netutil"
)

// Listener bounds: the listener must never become the hole. It records
// only requests for ids it issued (anything else is a 404, not recorded),
// reads and keeps no body, and caps connections, headers, time and what it
// keeps.
const (
	maxConns      = 64
	maxHeader     = 16 << 10
	maxBodyRead   = 64 << 10 // drained and dropped
	maxPerID      = 16
	maxIDs        = 4096
	maxRecorded   = 2048
	headerTimeout = 5 * time.Second
	ioTimeout     = 10 * time.Second
	idPrefix      = "plumb-cb-"
)

// Listener is the built-in out-of-band HTTP listener.
type Listener struct {
	srv  *http.Server
	ln   net.Listener
	base string // URL prefix of probe URLs
	done chan struct{}

	mu       sync.Mutex
	ids      map[string]*slot
	recorded int
}

type slot struct {
	got     []Interaction
	arrived chan struct{} // closed at the first interaction
}

// Listen binds addr (HOST:PORT, exactly as given) and serves until Close.
// publicBase is the URL prefix probe URLs carry when the listener sits
// behind a proxy or NAT (--callback-url); "" means http://<bound address>.
func Listen(addr, publicBase string) (*Listener, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("callback listener address %q: want HOST:PORT: %w", addr, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("callback listener: %w", err)
	}
	l := &Listener{ln: ln, ids: map[string]*slot{}, done: make(chan struct{})}
	l.base = strings.TrimSuffix(publicBase, "/")
	if l.base == "" {
		l.base = "http://" + ln.Addr().String()
	}
	l.srv = &http.Server{
		Handler:           l,
		ReadHeaderTimeout: headerTimeout,
		ReadTimeout:       ioTimeout,
		WriteTimeout:      ioTimeout,
		IdleTimeout:       ioTimeout,
		MaxHeaderBytes:    maxHeader,
		ErrorLog:          log.New(io.Discard, "", 0), // a hostile client must not fill plumb's stderr
	}
	go func() {
		defer close(l.done)
		_ = l.srv.Serve(netutil.LimitListener(ln, maxConns))
	}()
	return l, nil
}

// Addr is the bound address.
func (l *Listener) Addr() net.Addr { return l.ln.Addr() }

// Describe names the listener for evidence.
func (l *Listener) Describe() string {
	return fmt.Sprintf("plumb's own callback listener (bound to %s, probe URLs %s/…)", l.ln.Addr(), l.base)
}

// Close stops the listener and waits for it to stop serving.
func (l *Listener) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := l.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = l.srv.Close()
	}
	<-l.done
	return err
}

// New issues a fresh probe id.
func (l *Listener) New() (string, string, error) {
	id, err := newID(idPrefix)
	if err != nil {
		return "", "", err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ids) >= maxIDs {
		return "", "", errors.New("callback listener: too many probe ids for one scan")
	}
	l.ids[id] = &slot{arrived: make(chan struct{})}
	return id, l.base + "/" + id, nil
}

// Interactions returns what reached id, waiting up to wait for the first.
func (l *Listener) Interactions(ctx context.Context, id string, wait time.Duration) ([]Interaction, error) {
	l.mu.Lock()
	s, ok := l.ids[id]
	l.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("callback listener: unknown probe id")
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-s.arrived:
	case <-t.C:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Interaction, len(s.got))
	for i, it := range s.got {
		it.Header = it.Header.Clone()
		out[i] = it
	}
	return out, nil
}

// ServeHTTP records a request for an issued id and answers "ok"; any other
// request gets a 404 and leaves no trace.
func (l *Listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxBodyRead))
	l.mu.Lock()
	s := l.slotFor(r.URL.Path)
	if s != nil && len(s.got) < maxPerID && l.recorded < maxRecorded {
		s.got = append(s.got, Interaction{Method: r.Method, Path: r.URL.RequestURI(), Header: r.Header.Clone(),
			RemoteAddr: r.RemoteAddr, Time: time.Now()})
		l.recorded++
		if len(s.got) == 1 {
			close(s.arrived)
		}
	}
	l.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s == nil {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "not found\n")
		return
	}
	_, _ = io.WriteString(w, "ok\n")
}

// slotFor finds the issued id among the path's segments (a proxy in front
// may add a prefix). l.mu must be held.
func (l *Listener) slotFor(path string) *slot {
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, idPrefix) {
			if s, ok := l.ids[seg]; ok {
				return s
			}
		}
	}
	return nil
}
