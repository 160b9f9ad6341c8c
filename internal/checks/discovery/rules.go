package discovery

import (
	"html"
	"strings"

	"github.com/plumbsec/plumb/internal/rules"
)

// errorPack is the internal/rules pack that extracts an upstream host (or
// URL) from a client error string or stack trace: each rule captures host
// or url, names the client or runtime in meta.stack, and carries the
// samples the rules tests run.
const errorPack = "upstream-errors"

// maxScan bounds how much of one body the rules read.
const maxScan = 256 << 10

// leak is one upstream host found in an error body.
type leak struct {
	Host  string
	Rule  string
	Stack string
	Match string // the matched text, for evidence
}

// upstreamHosts runs every rule of p over body (HTML-unescaped first, since
// debugger pages escape quotes) and returns valid hosts, first match per host.
func upstreamHosts(p *rules.Pack, body []byte) []leak {
	s := string(body[:min(len(body), maxScan)])
	if strings.ContainsAny(s, "&") {
		s = html.UnescapeString(s)
	}
	text := rules.NewText(s)
	var out []leak
	seen := map[string]bool{}
	for _, r := range p.Rules {
		for _, m := range r.FindAll(text, 16) {
			h, ok := ValidHost(m.Capture("host"))
			if u := m.Capture("url"); u != "" {
				h, ok = hostOfURL(u)
			}
			if !ok || seen[h] {
				continue
			}
			seen[h] = true
			out = append(out, leak{Host: h, Rule: r.ID, Stack: r.Meta["stack"], Match: truncate(m.Text(), 200)})
		}
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
