package netx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A second identity sends its own credential, in the same scope, drawing
// on the same budget, and the shared redactor masks both identities.
func TestWithIdentity(t *testing.T) {
	t.Parallel()
	var got seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.record(r)
		_, _ = w.Write([]byte("echo " + r.Header.Get("Authorization")))
	}))
	t.Cleanup(srv.Close)
	u := "http://api.plumb.test:" + port(srv) + "/"
	a, _ := newClient(t, Config{Credentials: creds(), MaxRequests: 4, AllowPlainHTTPCredentials: true,
		Scope: []Origin{mustOrigin(t, "http://api.plumb.test:"+port(srv))}})
	const tokB = "token-of-bob-0123456789"
	b, err := a.WithIdentity(http.Header{"Authorization": {"Bearer " + tokB}})
	if err != nil {
		t.Fatal(err)
	}
	anon, err := a.WithIdentity(nil)
	if err != nil || anon.HasCredentials() || !b.HasCredentials() {
		t.Fatalf("HasCredentials wrong (err %v)", err)
	}
	reqB := &Request{URL: u, WithCredentials: true}
	respB, err := b.Do(context.Background(), reqB)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Do(context.Background(), &Request{URL: u, WithCredentials: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := anon.Do(context.Background(), &Request{URL: u, WithCredentials: true}); err != nil {
		t.Fatal(err)
	}
	hits := got.get("api.plumb.test:" + port(srv))
	if len(hits) != 3 || hits[0].Get("Authorization") != "Bearer "+tokB || hits[0].Get("Cookie") != "" ||
		hits[1].Get("Authorization") != "Bearer "+testToken || hits[2].Get("Authorization") != "" {
		t.Fatalf("credentials sent: %v", hits)
	}
	ev := b.Evidence(reqB, respB, nil)
	if strings.Contains(ev.Body, tokB) || strings.Contains(ev.RequestHeaders["Authorization"][0], tokB) {
		t.Errorf("B's token in B's evidence: %+v", ev)
	}
	if a.Redactor().String("x "+tokB) == "x "+tokB {
		t.Error("A's redactor does not know B's token")
	}
	// One budget: 3 spent of 4, the 5th request of any identity is refused.
	if _, err := a.Do(context.Background(), &Request{URL: u}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Do(context.Background(), &Request{URL: u}); !errors.Is(err, ErrBudgetExhausted) {
		t.Errorf("budget not shared: %v", err)
	}
	if st := a.Stats(); st.Requests != 4 || !st.BudgetExhausted {
		t.Errorf("stats not shared: %+v", st)
	}
	if _, err := a.WithIdentity(http.Header{"Bad Name": {"x"}}); err == nil {
		t.Error("invalid header name accepted")
	}
}
