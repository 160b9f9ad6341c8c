package lab

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func startWorld(t testing.TB) *World {
	t.Helper()
	w, err := Start(context.Background(), Options{Logf: t.Logf})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return w
}

// connectDialer dials as curl --connect-to does: a rule HOST1:PORT1:HOST2:PORT2
// sends HOST1:PORT1 (empty HOST1: any host) to HOST2:PORT2.
func connectDialer(rules []string) (func(ctx context.Context, network, addr string) (net.Conn, error), error) {
	type rule struct{ host, port, to string }
	var parsed []rule
	for _, r := range rules {
		p := strings.Split(r, ":")
		if len(p) != 4 {
			return nil, fmt.Errorf("bad connect-to rule %q", r)
		}
		parsed = append(parsed, rule{p[0], p[1], net.JoinHostPort(p[2], p[3])})
	}
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		for _, r := range parsed {
			if (r.host == "" || r.host == host) && r.port == port {
				return d.DialContext(ctx, network, r.to)
			}
		}
		return nil, fmt.Errorf("test client: no connect-to rule for %s; refusing to leave the lab", addr)
	}, nil
}

// newClient returns a client that reaches lab sites only, trusts the lab
// CA, does not follow redirects and does not decompress.
func newClient(t testing.TB, w *World) *http.Client {
	t.Helper()
	dial, err := connectDialer(w.ConnectTo)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{
		DialContext:            dial,
		TLSClientConfig:        &tls.Config{RootCAs: w.CAPool},
		DisableCompression:     true,
		MaxResponseHeaderBytes: 4 << 20,
		ForceAttemptHTTP2:      false,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{
		Transport:     tr,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type response struct {
	status int
	header http.Header
	body   string
}

// do sends one request and reads at most 1 MiB of the answer.
func do(t testing.TB, c *http.Client, method, url, token, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

// httpCase is one request and what its answer must (not) contain.
// A header whose wanted value is "" must be absent.
type httpCase struct {
	name           string
	method, url    string
	token, body    string
	status         int
	headers        map[string]string
	contains       []string
	absent         []string
	headerContains map[string]string
}

func runHTTPCases(t *testing.T, c *http.Client, cases []httpCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			got := do(t, c, method, tc.url, tc.token, tc.body)
			if got.status != tc.status {
				t.Errorf("status = %d, want %d; body %.300q", got.status, tc.status, got.body)
			}
			for k, want := range tc.headers {
				if v, ok := got.header[http.CanonicalHeaderKey(k)]; want == "" && ok {
					t.Errorf("header %s = %q, want it absent", k, v)
				} else if want != "" && got.header.Get(k) != want {
					t.Errorf("header %s = %q, want %q", k, got.header.Get(k), want)
				}
			}
			for k, want := range tc.headerContains {
				if !strings.Contains(got.header.Get(k), want) {
					t.Errorf("header %s = %q, want it to contain %q", k, got.header.Get(k), want)
				}
			}
			for _, s := range tc.contains {
				if !strings.Contains(got.body, s) {
					t.Errorf("body lacks %q; body %.300q", s, got.body)
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(got.body, s) {
					t.Errorf("body contains %q", s)
				}
			}
		})
	}
}
