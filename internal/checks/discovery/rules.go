package discovery

import (
	"github.com/plumbsec/plumb/internal/errintel"
	"github.com/plumbsec/plumb/internal/rules"
)

// errorPack is the internal/rules pack that extracts an upstream host (or
// URL) from a client error string or stack trace: each rule captures host
// or url, names the client or runtime in meta.stack, and carries the
// samples the rules tests run. internal/errintel runs it with the packs
// that read the rest of an error page.
const errorPack = errintel.PackUpstreams

// maxScan bounds how much of one body the extractors read.
const maxScan = 256 << 10

// leak is one upstream host found in an error body.
type leak struct {
	Host  string
	Rule  string
	Stack string
	Match string // the matched text, for evidence
}

// upstreamHosts runs every rule of p over body and returns valid hosts,
// first match per host.
func upstreamHosts(p *rules.Pack, body []byte) []leak {
	var out []leak
	for _, u := range errintel.Upstreams(p, body) {
		out = append(out, leak{Host: u.Host, Rule: u.Rule, Stack: u.Stack, Match: u.Match})
	}
	return out
}
