package lab

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"
)

func TestHostileSites(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	c := newClient(t, w)
	for _, tc := range []struct {
		url    string
		min    int
		max    int
		status int
	}{
		{"https://" + HangHost + "/", 1, 100, 200},
		{"https://" + HangHost + "/openapi.json", 1000, 10 << 10, 200},
		{"https://" + BombHost + "/openapi.yaml", 1 << 20, 2 << 20, 200},
		{"https://" + BigSpecHost + "/openapi.yaml", 2<<20 + 1, 4 << 20, 200},
		{"https://" + BigSpecHost + "/openapi.json", 0, 100, 404},
	} {
		resp, err := c.Get(tc.url)
		if err != nil {
			t.Fatalf("%s: %v", tc.url, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != tc.status || len(b) < tc.min || len(b) > tc.max {
			t.Errorf("%s: status %d, %d bytes, %v; want %d and %d-%d bytes", tc.url, resp.StatusCode, len(b), err, tc.status, tc.min, tc.max)
		}
	}
	if n := len(w.Hang.Methods.Records()); n != 2 {
		t.Errorf("hang site recorded %d requests, want 2", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+HangHost+"/api/r0", nil)
	if resp, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hang site answered %v, %v; want it to hang", resp, err)
	}
}
