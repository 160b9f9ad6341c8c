package netx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func BenchmarkClientDo(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	b.Cleanup(srv.Close)
	c, _ := newClient(b, Config{PerHostConcurrency: 8})
	req := &Request{URL: "http://api.plumb.test:" + port(srv) + "/bench"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Do(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedactorString(b *testing.B) {
	r := NewRedactor(testSecret, testToken, "sess-0123456789", "key-abcdef123")
	text := strings.Repeat(`{"user":"alice","note":"nothing to see here","id":12345} `, 36) + testToken // ~2 KiB
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		_ = r.String(text)
	}
}
