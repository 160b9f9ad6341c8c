package report

import (
	"bytes"
	"context"
	"image/png"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The HTML report is checked in a real headless Chromium (Debian package
// "chromium"). Every request the browser makes goes through a recording
// proxy on loopback, so "no request left the page" is observed, not
// assumed. Without a browser the test skips, unless PLUMB_REQUIRE_BROWSER
// is set (.ci/run sets it after installing chromium). The screenshot is
// kept in $PLUMB_ARTIFACTS (or the test's temp dir).
func TestHTMLInBrowser(t *testing.T) {
	t.Parallel()
	browser := findBrowser()
	if browser == "" {
		if os.Getenv("PLUMB_REQUIRE_BROWSER") != "" {
			t.Fatal("PLUMB_REQUIRE_BROWSER is set but no chromium is installed (apt-get install -y chromium)")
		}
		t.Skip("no chromium installed; set PLUMB_REQUIRE_BROWSER=1 to make this a failure")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, render(t, "html", Options{}), 0o644); err != nil {
		t.Fatal(err)
	}
	proxy := startRecordingProxy(t)
	b := &chromium{bin: browser, proxy: proxy.addr, profile: filepath.Join(dir, "profile")}

	// Control: a page that does fetch something is caught by the proxy, so
	// the assertion below can fail.
	control := filepath.Join(dir, "control.html")
	if err := os.WriteFile(control, []byte(`<!DOCTYPE html><img src="http://leak.plumb.test/x.png">`), 0o644); err != nil {
		t.Fatal(err)
	}
	b.run(t, "--dump-dom", "file://"+control)
	if len(pageRequests(t, proxy.requests())) == 0 {
		t.Fatal("control page's request was not recorded: the network assertion would be blind")
	}
	proxy.reset()

	dom := b.run(t, "--dump-dom", "file://"+page+"#open=all")
	for _, want := range []string{
		`data-ready="true"`, // the inline script ran under the page's CSP
		`<title>plumb report: https://api.example.test</title>`, // the evidence's script did not
		`id="grade" title="grade">F</div>`,
		`&lt;script&gt;document.title="pwned"&lt;/script&gt;`, // evidence shown as text
		`id="shown-count">5</span>`,
		`DANGLING`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
	if strings.Contains(dom, "<img src=\"x\"") || strings.Contains(dom, "pwned</title>") {
		t.Error("the evidence's markup became live DOM")
	}

	// The severity filter works in the browser: only the critical finding stays visible.
	dom = b.run(t, "--dump-dom", "file://"+page+"#severity=critical")
	if !strings.Contains(dom, `id="shown-count">1</span>`) {
		t.Error("severity filter did not leave exactly one finding shown")
	}
	hidden := regexp.MustCompile(`<details class="finding[^"]*" data-severity="(\w+)"[^>]*hidden=""`)
	for _, m := range hidden.FindAllStringSubmatch(dom, -1) {
		if m[1] == "critical" {
			t.Error("the critical finding is hidden by the critical filter")
		}
	}
	if n := len(hidden.FindAllString(dom, -1)); n != 4 {
		t.Errorf("%d findings hidden by the filter, want 4", n)
	}

	shot := filepath.Join(artifactsDir(t), "report.png")
	b.run(t, "--screenshot="+shot, "--window-size=1280,1800", "--hide-scrollbars", "file://"+page+"#open=all")
	checkScreenshot(t, shot)
	t.Logf("screenshot: %s", shot)

	if reqs := pageRequests(t, proxy.requests()); len(reqs) > 0 {
		t.Errorf("the report made network requests: %v", reqs)
	}
}

// browserServices are Chromium's own background endpoints (update checks,
// network time, sign-in) that some builds contact whatever the flags; they
// are not the page's requests. They reach only the refusing proxy.
var browserServices = regexp.MustCompile(`^(GET|POST|CONNECT) (clients\d*\.google\.com|update\.googleapis\.com|accounts\.google\.com|www\.googleapis\.com|optimizationguide-pa\.googleapis\.com|content-autofill\.googleapis\.com|redirector\.gvt1\.com)(:443)?(/|$)`)

func pageRequests(t *testing.T, all []string) []string {
	var out []string
	for _, r := range all {
		if browserServices.MatchString(r) {
			t.Logf("ignored Chromium background request: %s", r)
			continue
		}
		out = append(out, r)
	}
	return out
}

func findBrowser() string {
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

func artifactsDir(t *testing.T) string {
	if d := os.Getenv("PLUMB_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

type chromium struct{ bin, proxy, profile string }

// run starts headless Chromium with its background traffic off and every
// request sent to the recording proxy (loopback included).
func (c *chromium) run(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
		"--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,NetworkTimeServiceQuerying",
		"--disable-client-side-phishing-detection", "--disable-domain-reliability", "--no-pings",
		"--metrics-recording-only", "--user-data-dir=" + c.profile,
		"--proxy-server=http://" + c.proxy, "--proxy-bypass-list=<-loopback>",
		"--virtual-time-budget=3000",
	}
	cmd := exec.CommandContext(ctx, c.bin, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

// checkScreenshot decodes the PNG and checks it shows the page: the red F
// grade badge and more than a blank canvas.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	colors := map[uint32]bool{}
	red := 0
	bnd := img.Bounds()
	for y := bnd.Min.Y; y < bnd.Max.Y; y += 3 {
		for x := bnd.Min.X; x < bnd.Max.X; x += 3 {
			r, g, b, _ := img.At(x, y).RGBA()
			colors[(r>>11)<<10|(g>>11)<<5|b>>11] = true
			if y < 140 && x < 160 && r>>8 > 180 && g>>8 < 80 && b>>8 < 80 {
				red++ // the grade F badge (#c62828) in the header's top-left
			}
		}
	}
	if len(colors) < 20 {
		t.Errorf("screenshot has %d colors: blank page?", len(colors))
	}
	if red < 50 {
		t.Errorf("screenshot shows no red grade badge top-left (%d red samples)", red)
	}
}

type recordingProxy struct {
	addr string
	mu   sync.Mutex
	reqs []string
}

func (p *recordingProxy) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.reqs...)
}

func (p *recordingProxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reqs = nil
}

// startRecordingProxy records and refuses every request; it never
// forwards anything, so the test stays on loopback.
func startRecordingProxy(t *testing.T) *recordingProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &recordingProxy{addr: ln.Addr().String()}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.reqs = append(p.reqs, r.Method+" "+r.Host+r.URL.Path)
		p.mu.Unlock()
		http.Error(w, "blocked by plumb's test proxy", http.StatusForbidden)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return p
}
