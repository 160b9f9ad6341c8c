package server

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// browser is a cookie-keeping client that does not follow redirects.
func (ts *testServer) browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := ts.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

func get(t *testing.T, c *http.Client, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func postForm(t *testing.T, c *http.Client, u string, v url.Values, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, val := range hdr {
		req.Header.Set(k, val)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`)

func TestDashboardSessionsAndCSRF(t *testing.T) {
	t.Parallel()
	ts := startServer(t, opts{allowPrivate: true})
	var tg struct{ ID string }
	ts.call(t, "POST", "/api/v1/targets", ts.key, map[string]any{"url": "https://switch.fix.test"}, &tg)
	c := ts.browser(t)
	if code, _, h := get(t, c, ts.URL+"/"); code != http.StatusSeeOther || h.Get("Location") != "/login" {
		t.Fatalf("signed out: %d %s", code, h.Get("Location"))
	}
	if resp, _ := postForm(t, c, ts.URL+"/login", url.Values{"key": {"plumb_nope_nope_nope_nope"}}, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad key sign-in: %d", resp.StatusCode)
	}
	if resp, _ := postForm(t, c, ts.URL+"/login", url.Values{"key": {ts.key}}, map[string]string{"Sec-Fetch-Site": "cross-site"}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site sign-in: %d", resp.StatusCode)
	}
	resp, _ := postForm(t, c, ts.URL+"/login", url.Values{"key": {ts.key}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	cookie := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"plumb_session=", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, ts.key) {
		t.Error("the API key is the cookie")
	}
	code, page, _ := get(t, c, ts.URL+"/")
	if code != 200 || !strings.Contains(page, "switch.fix.test") {
		t.Fatalf("targets page: %d", code)
	}
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token in the page's forms")
	}
	scanURL := ts.URL + "/targets/" + tg.ID + "/scan"
	if resp, _ := postForm(t, c, scanURL, url.Values{}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("form post without the CSRF token: %d", resp.StatusCode)
	}
	if resp, _ := postForm(t, c, scanURL, url.Values{"csrf": {m[1]}}, map[string]string{"Origin": "https://evil.example"}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin form post with the token: %d", resp.StatusCode)
	}
	if resp, _ := postForm(t, c, scanURL, url.Values{"csrf": {m[1]}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("scan now: %d", resp.StatusCode)
	}
	var scans struct{ Scans []map[string]any }
	ts.call(t, "GET", "/api/v1/targets/"+tg.ID+"/scans", ts.key, nil, &scans)
	if len(scans.Scans) != 1 || scans.Scans[0]["cause"] != "dashboard" {
		t.Fatalf("scan from the dashboard: %+v", scans.Scans)
	}
	sc := ts.waitScan(t, scans.Scans[0]["id"].(string))
	code, page, _ = get(t, c, ts.URL+"/scans/"+sc["id"].(string))
	if code != 200 || !strings.Contains(page, "content-type-sniffing") || !strings.Contains(page, "graph.svg") {
		t.Errorf("scan page: %d", code)
	}
	code, svg, h := get(t, c, ts.URL+"/scans/"+sc["id"].(string)+"/graph.svg")
	if code != 200 || h.Get("Content-Type") != "image/svg+xml" || !strings.Contains(svg, `data-host="switch.fix.test"`) || strings.Contains(svg, "style=") {
		t.Errorf("graph: %d %s\n%s", code, h.Get("Content-Type"), svg)
	}
	if resp, _ := postForm(t, c, ts.URL+"/logout", url.Values{"csrf": {m[1]}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign out: %d", resp.StatusCode)
	}
	if code, _, _ := get(t, c, ts.URL+"/"); code != http.StatusSeeOther {
		t.Errorf("after sign-out: %d", code)
	}
}

// Every page renders, with the findings block where it belongs (a page
// that borrowed another's blocks would render the wrong content).
func TestDiffPageRenders(t *testing.T) {
	t.Parallel()
	ts := startServer(t, opts{allowPrivate: true})
	var tg struct{ ID string }
	ts.call(t, "POST", "/api/v1/targets", ts.key, map[string]any{"url": "https://switch.fix.test"}, &tg)
	var a, b struct{ ID string }
	ts.call(t, "POST", "/api/v1/targets/"+tg.ID+"/scans", ts.key, nil, &a)
	ts.waitScan(t, a.ID)
	ts.fixed.Store(true)
	ts.call(t, "POST", "/api/v1/targets/"+tg.ID+"/scans", ts.key, nil, &b)
	ts.waitScan(t, b.ID)
	c := ts.browser(t)
	postForm(t, c, ts.URL+"/login", url.Values{"key": {ts.key}}, nil)
	code, page, _ := get(t, c, ts.URL+"/diff?from="+a.ID+"&to="+b.ID)
	if code != 200 || !strings.Contains(page, `id="fixed-count">1<`) || !strings.Contains(page, "content-type-sniffing") {
		t.Fatalf("diff page: %d\n%s", code, page)
	}
	for _, p := range []string{"/", "/targets/" + tg.ID, "/scans/" + b.ID, "/watches", "/webhooks"} {
		if code, page, _ := get(t, c, ts.URL+p); code != 200 || !strings.Contains(page, "</main>") {
			t.Errorf("GET %s: %d", p, code)
		}
	}
}
