package netx

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testToken = "Zk9vQmFyLXRva2VuLTEyMzQ1Njc4OTA"

// creds is the user's identity in every client test.
func creds() http.Header {
	return http.Header{"Authorization": {"Bearer " + testToken}, "Cookie": {"session=sess-0123456789"}, "X-Api-Key": {"key-abcdef123"}}
}

// seen records the credential headers a test server received, per Host.
type seen struct {
	mu   sync.Mutex
	hits map[string][]http.Header
}

func (s *seen) record(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hits == nil {
		s.hits = map[string][]http.Header{}
	}
	h := http.Header{}
	for _, k := range []string{"Authorization", "Cookie", "X-Api-Key"} {
		if v := r.Header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	s.hits[r.Host] = append(s.hits[r.Host], h)
	// Parallel subtests may share a host; the host+path key tells them apart.
	s.hits[r.Host+r.URL.Path] = append(s.hits[r.Host+r.URL.Path], h)
}

func (s *seen) get(host string) []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[host]
}

func port(srv *httptest.Server) string {
	_, p, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return p
}

// newClient builds a client on an in-test DNS server that knows
// *.plumb.test and example.com as 127.0.0.1.
func newClient(t testing.TB, cfg Config) (*Client, *testDNS) {
	t.Helper()
	d := startDNS(t)
	d.add(t, "api.plumb.test. 60 IN A 127.0.0.1", "evil.plumb.test. 60 IN A 127.0.0.1",
		"only-in-test.plumb.test. 60 IN A 127.0.0.1", "example.com. 60 IN A 127.0.0.1",
		"backend.plumb.test. 60 IN A 127.0.0.1")
	if cfg.Resolver == nil {
		cfg.Resolver = newTestResolver(t, d.addr)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Rate == 0 {
		cfg.Rate = -1
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c, d
}

func mustOrigin(t testing.TB, s string) Origin {
	t.Helper()
	o, err := ParseOrigin(s)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestCredentialsScope(t *testing.T) {
	t.Parallel()
	var got seen
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.record(r) }))
	t.Cleanup(plain.Close)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.record(r) }))
	t.Cleanup(tlsSrv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(tlsSrv.Certificate())

	inScopeHTTP := "http://api.plumb.test:" + port(plain)
	inScopeHTTPS := "https://example.com:" + port(tlsSrv)
	for _, tc := range []struct {
		name      string
		url       string
		allowHTTP bool
		want      bool
		withheld  string
	}{
		{"https in scope", inScopeHTTPS + "/a", false, true, ""},
		{"http in scope, opted in", inScopeHTTP + "/b", true, true, ""},
		{"http in scope, not opted in", inScopeHTTP + "/c", false, false, "plain http"},
		{"other host", "http://evil.plumb.test:" + port(plain) + "/d", true, false, "not in scope"},
		{"same host other port", "https://example.com:" + port(plain) + "/e", true, false, "not in scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t, Config{
				Credentials: creds(), RootCAs: pool, AllowPlainHTTPCredentials: tc.allowHTTP,
				Scope: []Origin{mustOrigin(t, inScopeHTTP), mustOrigin(t, inScopeHTTPS)},
			})
			resp, err := c.Do(context.Background(), &Request{URL: tc.url, WithCredentials: true})
			if tc.name == "same host other port" { // TLS to a plain server fails: that's fine, nothing was sent
				if err == nil {
					t.Fatal("expected TLS error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.CredentialsSent != tc.want || !strings.Contains(resp.CredentialsWithheld, tc.withheld) {
				t.Errorf("sent=%v withheld=%q", resp.CredentialsSent, resp.CredentialsWithheld)
			}
			host := strings.TrimPrefix(strings.TrimPrefix(tc.url, "https://"), "http://")
			hits := got.get(host) // host and path: parallel subtests share hosts
			if len(hits) == 0 {
				t.Fatalf("server saw nothing for %s", host)
			}
			last := hits[len(hits)-1]
			if has := last.Get("Authorization") != ""; has != tc.want {
				t.Errorf("server received Authorization=%v, want %v (%v)", has, tc.want, last)
			}
		})
	}
}

