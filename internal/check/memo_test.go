package check

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/spec"
)

func TestOnceComputesOncePerScan(t *testing.T) {
	t.Parallel()
	in := &Input{Memo: NewMemo()}
	a, b := NewKey[int]("a"), NewKey[string]("b")
	var calls atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			v, err := Once(context.Background(), in, a, func(context.Context) (int, error) { calls.Add(1); return 42, nil })
			if v != 42 || err != nil {
				t.Errorf("Once = %d, %v", v, err)
			}
		})
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("computed %d times", calls.Load())
	}
	if v, _ := Once(context.Background(), in, b, func(context.Context) (string, error) { return "b", nil }); v != "b" {
		t.Errorf("a second key shares the first one's value: %q", v)
	}
	if v, _ := Once(context.Background(), &Input{Memo: NewMemo()}, a, func(context.Context) (int, error) { return 7, nil }); v != 7 {
		t.Errorf("another scan saw this scan's value: %d", v)
	}
	// Errors are kept: they are the budget or the scan ending.
	boom := errors.New("boom")
	c := NewKey[int]("c")
	_, err1 := Once(context.Background(), in, c, func(context.Context) (int, error) { return 0, boom })
	_, err2 := Once(context.Background(), in, c, func(context.Context) (int, error) { return 1, nil })
	if !errors.Is(err1, boom) || !errors.Is(err2, boom) {
		t.Errorf("errors %v, %v", err1, err2)
	}
	// Without a memo nothing is shared.
	n := 0
	for range 2 {
		_, _ = Once(context.Background(), &Input{}, a, func(context.Context) (int, error) { n++; return n, nil })
	}
	if n != 2 {
		t.Errorf("nil memo computed %d times", n)
	}
}

// A panicking computation must not leave other checks waiting forever.
func TestOncePanicReleasesWaiters(t *testing.T) {
	t.Parallel()
	in := &Input{Memo: NewMemo()}
	k := NewKey[int]("p")
	func() {
		defer func() { _ = recover() }()
		_, _ = Once(context.Background(), in, k, func(context.Context) (int, error) { panic("bug") })
	}()
	if _, err := Once(context.Background(), in, k, func(context.Context) (int, error) { return 1, nil }); !errors.Is(err, errPanicked) {
		t.Errorf("after a panic: %v", err)
	}
}

// server counts the requests it receives per method, path and the
// headers that make requests differ.
type server struct {
	*httptest.Server
	mu    sync.Mutex
	hits  map[string]int
	fail  atomic.Int32 // close the connection of this many requests
	block chan struct{}
}

func newServer(t *testing.T) *server {
	t.Helper()
	s := &server{hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.Method+" "+r.URL.Path+" auth="+r.Header.Get("Authorization")+" x="+r.Header.Get("X-Test")]++
		s.mu.Unlock()
		if s.fail.Add(-1) >= 0 {
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
			return
		}
		if s.block != nil {
			<-s.block
		}
		w.Header().Set("X-Served", "yes")
		_, _ = w.Write([]byte("hello"))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[key]
}

