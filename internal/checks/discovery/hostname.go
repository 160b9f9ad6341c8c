// Package discovery grows the host graph from the wire: OIDC and OAuth
// metadata, response headers (Location, Link, CORS, CSP, WWW-Authenticate),
// URLs in JSON bodies, JWT iss/jku/x5u, and upstream host names that error
// pages leak. Each host gets roles and whether credentials flow there, so
// the DNS audit (PhaseHosts) covers it.
package discovery

import (
	"net/netip"
	"net/url"
	"strings"

	"github.com/plumbsec/plumb/internal/hosts"
)

// maxAdded bounds how many hosts one check may add to the graph: a hostile
// target must not flood the DNS audit.
const maxAdded = 64

// reservedSuffixes are names that can never be claimed (RFC 2606/6761,
// mDNS): auditing them only adds noise. ".test" is reserved too but is the
// lab's TLD, and a name under it in a real scan still deserves a look.
var reservedSuffixes = []string{".example", ".invalid", ".localhost", ".local", ".arpa"}

var reservedNames = map[string]bool{"localhost": true, "example.com": true, "example.net": true, "example.org": true}

// ValidHost normalises a host name taken from untrusted text and says
// whether it belongs in the graph: a syntactically valid DNS name with at
// least two labels (single-label names cannot be audited in public DNS),
// not reserved, or a public IP literal. Private, loopback and link-local
// addresses are dropped: they are internal details, not claimable names.
func ValidHost(raw string) (string, bool) {
	h := hosts.Normalize(raw)
	if h == "" || len(h) > 253 {
		return "", false
	}
	if a, err := netip.ParseAddr(h); err == nil {
		a = a.Unmap()
		if !a.IsGlobalUnicast() || a.IsPrivate() || a.Zone() != "" {
			return "", false
		}
		return a.String(), true
	}
	if reservedNames[h] {
		return "", false
	}
	for _, s := range reservedSuffixes {
		if strings.HasSuffix(h, s) {
			return "", false
		}
	}
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return "", false
	}
	for _, l := range labels {
		if !validLabel(l) {
			return "", false
		}
	}
	// The last label of a name is never all digits (that would be an IP
	// fragment such as "10.0.0" leaking out of a larger string).
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", false
	}
	return h, true
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// hostOfURL returns the valid host of an absolute http(s)/ws(s) URL.
func hostOfURL(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ws", "wss":
	default:
		return "", false
	}
	return ValidHost(u.Hostname())
}

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
