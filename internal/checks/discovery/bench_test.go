package discovery

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func BenchmarkUpstreamHostsWerkzeug(b *testing.B) {
	body, err := os.ReadFile(filepath.Join("testdata", "bodies", "werkzeug_500.html"))
	if err != nil {
		b.Fatal(err)
	}
	p := errorRules(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if len(upstreamHosts(p, body)) != 1 {
			b.Fatal("no host")
		}
	}
}

// A 256 KiB page with no error strings: the cost every scanned error
// response pays.
func BenchmarkUpstreamHostsLargeMiss(b *testing.B) {
	body := bytes.Repeat([]byte("<p>Internal Server Error &amp; nothing to see here</p>\n"), (256<<10)/55)
	p := errorRules(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if len(upstreamHosts(p, body)) != 0 {
			b.Fatal("false positive")
		}
	}
}

func BenchmarkJSONRefs(b *testing.B) {
	body, err := os.ReadFile(filepath.Join("testdata", "bodies", "node_links.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		_, _ = jsonRefs(body)
	}
}
