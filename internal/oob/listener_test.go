package oob

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func listen(t *testing.T, base string) *Listener {
	t.Helper()
	l, err := Listen("127.0.0.1:0", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func get(t *testing.T, u string, h http.Header) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, strings.NewReader(strings.Repeat("b", 1000)))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// Only issued ids are recorded; anything else is a 404 that leaves no
// trace. A recorded request keeps method, path and headers (never a body),
// and Interactions returns as soon as it arrives.
func TestListenerRecordsOnlyIssuedIDs(t *testing.T) {
	t.Parallel()
	l := listen(t, "")
	id, u, err := l.New()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, "http://"+l.Addr().String()+"/"+idPrefix) || len(id) != len(idPrefix)+32 {
		t.Fatalf("probe URL %q id %q", u, id)
	}
	if st := get(t, "http://"+l.Addr().String()+"/"+idPrefix+strings.Repeat("0", 32), nil); st != http.StatusNotFound {
		t.Errorf("unknown id answered %d", st)
	}
	if st := get(t, "http://"+l.Addr().String()+"/", nil); st != http.StatusNotFound {
		t.Errorf("root answered %d", st)
	}
	if st := get(t, u+"/x?y=1", http.Header{"Authorization": {"Bearer s3cret-token"}}); st != http.StatusOK {
		t.Errorf("issued id answered %d", st)
	}
	t0 := time.Now()
	hits, err := l.Interactions(context.Background(), id, 5*time.Second)
	if err != nil || len(hits) != 1 {
		t.Fatalf("hits %+v err %v", hits, err)
	}
	if time.Since(t0) > 2*time.Second {
		t.Error("Interactions waited although a request had arrived")
	}
	h := hits[0]
	if h.Method != http.MethodGet || h.Path != "/"+id+"/x?y=1" || h.Header.Get("Authorization") != "Bearer s3cret-token" || h.RemoteAddr == "" {
		t.Errorf("interaction %+v", h)
	}
	if l.recorded != 1 {
		t.Errorf("%d recorded, want 1 (the 404s leave no trace)", l.recorded)
	}
}

// Behind a proxy the public base may add a path prefix; the id is found
// among the path's segments.
func TestListenerPublicBase(t *testing.T) {
	t.Parallel()
	l := listen(t, "https://cb.example.test/hooks/")
	id, u, err := l.New()
	if err != nil {
		t.Fatal(err)
	}
	if u != "https://cb.example.test/hooks/"+id {
		t.Errorf("probe URL %q", u)
	}
	if st := get(t, "http://"+l.Addr().String()+"/hooks/"+id, nil); st != http.StatusOK {
		t.Errorf("answered %d", st)
	}
	hits, _ := l.Interactions(context.Background(), id, 0)
	if len(hits) != 1 {
		t.Errorf("hits %+v", hits)
	}
}

// What one id keeps is capped, oversized headers are refused, and an
// unknown id is an error, not a wait.
func TestListenerBounds(t *testing.T) {
	t.Parallel()
	l := listen(t, "")
	id, u, _ := l.New()
	for range maxPerID + 5 {
		get(t, u, nil)
	}
	hits, _ := l.Interactions(context.Background(), id, 0)
	if len(hits) != maxPerID {
		t.Errorf("%d interactions kept, want %d", len(hits), maxPerID)
	}
	id2, u2, _ := l.New()
	if st := get(t, u2, http.Header{"X-Big": {strings.Repeat("a", 2*maxHeader)}}); st != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("oversized header answered %d", st)
	}
	if hits, _ := l.Interactions(context.Background(), id2, 0); len(hits) != 0 {
		t.Errorf("oversized request recorded: %+v", hits)
	}
	if _, err := l.Interactions(context.Background(), "plumb-cb-nope", time.Hour); err == nil {
		t.Error("unknown id: want an error")
	}
}

// Close stops serving: the port no longer accepts connections.
func TestListenerClose(t *testing.T) {
	t.Parallel()
	l, err := Listen("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		_ = c.Close()
		t.Error("still accepting after Close")
	}
	if _, err := Listen("no-port", ""); err == nil {
		t.Error("an address without a port must be refused")
	}
}
