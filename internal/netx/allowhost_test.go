package netx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
)

var errNotListed = errors.New("not listed")

// AllowHost is asked with the URL's host and port before anything is sent,
// redirect hops included; a refused host gets no request.
func TestAllowHost(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	var p string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "evil.plumb.test:"+p {
			hits.Add(1)
		}
		if r.URL.Path == "/go" {
			http.Redirect(w, r, "http://evil.plumb.test:"+p+"/", http.StatusFound)
		}
	}))
	t.Cleanup(srv.Close)
	p = port(srv)
	var asked []string
	c, _ := newClient(t, Config{AllowHost: func(host string, port int) error {
		asked = append(asked, host+":"+strconv.Itoa(port))
		if host == "api.plumb.test" {
			return nil
		}
		return errNotListed
	}})
	ctx := context.Background()
	if _, err := c.Do(ctx, &Request{URL: "http://api.plumb.test:" + p + "/"}); err != nil {
		t.Fatalf("allowed host: %v", err)
	}
	if _, err := c.Do(ctx, &Request{URL: "http://evil.plumb.test:" + p + "/"}); !errors.Is(err, errNotListed) {
		t.Errorf("refused host: got %v, want errNotListed", err)
	}
	if _, err := c.Do(ctx, &Request{URL: "http://api.plumb.test:" + p + "/go", FollowRedirects: true}); !errors.Is(err, errNotListed) {
		t.Errorf("redirect to a refused host: got %v, want errNotListed", err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the refused host got %d requests", n)
	}
	if len(asked) == 0 || asked[0] != "api.plumb.test:"+p {
		t.Errorf("AllowHost asked %v, want the URL's host and port first", asked)
	}
}
