package netx

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

func TestBearerTokenAndCarryScope(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t, Config{Credentials: creds(), Scope: []Origin{mustOrigin(t, "https://api.plumb.test"), mustOrigin(t, "http://api.plumb.test")},
		AllowPlainHTTPCredentials: true})
	if got := c.BearerToken(); got != testToken {
		t.Errorf("BearerToken = %q", got)
	}
	for u, want := range map[string]bool{
		"https://api.plumb.test/a?b=c":     true,
		"https://API.plumb.test:443/x":     true,
		"http://api.plumb.test/a":          true, // the opt-in holds for every copy of the credential
		"https://evil.plumb.test/a":        false,
		"https://api.plumb.test:8443/a":    false,
		"https://api.plumb.test.evil.test": false,
		"::not a url":                      false,
	} {
		if got := c.CanCarryCredential(u); got != want {
			t.Errorf("CanCarryCredential(%q) = %v, want %v", u, got, want)
		}
	}
	strict, _ := newClient(t, Config{Credentials: creds(), Scope: []Origin{mustOrigin(t, "https://api.plumb.test"), mustOrigin(t, "http://api.plumb.test")}})
	if strict.CanCarryCredential("http://api.plumb.test/a") {
		t.Error("a credential copy may go over plain HTTP without the opt-in")
	}
	nob, _ := newClient(t, Config{Credentials: http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}})
	if got := nob.BearerToken(); got != "" {
		t.Errorf("Basic credential read as bearer %q", got)
	}
}

func TestTLSHandshakeGoesThroughConnectToAndBudget(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c, _ := newClient(t, Config{MaxRequests: 2, ConnectTo: []ConnectTo{{FromPort: 443, ToHost: "127.0.0.1", ToPort: mustAtoi(t, port(srv))}}})
	probe := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10} //nolint:gosec // test
	if _, err := c.TLSHandshake(context.Background(), "https://api.plumb.test/", probe); err == nil {
		t.Error("a TLS 1.0-only handshake with a TLS 1.2+ server succeeded")
	}
	modern := &tls.Config{InsecureSkipVerify: true} //nolint:gosec // test
	st, err := c.TLSHandshake(context.Background(), "https://api.plumb.test/", modern)
	if err != nil || st.Version < tls.VersionTLS12 {
		t.Fatalf("handshake: %v %v", st, err)
	}
	if _, err := c.TLSHandshake(context.Background(), "https://api.plumb.test/", modern); !errors.Is(err, ErrBudgetExhausted) {
		t.Errorf("third handshake: %v, want budget exhausted", err)
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
