package lab

import (
	"context"
	"crypto/tls"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestCloseReleasesEverything is deliberately not parallel: it counts
// goroutines, which other running tests would disturb. It leaves requests
// hanging on the hostile host and a DNS query unanswered, then checks that
// Close returns promptly and nothing outlives it.
func TestCloseReleasesEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	w, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	dial, err := connectDialer(w.ConnectTo)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{DialContext: dial, TLSClientConfig: &tls.Config{RootCAs: w.CAPool}}
	c := &http.Client{Transport: tr}

	var wg sync.WaitGroup
	for _, u := range []string{"https://api.hostile.test/slow", "http://api.hostile.test/trickle", "https://api.hostile.test/huge"} {
		wg.Go(func() {
			resp, err := c.Get(u)
			if err == nil {
				buf := make([]byte, 1024)
				for err == nil {
					_, err = resp.Body.Read(buf)
				}
				resp.Body.Close()
			}
		})
	}
	wg.Go(func() {
		m := new(dns.Msg)
		m.SetQuestion("timeout.vulnshop.test.", dns.TypeA)
		_, _, _ = (&dns.Client{Net: "tcp", Timeout: 500 * time.Millisecond}).Exchange(m, w.DNSAddr)
	})
	waitFor(t, "handlers in flight", func() bool { return w.web.inflightCount() == 3 })

	start := time.Now()
	if err := w.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	wg.Wait()
	tr.CloseIdleConnections()
	waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
	if _, err := c.Get("http://api.hostile.test/loop"); err == nil {
		t.Error("lab still answers after Close")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			stacks := string(buf[:runtime.Stack(buf, true)])
			t.Fatalf("timed out waiting for %s; goroutines:\n%s", what, firstLines(stacks, 80))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

func TestStartIsFast(t *testing.T) {
	t.Parallel()
	start := time.Now()
	w := startWorld(t)
	// Generous for -race and loaded CI machines; BenchmarkStart gives the
	// real number.
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Start took %v", d)
	}
	if len(w.ConnectTo) != 2 || !strings.HasPrefix(w.ConnectTo[0], ":443:127.0.0.1:") || !strings.HasPrefix(w.ConnectTo[1], ":80:127.0.0.1:") {
		t.Errorf("ConnectTo = %q", w.ConnectTo)
	}
	if !strings.HasPrefix(w.DNSAddr, "127.0.0.1:") {
		t.Errorf("DNSAddr = %q", w.DNSAddr)
	}
}

func TestStartCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if w, err := Start(ctx, Options{}); err == nil {
		w.Close()
		t.Fatal("Start with a canceled context: want an error")
	}
}

func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		w, err := Start(context.Background(), Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGzipBomb(b *testing.B) {
	for b.Loop() {
		if _, err := buildGzipBomb(gzipBombChunks); err != nil {
			b.Fatal(err)
		}
	}
}

// TestExtraZonesAndSites shows how later work plugs in a responder: a
// zone and a site through Options, served like the built-in ones.
func TestExtraZonesAndSites(t *testing.T) {
	t.Parallel()
	z, err := ParseZone("cloudapp.test", soaLine("cloudapp.test."), "claimed A 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	w, err := Start(context.Background(), Options{
		ExtraZones: []Zone{z},
		ExtraSites: []Site{{Host: "*.cloudapp.test", Handler: simplePage("404 Web Site not found")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	r, err := query(t, w.DNSAddr, "udp", "claimed.cloudapp.test", dns.TypeA, true, 0)
	if err != nil || r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
		t.Fatalf("extra zone: %v %v", r, err)
	}
	got := do(t, newClient(t, w), "GET", "https://anything.cloudapp.test/", "", "")
	if got.status != 200 || !strings.Contains(got.body, "Web Site not found") {
		t.Errorf("wildcard site: %d %q", got.status, got.body)
	}
}