func TestCrossOriginRedirectDropsCredentials(t *testing.T) {
	t.Parallel()
	var got seen
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.record(r) }))
	t.Cleanup(other.Close)
	tlsOther := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.record(r) }))
	t.Cleanup(tlsOther.Close)
	var main *httptest.Server
	main = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.record(r)
		switch r.URL.Path {
		case "/host":
			http.Redirect(w, r, "http://evil.plumb.test:"+port(main)+"/land", http.StatusFound)
		case "/port":
			http.Redirect(w, r, "http://api.plumb.test:"+port(other)+"/land", http.StatusFound)
		case "/roundtrip":
			http.Redirect(w, r, "http://evil.plumb.test:"+port(main)+"/back", http.StatusFound)
		case "/back":
			http.Redirect(w, r, "http://api.plumb.test:"+port(main)+"/home", http.StatusFound)
		}
	}))
	t.Cleanup(main.Close)
	tlsMain := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.record(r)
		http.Redirect(w, r, "http://example.com:"+port(other)+"/downgrade", http.StatusMovedPermanently)
	}))
	t.Cleanup(tlsMain.Close)
	pool := x509.NewCertPool()
	pool.AddCert(tlsMain.Certificate())

	apiMain := "api.plumb.test:" + port(main)
	scope := []Origin{mustOrigin(t, "http://"+apiMain), mustOrigin(t, "https://example.com:"+port(tlsMain)),
		mustOrigin(t, "http://example.com:"+port(other))} // in scope but plain http, not opted in for it
	for _, tc := range []struct {
		name, url, victim string
		allowHTTP         bool
	}{
		{"different host", "http://" + apiMain + "/host", "evil.plumb.test:" + port(main), true},
		{"different port", "http://" + apiMain + "/port", "api.plumb.test:" + port(other), true},
		{"https to http", "https://example.com:" + port(tlsMain) + "/", "example.com:" + port(other), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t, Config{Credentials: creds(), Scope: scope, RootCAs: pool, AllowPlainHTTPCredentials: tc.allowHTTP})
			resp, err := c.Do(context.Background(), &Request{URL: tc.url, WithCredentials: true, FollowRedirects: true,
				Header: http.Header{"Cookie": {"extra=from-check-1234"}}})
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Hops) != 2 || !resp.Hops[0].CredentialsSent || resp.Hops[1].CredentialsSent || resp.CredentialsSent {
				t.Fatalf("hops = %+v", resp.Hops)
			}
			for _, h := range got.get(tc.victim) {
				if len(h) != 0 {
					t.Errorf("%s received %v", tc.victim, h)
				}
			}
			if len(got.get(tc.victim)) == 0 {
				t.Errorf("%s was never reached", tc.victim)
			}
		})
	}

	t.Run("back in scope re-attaches", func(t *testing.T) {
		t.Parallel()
		c, _ := newClient(t, Config{Credentials: creds(), Scope: scope, AllowPlainHTTPCredentials: true})
		resp, err := c.Do(context.Background(), &Request{URL: "http://" + apiMain + "/roundtrip", WithCredentials: true, FollowRedirects: true})
		if err != nil {
			t.Fatal(err)
		}
		sent := []bool{}
		for _, h := range resp.Hops {
			sent = append(sent, h.CredentialsSent)
		}
		if fmt.Sprint(sent) != "[true false true]" {
			t.Errorf("credentials per hop = %v", sent)
		}
	})
}

