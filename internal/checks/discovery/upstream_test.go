package discovery

import (
	"github.com/plumbsec/plumb/internal/errintel"
	"github.com/plumbsec/plumb/internal/rules"
)

// leak is one upstream host found in an error body.
type leak struct {
	Host  string
	Rule  string
	Stack string
	Match string
}

// upstreamHosts runs every rule of p over body (as the check does through
// errintel) and returns valid hosts, first match per host.
func upstreamHosts(p *rules.Pack, body []byte) []leak {
	var out []leak
	for _, u := range errintel.Upstreams(p, body) {
		out = append(out, leak{Host: u.Host, Rule: u.Rule, Stack: u.Stack, Match: u.Match})
	}
	return out
}
