package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/result"
)

const token = "lab-bearer-4hF9xQ21"

func TestAuth(t *testing.T) {
	t.Parallel()
	ts := startServer(t, opts{allowPrivate: true})
	if code, _ := ts.call(t, "GET", "/api/v1/targets", "", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("no key: %d", code)
	}
	if code, _ := ts.call(t, "GET", "/healthz", "", nil, nil); code != http.StatusOK {
		t.Errorf("healthz without a key: %d", code)
	}
	if code, _ := ts.call(t, "GET", "/api/v1/targets", ts.key, nil, nil); code != http.StatusOK {
		t.Fatalf("admin key refused: %d", code)
	}
	// Five failures are allowed (AuthFailures: 5; the request without a
	// key was one), the sixth attempt is refused before the key is even
	// checked — the right key included.
	for i := range 4 {
		if code, _ := ts.call(t, "GET", "/api/v1/targets", "plumb_wrong"+strings.Repeat("0", i+20), nil, nil); code != http.StatusUnauthorized {
			t.Fatalf("bad key %d: %d", i, code)
		}
	}
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/targets", nil)
	req.Header.Set("Authorization", "Bearer "+ts.key)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("after 5 failures: %d Retry-After %q, want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if strings.Contains(ts.log.String(), "plumb_wrong") || strings.Contains(ts.log.String(), ts.key) {
		t.Error("a key reached the log")
	}
}

func TestTargetsCRUDAndCredentialsAreWriteOnly(t *testing.T) {
	t.Parallel()
	ts := startServer(t, opts{allowPrivate: true})
	var created struct{ ID string }
	body := map[string]any{"url": "https://switch.fix.test", "credentials": map[string]any{"bearer": token, "headers": map[string]string{"X-Api-Key": "hdr-" + token}},
		"options": map[string]any{"rate": 50, "llm": "off"}, "schedule": "@every 6h"}
	if code, raw := ts.call(t, "POST", "/api/v1/targets", ts.key, body, &created); code != http.StatusCreated || created.ID == "" {
		t.Fatalf("create: %d %s", code, raw)
	}
	for _, path := range []string{"/api/v1/targets/" + created.ID, "/api/v1/targets"} {
		code, raw := ts.call(t, "GET", path, ts.key, nil, nil)
		if code != 200 || !strings.Contains(raw, `"has_credentials":true`) || !strings.Contains(raw, `"schedule":"@every 6h"`) {
			t.Errorf("GET %s: %d %s", path, code, raw)
		}
		if strings.Contains(raw, token) {
			t.Errorf("GET %s returned the credential", path)
		}
	}
	var patched map[string]any
	if code, raw := ts.call(t, "PATCH", "/api/v1/targets/"+created.ID, ts.key, map[string]any{"name": "switch", "credentials": map[string]any{}, "schedule": ""}, &patched); code != 200 ||
		patched["has_credentials"] != false || patched["name"] != "switch" || patched["schedule"] != nil {
		t.Errorf("patch: %d %s", code, raw)
	}
	if code, _ := ts.call(t, "DELETE", "/api/v1/targets/"+created.ID, ts.key, nil, nil); code != http.StatusNoContent {
		t.Errorf("delete: %d", code)
	}
	if code, _ := ts.call(t, "GET", "/api/v1/targets/"+created.ID, ts.key, nil, nil); code != http.StatusNotFound {
		t.Errorf("deleted target: %d", code)
	}
	if strings.Contains(ts.log.String(), token) {
		t.Error("a credential reached the log")
	}
}

