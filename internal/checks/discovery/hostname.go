// Package discovery grows the host graph from the wire: OIDC and OAuth
// metadata, response headers (Location, Link, CORS, CSP, WWW-Authenticate),
// URLs in JSON bodies, JWT iss/jku/x5u, and upstream host names that error
// pages leak. Each host gets roles and whether credentials flow there, so
// the DNS audit (PhaseHosts) covers it.
package discovery

import (
	"github.com/plumbsec/plumb/internal/hosts"
)

// maxAdded bounds how many hosts one check may add to the graph: a hostile
// target must not flood the DNS audit.
const maxAdded = 64

// ValidHost normalises a host name taken from untrusted text and says
// whether it belongs in the graph (see hosts.Valid).
func ValidHost(raw string) (string, bool) { return hosts.Valid(raw) }

// hostOfURL returns the valid host of an absolute http(s)/ws(s) URL.
func hostOfURL(raw string) (string, bool) { return hosts.OfURL(raw) }

// adder adds hosts to the graph up to maxAdded, skipping names the check
// itself planted (probe origins) so they never enter the graph.
type adder struct {
	g     *hosts.Graph
	skip  func(string) bool
	n     int
	added map[string]bool
}

func newAdder(g *hosts.Graph, skip func(string) bool) *adder {
	return &adder{g: g, skip: skip, added: map[string]bool{}}
}

// add records host with role; it returns false when host was rejected.
func (a *adder) add(host string, role hosts.Role, source string, creds bool) bool {
	h, ok := ValidHost(host)
	if !ok || (a.skip != nil && a.skip(h)) {
		return false
	}
	if !a.added[h] {
		if a.n >= maxAdded {
			return false
		}
		a.n++
		a.added[h] = true
	}
	a.g.Add(h, role, source, creds)
	return true
}
