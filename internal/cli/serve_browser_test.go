package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

func chromiumPath(t *testing.T) string {
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("PLUMB_REQUIRE_BROWSER") != "" {
		t.Fatal("PLUMB_REQUIRE_BROWSER is set but no chromium is installed (apt-get install -y chromium)")
	}
	t.Skip("no chromium installed; set PLUMB_REQUIRE_BROWSER=1 to make this a failure")
	return ""
}

// browse starts headless Chromium (no background traffic) and records
// every URL the pages request.
func browse(t *testing.T) (context.Context, *[]string, *sync.Mutex) {
	bin := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1600),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-extensions", true),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	var mu sync.Mutex
	var urls []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			urls = append(urls, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx, &urls, &mu
}

// dashboardShowsIt signs in through the form and reads what the
// dashboard shows: the targets with grades, the lab API's host graph, and
// the diff with the fixed finding — on a desktop and on a phone-sized
// screen, with every request going to the server itself.
func dashboardShowsIt(t *testing.T, s *served, vulnID, switchID, fixedScanID string) {
	t.Helper()
	ctx, urls, mu := browse(t)
	text := func(sel string) string {
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser: %v", err)
		}
	}
	do(chromedp.Navigate(s.url+"/"),
		present(`#key`),
		chromedp.SendKeys(chromedp.CSS(`#key`), testAPIKey),
		chromedp.Submit(chromedp.CSS(`#key`)),
		present(`#targets`))
	targets := text(`#targets`)
	for _, want := range []string{"vulnshop", "switch", "F"} {
		if !strings.Contains(targets, want) {
			t.Errorf("targets table lacks %q: %s", want, targets)
		}
	}
	do(chromedp.Navigate(s.url+"/targets/"+switchID),
		present(`#scans`),
		chromedp.Click(chromedp.CSS(`tr[data-scan="`+fixedScanID+`"] a[href^="/diff"]`)),
		present(`#diff-summary`))
	fixed, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('#fixed details[data-id="data-exposure.content-type-sniffing"]')`))
	if diffText := text(`#fixed`); err != nil || !fixed || !strings.Contains(diffText, "X-Content-Type-Options") {
		t.Errorf("the diff page does not list the fixed finding (%v):\n%s", err, diffText)
	}
	if n := text(`#fixed-count`); n != "1" {
		t.Errorf("diff page fixed count %q, want 1", n)
	}
	lastScan := s.scans(t, vulnID)[0].ID
	do(chromedp.Navigate(s.url+"/scans/"+lastScan), present(`.graph img`))
	width, err := chromedp.Run(ctx, chromedp.Poll[int](`document.querySelector('.graph img').complete && document.querySelector('.graph img').naturalWidth`))
	if err != nil || width == 0 {
		t.Errorf("host graph not drawn (width %d): %v", width, err)
	}
	// Every label of the picture lies inside it: opened on its own, no
	// text's box crosses the SVG's viewBox (a host on the outer ring must
	// not lose the start of its name).
	src, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.graph img').src`))
	if err != nil {
		t.Fatal(err)
	}
	do(chromedp.Navigate(src), present(`svg text`))
	cut, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const s = document.querySelector('svg'), v = s.viewBox.baseVal;
		return [...s.querySelectorAll('text')].filter(t => { const b = t.getBBox();
			return b.x < v.x - 0.5 || b.x + b.width > v.x + v.width + 0.5 }).map(t => t.textContent) })()`))
	if err != nil || len(cut) > 0 {
		t.Errorf("host graph labels cut off at the picture's edge: %q (%v)", cut, err)
	}
	do(chromedp.Navigate(s.url+"/scans/"+lastScan), present(`.graph img`))
	if title := text(`h1`); !strings.Contains(title, "vulnshop") {
		t.Errorf("scan page title %q", title)
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		shot := filepath.Join(artifacts(t), "dashboard-scan.png")
		if os.WriteFile(shot, png, 0o644) == nil {
			t.Logf("screenshot: %s", shot)
		}
	}
	do(chromedp.EmulateViewport(375, 800), chromedp.Navigate(s.url+"/"), present(`#targets`))
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil || overflow {
		t.Errorf("the targets page scrolls sideways on a 375px phone screen (%v)", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(*urls) < 5 {
		t.Fatalf("recorded %d requests: the network check would be blind", len(*urls))
	}
	for _, u := range *urls {
		if !strings.HasPrefix(u, s.url+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the dashboard requested %s: not its own server", u)
		}
	}
}

// present waits until the current page (after any navigation) has an
// element matching sel.
func present(sel string) chromedp.Action[chromedp.Void] {
	expr := `!!document.querySelector(` + strconv.Quote(sel) + `)`
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		var last error
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			ok, err := chromedp.Evaluate[bool](expr)(ctx, t)
			if err == nil && ok {
				return chromedp.Void{}, nil
			}
			last = err // a navigation in progress interrupts the evaluation: try again
		}
		return chromedp.Void{}, fmt.Errorf("no %s on the page: %w", sel, last)
	}
}

func artifacts(t *testing.T) string {
	if d := os.Getenv("PLUMB_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err == nil {
			return d
		}
	}
	return t.TempDir()
}