func TestRedirectMethodsAndLimits(t *testing.T) {
	t.Parallel()
	var lastMethod, lastBody atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		switch {
		case r.URL.Path == "/303", r.URL.Path == "/302", r.URL.Path == "/307":
			code := map[string]int{"/303": 303, "/302": 302, "/307": 307}[r.URL.Path]
			w.Header().Set("Location", "/end")
			w.WriteHeader(code)
		case r.URL.Path == "/loop":
			http.Redirect(w, r, "/loop2", http.StatusFound)
		case r.URL.Path == "/loop2":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/chain/"):
			http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
		case r.URL.Path == "/ftp":
			http.Redirect(w, r, "ftp://example.com/file", http.StatusFound)
		default:
			lastMethod.Store(r.Method)
			lastBody.Store(string(b))
		}
	}))
	t.Cleanup(srv.Close)
	c, _ := newClient(t, Config{MaxRedirects: 3})
	base := "http://api.plumb.test:" + port(srv)
	for _, tc := range []struct{ path, method, wantMethod, wantBody string }{
		{"/303", "POST", "GET", ""},
		{"/302", "POST", "GET", ""},
		{"/302", "PUT", "PUT", "payload"},
		{"/307", "POST", "POST", "payload"},
	} {
		_, err := c.Do(context.Background(), &Request{Method: tc.method, URL: base + tc.path, Body: []byte("payload"), FollowRedirects: true})
		if err != nil || lastMethod.Load() != tc.wantMethod || lastBody.Load() != tc.wantBody {
			t.Errorf("%s %s -> %v %q, %v", tc.method, tc.path, lastMethod.Load(), lastBody.Load(), err)
		}
	}
	var re *RedirectError
	if _, err := c.Do(context.Background(), &Request{URL: base + "/loop", FollowRedirects: true}); !errors.As(err, &re) || re.Reason != "redirect loop" || len(re.Hops) != 2 {
		t.Errorf("loop: %v", err)
	}
	if _, err := c.Do(context.Background(), &Request{URL: base + "/chain/", FollowRedirects: true}); !errors.As(err, &re) || !strings.Contains(re.Reason, "too many") || len(re.Hops) != 4 {
		t.Errorf("chain: %v", err)
	}
	resp, err := c.Do(context.Background(), &Request{URL: base + "/ftp", FollowRedirects: true})
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Errorf("non-http redirect should stop: %v %v", resp, err)
	}
	resp, err = c.Do(context.Background(), &Request{URL: base + "/303"})
	if err != nil || resp.StatusCode != 303 || len(resp.Hops) != 1 {
		t.Errorf("FollowRedirects=false: %v %v", resp, err)
	}
}

func TestTimeouts(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/trickle" {
			w.WriteHeader(200)
			for {
				if _, err := w.Write([]byte("x")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}
		<-r.Context().Done() // never answers
	}))
	t.Cleanup(srv.Close)
	const timeout = 300 * time.Millisecond
	c, _ := newClient(t, Config{Timeout: timeout})
	for _, path := range []string{"/slow", "/trickle"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			_, err := c.Do(context.Background(), &Request{URL: "http://api.plumb.test:" + port(srv) + path})
			if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "timed out after 300ms") {
				t.Fatalf("err = %v", err)
			}
			if el := time.Since(start); el < timeout || el > timeout+2*time.Second {
				t.Errorf("took %v", el)
			}
		})
	}
}

func TestBodyCaps(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/huge":
			chunk := make([]byte, 64<<10)
			for range 160 { // 10 MiB
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "/bomb":
			w.Header().Set("Content-Encoding", "gzip")
			member := gzipZeros()
			for range 1024 { // ~1 MiB on the wire, 1 GiB decompressed
				if _, err := w.Write(member); err != nil {
					return
				}
			}
		case "/small":
			_, _ = io.WriteString(w, "hello")
		}
	}))
	t.Cleanup(srv.Close)
	const limit = 1 << 20
	gzipZeros() // build the bomb outside the timed part
	c, _ := newClient(t, Config{MaxBodyBytes: limit})
	for _, tc := range []struct {
		path      string
		wantLen   int
		truncated bool
	}{{"/huge", limit, true}, {"/bomb", limit, true}, {"/small", 5, false}} {
		start := time.Now()
		resp, err := c.Do(context.Background(), &Request{URL: "http://api.plumb.test:" + port(srv) + tc.path})
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if len(resp.Body) != tc.wantLen || resp.Truncated != tc.truncated {
			t.Errorf("%s: len=%d truncated=%v", tc.path, len(resp.Body), resp.Truncated)
		}
		if el := time.Since(start); el > 3*time.Second {
			t.Errorf("%s took %v", tc.path, el)
		}
	}
	if got := c.Stats().BodyBytes; got != 2*limit+5 {
		t.Errorf("BodyBytes = %d", got)
	}
}

