package ssrfprobe

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/netx"
)

// fake is an API whose answer to each URL value is decided by answer.
func fake(answer func(v string) (int, string)) Sender {
	return func(_ context.Context, v string) (*netx.Request, *netx.Response, error) {
		st, body := answer(v)
		return &netx.Request{Method: http.MethodGet, URL: "https://api.shop.test/preview?url=" + v},
			&netx.Response{StatusCode: st, Body: []byte(body)}, nil
	}
}

const ownPage = "<!doctype html><title>Shop API</title><p>Welcome to the Shop API, version 2 of the catalogue service.</p>"

var targets = Targets{Own: "https://api.shop.test/", OwnBody: []byte(ownPage), Port: 443}

func TestInBand(t *testing.T) {
	t.Parallel()
	refused := func(v string) (int, string) {
		return 502, fmt.Sprintf(`{"error":"HTTPConnectionPool(host='127.0.0.1', port=%s): [Errno 111] Connection refused"}`,
			strings.TrimSuffix(strings.TrimPrefix(v, "http://127.0.0.1:"), "/"))
	}
	unresolved := func(v string) (int, string) { return 502, `{"error":"Name or service not known"}` }
	cases := []struct {
		name   string
		answer func(v string) (int, string)
		want   Kind // "" for no evidence
	}{
		{"metadata", func(v string) (int, string) {
			if strings.Contains(v, "169.254.169.254") {
				return 200, `{"preview":"ami-id\nhostname\ninstance-id\n"}`
			}
			return unresolved(v)
		}, Metadata},
		{"loopback content", func(v string) (int, string) {
			if v == "http://127.0.0.1:443/" {
				return 200, `{"preview":` + fmt.Sprintf("%q", ownPage[:80]) + `}`
			}
			return unresolved(v)
		}, LoopbackContent},
		{"own origin content", func(v string) (int, string) {
			if v == targets.Own {
				return 200, `{"preview":` + fmt.Sprintf("%q", ownPage) + `}`
			}
			if strings.HasPrefix(v, "http://127.0.0.1") {
				return refused(v)
			}
			return unresolved(v)
		}, OwnContent},
		{"refused by port", func(v string) (int, string) {
			if strings.HasPrefix(v, "http://127.0.0.1") {
				return refused(v)
			}
			return unresolved(v)
		}, PortDifferential},
		{"open port answers differently", func(v string) (int, string) {
			switch {
			case v == "http://127.0.0.1:443/":
				return 502, `{"error":"bad gateway from upstream"}`
			case strings.HasPrefix(v, "http://127.0.0.1"):
				return 504, `{"error":"timed out"}`
			}
			return unresolved(v)
		}, PortDifferential},
		{"allow-listed fetcher", func(string) (int, string) { return 400, `{"error":"url_not_allowed"}` }, ""},
		{"echoes the value", func(v string) (int, string) { return 400, `{"error":"cannot fetch ` + v + `"}` }, ""},
		{"unstable answers", func() func(string) (int, string) {
			n := 0
			return func(string) (int, string) { n++; return 502, fmt.Sprintf(`{"request_id":%d}`, n) }
		}(), ""},
		{"ignores the parameter", func(string) (int, string) { return 200, ownPage }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := InBand(context.Background(), fake(c.answer), targets)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case c.want == "" && r != nil:
				t.Errorf("evidence %s: %s", r.Kind, r.Detail)
			case c.want != "" && (r == nil || r.Kind != c.want):
				t.Errorf("got %+v, want %s", r, c.want)
			case r != nil && (len(r.Evidence) < 2 || r.Evidence[0].Value != controlURL):
				t.Errorf("evidence must start with the control: %+v", r.Evidence)
			}
		})
	}
}
