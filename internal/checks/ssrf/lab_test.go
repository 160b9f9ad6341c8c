package ssrf_test

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/checks/ssrf"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/result"
)

const callback = "https://collector.evil.test"

func withCallback(o *engine.Options) { o.CallbackURL = callback }

func only(t *testing.T, rep *result.Report, id string) finding.Finding {
	t.Helper()
	fs := labtest.WithID(rep, id)
	if len(fs) != 1 {
		t.Fatalf("%s: %d findings: %+v", id, len(fs), rep.Findings)
	}
	return fs[0]
}

func noToken(t *testing.T, f finding.Finding, token string) {
	t.Helper()
	if strings.Contains(f.Evidence.Summary, token) {
		t.Error("token in the evidence summary")
	}
	for _, h := range f.Evidence.HTTP {
		if strings.Contains(h.Body, token) || strings.Contains(h.URL, token) || strings.Contains(fmt.Sprint(h.RequestHeaders), token) {
			t.Error("token in evidence")
		}
	}
}

// vulnshop's preview fetches the collector and forwards the caller's
// token: critical, confirmed by the collector's own record, the
// credential shown redacted. In band, it returns the cloud metadata
// listing: critical.
func TestVulnShop(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, withCallback, ssrf.ServerSideFetch{})
	f := only(t, rep, ssrf.IDServerSideFetch)
	if f.Location.Path != "/api/v1/preview" || f.Location.Param != "url" || f.Severity != finding.Critical || f.Confidence != finding.Confirmed {
		t.Errorf("finding %+v", f)
	}
	if !strings.Contains(f.Title, "forwards the caller's token") || !strings.Contains(f.Evidence.Summary, "Authorization header: ****(sha256:") {
		t.Errorf("the forwarded credential must be named, redacted: %s / %s", f.Title, f.Evidence.Summary)
	}
	noToken(t, f, w.Vuln.Token)
	ib := only(t, rep, ssrf.IDInBand)
	if ib.Severity != finding.Critical || !strings.Contains(ib.Evidence.Summary, "169.254.169.254") || !strings.Contains(ib.Title, "metadata") {
		t.Errorf("in-band finding %+v", ib)
	}
	// The only requests at the collector are the API's fetch (which the
	// API sent, with the token: the flaw) — plumb's own poll is not
	// recorded and carries nothing.
	for _, r := range w.Collector.Requests() {
		if !strings.HasPrefix(r.Path, "/plumb/plumb-ssrf-") {
			t.Errorf("unexpected collector request %s %s", r.Method, r.Path)
		}
	}
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// --callback-listen: plumb runs the listener itself; the lab's preview
// reaches it over a real loopback connection and brings the token. The
// listener is gone when the scan ends.
func TestBuiltInListener(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	addr := freeAddr(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, func(o *engine.Options) { o.CallbackListen = addr }, ssrf.ServerSideFetch{})
	f := only(t, rep, ssrf.IDServerSideFetch)
	if f.Severity != finding.Critical || f.Confidence != finding.Confirmed || !strings.Contains(f.Evidence.Summary, "plumb's own callback listener") ||
		!strings.Contains(f.Evidence.Summary, "****(sha256:") {
		t.Errorf("finding %+v", f)
	}
	noToken(t, f, w.Vuln.Token)
	if len(w.Collector.Requests()) != 0 {
		t.Error("the collector was used although plumb ran its own listener")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		_ = c.Close()
		t.Error("the listener still accepts connections after the scan")
	}
}

// A listener address plumb cannot bind is a usage error before any
// request is sent.
func TestListenerAddressInUse(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	o := labtest.Options(t, w, w.Vuln.Token, ssrf.ServerSideFetch{})
	o.CallbackListen = l.Addr().String()
	_, err = engine.Scan(t.Context(), engine.Target{URL: w.Vuln.BaseURL}, o)
	var se *engine.ScanError
	if err == nil || !errors.As(err, &se) || se.Kind != engine.KindUsage {
		t.Fatalf("want a usage error, got %v", err)
	}
	if n := len(w.Vuln.Methods.Records()); n != 0 {
		t.Errorf("%d requests sent before failing", n)
	}
}

func TestCleanShop(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	for name, mod := range map[string]func(*engine.Options){
		"collector": withCallback,
		"listener":  func(o *engine.Options) { o.CallbackListen = freeAddr(t) },
		"in band":   nil,
	} {
		rep := labtest.Scan(t, w, w.Clean.BaseURL, w.Clean.Token, mod, ssrf.ServerSideFetch{})
		for _, f := range rep.Findings {
			t.Errorf("clean twin (%s): %s %s", name, f.ID, f.Title)
		}
	}
	if n := len(w.Collector.Requests()); n != 0 {
		t.Errorf("collector saw %d requests from the clean twin", n)
	}
}

// Without a callback channel only the in-band probes run: nothing reaches
// the collector.
func TestNoCallbackInBandOnly(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, nil, ssrf.ServerSideFetch{})
	if len(labtest.WithID(rep, ssrf.IDServerSideFetch)) != 0 || len(labtest.WithID(rep, ssrf.IDInBand)) != 1 {
		t.Errorf("findings %+v", rep.Findings)
	}
	if n := len(w.Collector.Requests()); n != 0 {
		t.Errorf("collector requests %d", n)
	}
}