func TestBudget(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/", http.StatusFound)
		}
	}))
	t.Cleanup(srv.Close)
	c, _ := newClient(t, Config{MaxRequests: 3})
	u := "http://api.plumb.test:" + port(srv)
	for i := range 2 {
		if _, err := c.Do(context.Background(), &Request{URL: u + "/"}); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	// The redirect's second hop is the 4th request: refused.
	if _, err := c.Do(context.Background(), &Request{URL: u + "/redirect", FollowRedirects: true}); !errors.Is(err, ErrBudgetExhausted) {
		t.Fatalf("err = %v", err)
	}
	if _, err := c.Do(context.Background(), &Request{URL: u + "/"}); !errors.Is(err, ErrBudgetExhausted) {
		t.Fatalf("err = %v", err)
	}
	st := c.Stats()
	if hits.Load() != 3 || st.Requests != 3 || !st.BudgetExhausted || st.Errors != 2 {
		t.Errorf("hits=%d stats=%+v", hits.Load(), st)
	}
}

func TestRateLimitFakeClock(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(srv.Close)
	c, _ := newClient(t, Config{Rate: 5})
	var mu sync.Mutex
	clock := time.Unix(1_000_000, 0)
	slept := map[time.Duration]int{}
	var total time.Duration
	c.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	c.sleep = func(_ context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(d)
		total += d
		slept[d.Round(time.Millisecond)]++
		return nil
	}
	const n = 20
	for i := range n {
		// Alternate two hosts: each has its own limiter.
		host := []string{"api.plumb.test", "evil.plumb.test"}[i%2]
		if _, err := c.Do(context.Background(), &Request{URL: "http://" + host + ":" + port(srv) + "/"}); err != nil {
			t.Fatal(err)
		}
	}
	// Per host: 10 requests at 5/s with burst 1 need 9 waits of 200ms, but
	// the other host's waits advance the shared clock, so a host waits at
	// most 200ms each time and the total is at most 2×9×200ms.
	if total < 9*200*time.Millisecond || total > 18*200*time.Millisecond+time.Millisecond {
		t.Errorf("total wait %v (%v)", total, slept)
	}
	if st := c.Stats(); st.Requests != n || len(st.PerHost) != 2 {
		t.Errorf("stats = %+v", st)
	}
}

func TestRateLimitSequentialExact(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(srv.Close)
	c, _ := newClient(t, Config{Rate: 5})
	clock := time.Unix(1_000_000, 0)
	var total time.Duration
	var mu sync.Mutex
	c.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	c.sleep = func(_ context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		clock, total = clock.Add(d), total+d
		return nil
	}
	for range 20 {
		if _, err := c.Do(context.Background(), &Request{URL: "http://api.plumb.test:" + port(srv) + "/"}); err != nil {
			t.Fatal(err)
		}
	}
	if want := 19 * 200 * time.Millisecond; total < want-time.Millisecond || total > want+time.Millisecond {
		t.Errorf("waited %v on the fake clock, want %v", total, want)
	}
}

func TestRateLimitRealClockLowerBound(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(srv.Close)
	c, _ := newClient(t, Config{Rate: 50})
	start := time.Now()
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() { _, _ = c.Do(context.Background(), &Request{URL: "http://api.plumb.test:" + port(srv) + "/"}) })
	}
	wg.Wait()
	// 6 requests at 50/s, burst 1: at least 5 intervals of 20ms.
	if el := time.Since(start); el < 95*time.Millisecond {
		t.Errorf("6 requests at 50/s took only %v", el)
	}
}

func TestPerHostConcurrency(t *testing.T) {
	t.Parallel()
	var cur, peak atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(30 * time.Millisecond)
		cur.Add(-1)
	}))
	t.Cleanup(srv.Close)
	c, _ := newClient(t, Config{PerHostConcurrency: 2})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { _, _ = c.Do(context.Background(), &Request{URL: "http://api.plumb.test:" + port(srv) + "/"}) })
	}
	wg.Wait()
	if p := peak.Load(); p > 2 || p < 1 {
		t.Errorf("peak in-flight = %d, want <= 2", p)
	}
}

