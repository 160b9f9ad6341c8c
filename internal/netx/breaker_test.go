package netx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// A host that stops answering is given up on after MaxHostFailures
// consecutive timeouts: later requests fail at once without being sent,
// and any answer before that resets the count.
func TestCircuitBreaker(t *testing.T) {
	t.Parallel()
	var received atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received.Add(1)
		if r.URL.Path == "/ok" {
			return
		}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	c, _ := newClient(t, Config{Timeout: 50 * time.Millisecond, MaxHostFailures: 3})
	base := "http://api.plumb.test:" + port(srv)
	get := func(path string) error {
		_, err := c.Do(context.Background(), &Request{URL: base + path})
		return err
	}
	for _, p := range []string{"/hang", "/hang", "/ok", "/hang", "/hang"} {
		if err := get(p); errors.Is(err, ErrHostDown) {
			t.Fatalf("%s: gave up too early: %v", p, err)
		}
	}
	if len(c.DownHosts()) != 0 {
		t.Fatalf("an answer must reset the count: %v", c.DownHosts())
	}
	_ = get("/hang") // third in a row
	before := received.Load()
	err := get("/ok")
	var hd *HostDownError
	if !errors.As(err, &hd) || !errors.Is(err, ErrHostDown) || hd.Host != "api.plumb.test:"+port(srv) {
		t.Fatalf("after 3 timeouts: %v", err)
	}
	if received.Load() != before {
		t.Error("a request to a host given up on was sent")
	}
	if d := c.DownHosts(); len(d) != 1 || d[0].Reason == "" {
		t.Errorf("DownHosts = %+v", d)
	}
	if st := c.Stats(); st.Requests != 6 {
		t.Errorf("%d requests counted, want 6 (refused ones are not sent)", st.Requests)
	}
}

// The breaker can be turned off.
func TestCircuitBreakerOff(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(srv.Close)
	c, _ := newClient(t, Config{Timeout: 20 * time.Millisecond, MaxHostFailures: -1})
	for range 12 {
		if _, err := c.Do(context.Background(), &Request{URL: "http://api.plumb.test:" + port(srv) + "/"}); errors.Is(err, ErrHostDown) {
			t.Fatal(err)
		}
	}
}

// A tally in the context counts what became of each request.
func TestTally(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/hang":
			<-r.Context().Done()
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		}
	}))
	t.Cleanup(srv.Close)
	c, _ := newClient(t, Config{Timeout: 50 * time.Millisecond, MaxRequests: 4})
	base := "http://api.plumb.test:" + port(srv)
	tl := &Tally{}
	ctx := WithTally(context.Background(), tl)
	for _, p := range []string{"/", "/hang", "/loop", "/"} {
		_, _ = c.Do(ctx, &Request{URL: base + p, FollowRedirects: true})
	}
	_, _ = c.Do(ctx, &Request{URL: "http://127.0.0.1:1/"}) // budget spent first
	stopped, cancel := context.WithCancel(ctx)
	cancel()
	_, _ = c.Do(stopped, &Request{URL: base + "/"})
	got := tl.Counts()
	// "/" twice and the redirect loop (the server did answer) spend the
	// budget of 4 with the timeout; the next request is over budget.
	if want := (TallyCounts{Answered: 3, TimedOut: 1, OverBudget: 1, Stopped: 1}); got != want || got.Attempts() != 6 || !got.Observed() {
		t.Errorf("tally = %+v, want %+v", got, want)
	}
	var other Tally
	other.Add(got)
	if other.Counts() != got {
		t.Errorf("Add: %+v", other.Counts())
	}
}

// Requests waiting on a host when it is given up on end then, as host
// down, instead of waiting out their timeout.
func TestCircuitBreakerCutsRequestsInFlight(t *testing.T) {
	t.Parallel()
	inFlight := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hang" {
			close(inFlight)
			<-r.Context().Done()
			return
		}
		conn, _, err := w.(http.Hijacker).Hijack() // a reset: a connection failure
		if err == nil {
			_ = conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	c, _ := newClient(t, Config{Timeout: time.Minute, MaxHostFailures: 2})
	base := "http://api.plumb.test:" + port(srv)
	hung := make(chan error, 1)
	go func() {
		_, err := c.Do(context.Background(), &Request{URL: base + "/hang"})
		hung <- err
	}()
	<-inFlight
	for range 2 {
		if _, err := c.Do(context.Background(), &Request{URL: base + "/reset"}); err == nil || errors.Is(err, ErrHostDown) {
			t.Fatalf("reset: %v", err)
		}
	}
	if err := <-hung; !errors.Is(err, ErrHostDown) || errors.Is(err, ErrTimeout) {
		t.Errorf("request in flight: %v, want host down", err)
	}
}
