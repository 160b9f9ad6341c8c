package lab

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestHostile(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	c := newClient(t, w)
	base := w.Hostile.BaseURL

	get := func(t *testing.T, ctx context.Context, path string) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	t.Run("slow never answers", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/slow", nil)
		if resp, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, %v; want deadline exceeded", resp, err)
		}
	})
	t.Run("trickle", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel()
		start := time.Now()
		// The error may be the deadline or, when the transport notices
		// the closed connection first, none; the byte count is the point.
		b, _ := io.ReadAll(get(t, ctx, "/trickle").Body)
		if len(b) < 1 || len(b) > 3 || time.Since(start) < time.Second {
			t.Fatalf("read %d bytes in %v; want 1-3 bytes until the deadline", len(b), time.Since(start))
		}
	})
	t.Run("huge", func(t *testing.T) {
		t.Parallel()
		const limit = 8 << 20
		n, err := io.Copy(io.Discard, io.LimitReader(get(t, context.Background(), "/huge").Body, limit))
		if err != nil || n != limit {
			t.Fatalf("read %d, %v; want %d bytes and more to come", n, err, limit)
		}
	})
	t.Run("gzipbomb", func(t *testing.T) {
		t.Parallel()
		resp := get(t, context.Background(), "/gzipbomb")
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.ContentLength > 2<<20 {
			t.Fatalf("encoding %q length %d", resp.Header.Get("Content-Encoding"), resp.ContentLength)
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		const limit = 16 << 20
		n, err := io.Copy(io.Discard, io.LimitReader(zr, limit))
		if err != nil || n != limit {
			t.Fatalf("expanded %d, %v; want at least %d", n, err, limit)
		}
	})
	t.Run("loop", func(t *testing.T) {
		t.Parallel()
		resp := get(t, context.Background(), "/loop")
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/loop" {
			t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("redirect chain", func(t *testing.T) {
		t.Parallel()
		follow := *c
		hops := 0
		follow.CheckRedirect = func(*http.Request, []*http.Request) error { hops++; return nil }
		resp, err := follow.Get(base + "/redirect-chain/5")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 || hops != 5 {
			t.Fatalf("status %d after %d hops, want 200 after 5", resp.StatusCode, hops)
		}
	})
	t.Run("headers huge", func(t *testing.T) {
		t.Parallel()
		if n := len(get(t, context.Background(), "/headers-huge").Header.Get("X-Huge")); n != hugeHeaderSize {
			t.Fatalf("header is %d bytes, want %d", n, hugeHeaderSize)
		}
	})
	t.Run("plain http too", func(t *testing.T) {
		t.Parallel()
		if got := do(t, c, "GET", "http://api.hostile.test/loop", "", ""); got.status != http.StatusFound {
			t.Fatalf("status %d", got.status)
		}
	})
}

func TestGzipBombExpandsExactly(t *testing.T) {
	t.Parallel()
	for _, chunks := range []int{1, 2, 5} {
		t.Run(strconv.Itoa(chunks), func(t *testing.T) {
			t.Parallel()
			bomb, err := buildGzipBomb(chunks)
			if err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(bytes.NewReader(bomb))
			if err != nil {
				t.Fatal(err)
			}
			zr.Multistream(false)
			got, err := io.ReadAll(zr) // checks the CRC and size trailer
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != chunks<<20 || bytes.IndexFunc(got, func(r rune) bool { return r != 0 }) >= 0 {
				t.Fatalf("expanded to %d bytes, want %d zeros", len(got), chunks<<20)
			}
		})
	}
	bomb, err := buildGzipBomb(gzipBombChunks)
	if err != nil {
		t.Fatal(err)
	}
	if len(bomb) > 2<<20 {
		t.Errorf("full bomb is %d bytes compressed, want about 1 MiB", len(bomb))
	}
	t.Logf("gzip bomb: %d bytes -> %d MiB", len(bomb), gzipBombChunks)
}