func TestDialThroughResolverAndConnectTo(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, r.Host) }))
	t.Cleanup(srv.Close)
	p := port(srv)
	ctA, _ := ParseConnectTo("api.nowhere.test:1:127.0.0.1:" + p)
	ctB, _ := ParseConnectTo("::backend.plumb.test:" + p)
	for _, tc := range []struct {
		name string
		cts  []ConnectTo
		url  string
		want string // body (Host seen) or error substring
		err  error
	}{
		{"name only the test DNS knows", nil, "http://only-in-test.plumb.test:" + p + "/", "only-in-test.plumb.test:" + p, nil},
		{"unknown name", nil, "http://unknown.plumb.test:" + p + "/", "NXDOMAIN", ErrNXDomain},
		{"connect-to IP", []ConnectTo{ctA}, "http://api.nowhere.test:1/", "api.nowhere.test:1", nil},
		{"connect-to name via resolver", []ConnectTo{ctB}, "http://api.nowhere.test:9/", "api.nowhere.test:9", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, d := newClient(t, Config{ConnectTo: tc.cts})
			resp, err := c.Do(context.Background(), &Request{URL: tc.url})
			if tc.err != nil {
				if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || string(resp.Body) != tc.want {
				t.Fatalf("resp = %v, %v", resp, err)
			}
			if got := resp.Hops[0].RemoteAddr; got != "127.0.0.1:"+p {
				t.Errorf("dialed %s", got)
			}
			if tc.name == "connect-to name via resolver" && d.count("backend.plumb.test", 1) != 1 {
				t.Error("connect-to target not resolved through the Resolver")
			}
			if tc.name == "connect-to IP" && d.udp.Load() != 0 {
				t.Error("an IP connect-to target must not touch DNS")
			}
		})
	}
}

func TestEvidenceNeverLeaksSecrets(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		w.Header().Set("Set-Cookie", "session=sess-0123456789; HttpOnly")
		fmt.Fprintf(w, "auth=%s cookie=%s url=%s", r.Header.Get("Authorization"), r.Header.Get("Cookie"), r.URL.RawQuery)
		fmt.Fprintf(w, " b64=%s", "Wms5dlFtRnlMWFJ2YTJWdUxURXlNelExTmpjNE9UQQ==") // base64 of testToken
		_, _ = w.Write([]byte(strings.Repeat("z", 3000)))
	}))
	t.Cleanup(srv.Close)
	u := "http://api.plumb.test:" + port(srv)
	c, _ := newClient(t, Config{Credentials: creds(), Scope: []Origin{mustOrigin(t, u)}, AllowPlainHTTPCredentials: true, Secrets: []string{"extra-secret-42"}})
	req := &Request{URL: u + "/x?access_token=" + testToken + "&q=extra-secret-42", WithCredentials: true}
	resp, err := c.Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	ev := c.Evidence(req, resp, nil)
	failed := &Request{URL: "http://unknown.plumb.test:1/?token=" + testToken, Header: http.Header{"Authorization": {"Bearer " + testToken}}}
	_, ferr := c.Do(context.Background(), failed)
	fev := c.Evidence(failed, nil, ferr)
	out := fmt.Sprintf("%+v %+v %+v %v", ev, fev, c.Exchanges(), ferr)
	for _, s := range []string{testToken, "sess-0123456789", "key-abcdef123", "extra-secret-42", "Wms5dlFtRnlMWFJ2YTJWdUxURXlNelExTmpjNE9UQQ"} {
		if strings.Contains(out, s) {
			t.Errorf("evidence leaks %q:\n%s", s, out)
		}
	}
	if !strings.HasPrefix(ev.RequestHeaders["Authorization"][0], "Bearer ****(sha256:") || len(ev.Body) > 2048 || ev.Status != 200 {
		t.Errorf("evidence = %+v", ev)
	}
}