func client(t *testing.T, s *server, token string) *netx.Client {
	t.Helper()
	res, err := netx.NewResolver(netx.ResolverConfig{Servers: []string{"127.0.0.1:1"}})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(s.URL)
	c, err := netx.NewClient(netx.Config{Resolver: res, Rate: -1, AllowPlainHTTPCredentials: true,
		Scope: []netx.Origin{netx.OriginOf(u)}, Credentials: http.Header{"Authorization": {"Bearer " + token}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func TestFetchSendsIdenticalRequestsOnce(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	a := client(t, s, "token-a")
	b, err := a.WithIdentity(http.Header{"Authorization": {"Bearer token-b"}})
	if err != nil {
		t.Fatal(err)
	}
	op := spec.Operation{Method: "GET", Path: "/"}
	in := &Input{Memo: NewMemo(), Coverage: NewCoverage(1)}
	ctx := context.Background()
	get := func(c *netx.Client, r netx.Request) *netx.Response {
		t.Helper()
		resp, err := in.Fetch(ctx, c, &r, &op)
		if err != nil || string(resp.Body) != "hello" {
			t.Fatalf("Fetch %+v: %v", r, err)
		}
		return resp
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { get(a, netx.Request{URL: s.URL + "/"}) })
	}
	wg.Wait()
	first := get(a, netx.Request{URL: s.URL + "/"})
	first.Header.Set("X-Served", "changed")
	first.Body[0] = 'J'
	if again := get(a, netx.Request{Method: "GET", URL: s.URL + "/"}); again.Header.Get("X-Served") != "yes" || string(again.Body) != "hello" {
		t.Errorf("a caller changed what the next one reads: %v %q", again.Header, again.Body)
	}
	if n := s.count("GET / auth= x="); n != 1 {
		t.Errorf("the same anonymous GET reached the server %d times", n)
	}
	// Credentials, identities and headers each make a different request.
	get(a, netx.Request{URL: s.URL + "/", WithCredentials: true})
	get(b, netx.Request{URL: s.URL + "/", WithCredentials: true})
	get(b, netx.Request{URL: s.URL + "/", WithCredentials: true})
	get(a, netx.Request{URL: s.URL + "/", Header: http.Header{"X-Test": {"1"}}})
	get(a, netx.Request{URL: s.URL + "/", Header: http.Header{"X-Test": {"2"}}})
	for key, want := range map[string]int{
		"GET / auth=Bearer token-a x=": 1, "GET / auth=Bearer token-b x=": 1, "GET / auth= x=1": 1, "GET / auth= x=2": 1,
	} {
		if n := s.count(key); n != want {
			t.Errorf("%s: %d requests, want %d", key, n, want)
		}
	}
	// Anything that is not a read is sent every time.
	for range 2 {
		get(a, netx.Request{Method: "POST", URL: s.URL + "/"})
		get(a, netx.Request{URL: s.URL + "/", Body: []byte("x")})
	}
	if n := s.count("POST / auth= x="); n != 2 {
		t.Errorf("POST sent %d times, want 2", n)
	}
	// Budget and coverage count what was sent.
	if st := a.Stats(); st.Requests != 9 {
		t.Errorf("%d requests counted, want 9", st.Requests)
	}
	if rows := in.Coverage.Summary(&spec.API{Operations: []spec.Operation{op}}).Operations; rows[0].Requests != 9 {
		t.Errorf("coverage recorded %d requests, want 9", rows[0].Requests)
	}
}

// A failure is shared by nobody who asks later: the next caller sends
// again, as it would have without the cache.
func TestFetchDoesNotKeepFailures(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c := client(t, s, "t")
	m := NewMemo()
	s.fail.Store(1)
	if _, err := m.Fetch(context.Background(), c, &netx.Request{URL: s.URL + "/x"}); err == nil {
		t.Fatal("the first request should fail")
	}
	for range 2 {
		resp, err := m.Fetch(context.Background(), c, &netx.Request{URL: s.URL + "/x"})
		if err != nil || string(resp.Body) != "hello" {
			t.Fatalf("retry: %v", err)
		}
	}
	if n := s.count("GET /x auth= x="); n != 2 {
		t.Errorf("%d requests: want the failed one, its retry, and nothing more", n)
	}
}

// When the caller that sent the request gave up (its context ended), a
// caller still running sends the request itself instead of inheriting a
// cancellation that was not its own.
func TestFetchOutlivesACancelledSender(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.block = make(chan struct{})
	c := client(t, s, "t")
	m := NewMemo()
	ctx, cancel := context.WithCancel(context.Background())
	leaderDone := make(chan error)
	go func() {
		_, err := m.Fetch(ctx, c, &netx.Request{URL: s.URL + "/slow"})
		leaderDone <- err
	}()
	for s.count("GET /slow auth= x=") == 0 {
		time.Sleep(time.Millisecond)
	}
	waiter := make(chan error)
	go func() {
		resp, err := m.Fetch(context.Background(), c, &netx.Request{URL: s.URL + "/slow"})
		if err == nil && string(resp.Body) != "hello" {
			err = errors.New("wrong body")
		}
		waiter <- err
	}()
	cancel()
	if err := <-leaderDone; err == nil {
		t.Error("the cancelled sender got an answer")
	}
	close(s.block)
	if err := <-waiter; err != nil {
		t.Errorf("the waiter inherited the sender's cancellation: %v", err)
	}
}

// Coverage counts a shared request once, for the first caller that names
// its operation, even when another check sent it without naming one.
func TestFetchCountsCoverageOnce(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c := client(t, s, "t")
	op := spec.Operation{Method: "GET", Path: "/c"}
	in := &Input{Memo: NewMemo(), Coverage: NewCoverage(1)}
	for _, o := range []*spec.Operation{nil, &op, &op} {
		if _, err := in.Fetch(context.Background(), c, &netx.Request{URL: s.URL + "/c"}, o); err != nil {
			t.Fatal(err)
		}
	}
	rows := in.Coverage.Summary(&spec.API{Operations: []spec.Operation{op}}).Operations
	if rows[0].Requests != 1 || rows[0].Status != 200 {
		t.Errorf("coverage %+v, want one request answered 200", rows[0])
	}
}