func TestInputIsValidated(t *testing.T) {
	t.Parallel()
	ts := startServer(t, opts{allowPrivate: false})
	for name, c := range map[string]struct {
		path string
		body any
		code int
		want string
	}{
		"loopback literal":     {"/api/v1/targets", map[string]any{"url": "http://127.0.0.1:8080"}, 422, "refused"},
		"localhost":            {"/api/v1/targets", map[string]any{"url": "http://localhost/"}, 422, "refused"},
		"name on loopback":     {"/api/v1/targets", map[string]any{"url": "https://switch.fix.test"}, 422, "resolves to"},
		"metadata address":     {"/api/v1/targets", map[string]any{"url": "http://169.254.169.254/latest"}, 422, "refused"},
		"private spec":         {"/api/v1/targets", map[string]any{"url": "https://93.184.215.14", "spec": "http://10.0.0.5/openapi.json"}, 422, "refused"},
		"private resolver":     {"/api/v1/targets", map[string]any{"url": "https://93.184.215.14", "options": map[string]any{"resolver": []string{"127.0.0.1:53"}}}, 422, "refused"},
		"not a URL":            {"/api/v1/targets", map[string]any{"url": "ftp://x"}, 422, "scheme"},
		"no URL":               {"/api/v1/targets", map[string]any{"name": "x"}, 422, "url is required"},
		"unknown field":        {"/api/v1/targets", map[string]any{"url": "https://93.184.215.14", "sched": "@daily"}, 422, "unknown field"},
		"credentials in URL":   {"/api/v1/targets", map[string]any{"url": "https://u:p@93.184.215.14"}, 422, "credentials"},
		"bad schedule":         {"/api/v1/targets", map[string]any{"url": "https://93.184.215.14", "schedule": "hourly"}, 422, "schedule"},
		"bad llm tier":         {"/api/v1/targets", map[string]any{"url": "https://93.184.215.14", "options": map[string]any{"llm": "max"}}, 422, "llm"},
		"bad exclude":          {"/api/v1/targets", map[string]any{"url": "https://93.184.215.14", "options": map[string]any{"exclude": []string{"GET admin"}}}, 422, "options.exclude"},
		"header injection":     {"/api/v1/targets", map[string]any{"url": "https://93.184.215.14", "credentials": map[string]any{"bearer": "a\r\nX: y"}}, 422, "one line"},
		"not JSON":             {"/api/v1/targets", "{", 422, "invalid JSON"},
		"too large":            {"/api/v1/targets", `{"url":"` + strings.Repeat("a", 2<<20) + `"}`, 413, "larger than"},
		"private webhook":      {"/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:9/x", "secret": "0123456789abcdef", "events": []string{"scan.completed"}}, 422, "refused"},
		"short webhook secret": {"/api/v1/webhooks", map[string]any{"url": "https://93.184.215.14/x", "secret": "short", "events": []string{"scan.completed"}}, 422, "secret"},
		"unknown event":        {"/api/v1/webhooks", map[string]any{"url": "https://93.184.215.14/x", "secret": "0123456789abcdef", "events": []string{"scan.started"}}, 422, "not one of"},
		"bad watch name":       {"/api/v1/dns-watches", map[string]any{"names": []string{"a b"}, "schedule": "@daily"}, 422, "host name"},
		"watch too often":      {"/api/v1/dns-watches", map[string]any{"names": []string{"a.example.com"}, "schedule": "@every 1s"}, 422, "shortest"},
		"bad watch types":      {"/api/v1/dns-watches", map[string]any{"names": []string{"a.example.com"}, "schedule": "@daily", "options": map[string]any{"types": []string{"MX", "PTR"}}}, 422, `options.types: record type \"PTR\"`},
		"empty watch types":    {"/api/v1/dns-watches", map[string]any{"names": []string{"a.example.com"}, "schedule": "@daily", "options": map[string]any{"types": []string{" "}}}, 422, "options.types: no record type"},
	} {
		code, raw := ts.call(t, "POST", c.path, ts.key, c.body, nil)
		if code != c.code || !strings.Contains(raw, c.want) {
			t.Errorf("%s: %d %s, want %d containing %q", name, code, raw, c.code, c.want)
		}
	}
}

// On-demand scans through the API: 202, the scan's report is the CLI's
// JSON report, the diff against the previous scan says what was fixed.
func TestScanAndDiffThroughTheAPI(t *testing.T) {
	t.Parallel()
	ts := startServer(t, opts{allowPrivate: true})
	var tg struct{ ID string }
	ts.call(t, "POST", "/api/v1/targets", ts.key, map[string]any{"url": "https://switch.fix.test", "credentials": map[string]any{"bearer": token}}, &tg)
	scan := func() map[string]any {
		var sc struct{ ID string }
		if code, raw := ts.call(t, "POST", "/api/v1/targets/"+tg.ID+"/scans", ts.key, nil, &sc); code != http.StatusAccepted {
			t.Fatalf("start scan: %d %s", code, raw)
		}
		return ts.waitScan(t, sc.ID)
	}
	first := scan()
	if first["status"] != "done" || first["grade"] == "" {
		t.Fatalf("first scan: %v", first)
	}
	_, raw := ts.call(t, "GET", "/api/v1/scans/"+first["id"].(string), ts.key, nil, nil)
	rep, err := result.ReadReport(strings.NewReader(raw[strings.Index(raw, `"report":`)+len(`"report":`) : len(raw)-2]))
	if err != nil || len(rep.Findings) != 1 || rep.Findings[0].ID != "data-exposure.content-type-sniffing" {
		t.Fatalf("report: %v %+v", err, rep)
	}
	if strings.Contains(raw, token) {
		t.Error("the report holds the credential")
	}
	ts.fixed.Store(true)
	second := scan()
	var d struct {
		PreviousScanID string `json:"previous_scan_id"`
		New, Fixed     []map[string]any
		Unchanged      int
	}
	if code, raw := ts.call(t, "GET", "/api/v1/scans/"+second["id"].(string)+"/diff", ts.key, nil, &d); code != 200 ||
		d.PreviousScanID != first["id"] || len(d.Fixed) != 1 || len(d.New) != 0 || d.Unchanged != 0 {
		t.Fatalf("diff: %d %s", code, raw)
	}
	var list struct{ Scans []map[string]any }
	ts.call(t, "GET", "/api/v1/targets/"+tg.ID+"/scans", ts.key, nil, &list)
	if len(list.Scans) != 2 || list.Scans[0]["id"] != second["id"] || list.Scans[0]["report"] != nil {
		t.Errorf("scan list: %+v", list.Scans)
	}
	if code, _ := ts.call(t, "POST", "/api/v1/scans/"+second["id"].(string)+"/cancel", ts.key, nil, nil); code != http.StatusConflict {
		t.Errorf("cancel of a finished scan: %d", code)
	}
}

