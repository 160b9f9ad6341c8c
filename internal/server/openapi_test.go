package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The document is valid OpenAPI and lists exactly the routes the server
// serves, each with its security: a route added without documenting it
// (or the reverse) fails here.
func TestOpenAPIDocumentMatchesRoutes(t *testing.T) {
	t.Parallel()
	raw, err := openAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI: %v", err)
	}
	s := &Server{}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			documented[method+" "+path] = true
			public := op.Security != nil && len(*op.Security) == 0
			found := false
			for _, rt := range s.apiRoutes() {
				if rt.method == method && rt.pattern == path {
					found = true
					if rt.public != public {
						t.Errorf("%s %s: public %v in the server, %v in the document", method, path, rt.public, public)
					}
				}
			}
			if !found {
				t.Errorf("documented but not served: %s %s", method, path)
			}
		}
	}
	for _, rt := range s.apiRoutes() {
		if !documented[rt.method+" "+rt.pattern] {
			t.Errorf("served but not documented: %s %s", rt.method, rt.pattern)
		}
	}
}

// Every response carries the protective headers, none allows other
// origins, and API answers are never cached.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	ts := startServer(t, opts{allowPrivate: true})
	for _, c := range []struct{ path, key string }{{"/api/v1/targets", ts.key}, {"/api/v1/targets", ""}, {"/login", ""}, {"/api/v1/openapi.json", ""}, {"/nope", ""}} {
		req, _ := http.NewRequest("GET", ts.URL+c.path, nil)
		req.Header.Set("Origin", "https://evil.example")
		if c.key != "" {
			req.Header.Set("Authorization", "Bearer "+c.key)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Cache-Control": "no-store",
			"Referrer-Policy": "no-referrer"} {
			if h.Get(name) != want {
				t.Errorf("GET %s: %s %q, want %q", c.path, name, h.Get(name), want)
			}
		}
		if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("GET %s: CSP %q", c.path, h.Get("Content-Security-Policy"))
		}
		if h.Get("Access-Control-Allow-Origin") != "" || h.Get("Server") != "" {
			t.Errorf("GET %s: CORS %q, Server %q", c.path, h.Get("Access-Control-Allow-Origin"), h.Get("Server"))
		}
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	ts := startServer(t, opts{allowPrivate: true})
	var tg struct{ ID string }
	ts.call(t, "POST", "/api/v1/targets", ts.key, map[string]any{"url": "https://switch.fix.test"}, &tg)
	var sc struct{ ID string }
	ts.call(t, "POST", "/api/v1/targets/"+tg.ID+"/scans", ts.key, nil, &sc)
	ts.waitScan(t, sc.ID)
	if code, _ := ts.call(t, "GET", "/metrics", "", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("metrics without a key: %d", code)
	}
	code, raw := ts.call(t, "GET", "/metrics", ts.key, nil, nil)
	for _, want := range []string{`plumb_scans{status="done"} 1`, `plumb_jobs{kind="plumb.scan",state=`,
		"plumb_scan_duration_seconds_count 1", "plumb_scan_requests_total ", "plumb_webhook_failed_attempts_total 0", `plumb_http_responses_total{code="2xx"}`} {
		if code != 200 || !strings.Contains(raw, want) {
			t.Errorf("metrics lack %q:\n%s", want, raw)
		}
	}
}
