package netx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// AllowAddr vets the address a name resolved to, not the name: a name that
// points at loopback is refused like the literal.
func TestAllowAddrVetsResolvedAddresses(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(srv.Close)
	refused := errors.New("private address")
	deny, _ := newClient(t, Config{AllowAddr: func(a netip.Addr) error {
		if a.IsLoopback() {
			return refused
		}
		return nil
	}})
	allow, _ := newClient(t, Config{AllowAddr: func(netip.Addr) error { return nil }})
	for _, u := range []string{srv.URL, "http://api.plumb.test:" + port(srv) + "/"} {
		_, err := deny.Do(context.Background(), &Request{URL: u})
		if err == nil || !errors.Is(err, refused) || !strings.Contains(err.Error(), "127.0.0.1") {
			t.Errorf("GET %s with loopback refused: %v", u, err)
		}
		if _, err := allow.Do(context.Background(), &Request{URL: u}); err != nil {
			t.Errorf("GET %s with every address allowed: %v", u, err)
		}
	}
}