func TestWebhooksAndWatchesAPI(t *testing.T) {
	t.Parallel()
	ts := startServer(t, opts{allowPrivate: true})
	var wh struct{ ID string }
	secret := "whsec-" + token
	if code, raw := ts.call(t, "POST", "/api/v1/webhooks", ts.key, map[string]any{"url": "http://127.0.0.1:9/hook", "secret": secret, "events": []string{"finding.fixed", "scan.completed"}}, &wh); code != 201 {
		t.Fatalf("create webhook: %d %s", code, raw)
	}
	for _, p := range []string{"/api/v1/webhooks", "/api/v1/webhooks/" + wh.ID, "/api/v1/webhooks/" + wh.ID + "/deliveries"} {
		code, raw := ts.call(t, "GET", p, ts.key, nil, nil)
		if code != 200 || strings.Contains(raw, secret) {
			t.Errorf("GET %s: %d (secret returned: %v)", p, code, strings.Contains(raw, secret))
		}
	}
	var w struct{ ID string }
	if code, raw := ts.call(t, "POST", "/api/v1/dns-watches", ts.key, map[string]any{"names": []string{"switch.fix.test", "Metrics.Vulnshop.Test."}, "schedule": "@every 1h"}, &w); code != 201 {
		t.Fatalf("create watch: %d %s", code, raw)
	}
	var got struct {
		Names  []string
		Runs   int
		Status []struct{ Name, Status string }
	}
	for i := 0; i < 600 && got.Runs == 0; i++ {
		ts.call(t, "GET", "/api/v1/dns-watches/"+w.ID, ts.key, nil, &got)
		if got.Runs == 0 {
			sleep()
		}
	}
	if len(got.Status) != 2 || got.Names[1] != "metrics.vulnshop.test" {
		t.Fatalf("watch after its first run: %+v", got)
	}
	for _, n := range got.Status {
		want := map[string]string{"switch.fix.test": "ok", "metrics.vulnshop.test": "vulnerable"}[n.Name]
		if n.Status != want {
			t.Errorf("%s: %s, want %s", n.Name, n.Status, want)
		}
	}
	if code, _ := ts.call(t, "DELETE", "/api/v1/dns-watches/"+w.ID, ts.key, nil, nil); code != http.StatusNoContent {
		t.Errorf("delete watch: %d", code)
	}
}

// Each API key and each client address has a request budget; answers say
// how much is left, and past it the answer is 429 with Retry-After.
func TestRequestRateLimit(t *testing.T) {
	t.Parallel()
	ts := startServer(t, opts{allowPrivate: true, rateLimit: 1})
	for _, c := range []struct{ path, key string }{{"/api/v1/targets", ts.key}, {"/healthz", ""}} {
		var codes []int
		var last http.Header
		for range 4 {
			req, _ := http.NewRequest("GET", ts.URL+c.path, nil)
			if c.key != "" {
				req.Header.Set("Authorization", "Bearer "+c.key)
			}
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			codes, last = append(codes, resp.StatusCode), resp.Header
		}
		if codes[0] != 200 || codes[3] != http.StatusTooManyRequests || last.Get("Retry-After") == "" || last.Get("RateLimit-Limit") != "2" {
			t.Errorf("GET %s four times at a limit of 1/s: %v, headers %v", c.path, codes, last)
		}
	}
}
