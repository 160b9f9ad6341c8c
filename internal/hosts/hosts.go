// Package hosts holds the host graph: every hostname related to the scanned
// API, the roles it plays and whether the API's credentials flow to it. The
// spec loader and runtime checks add hosts; host audits (DNS) read them.
package hosts

import (
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/plumbsec/plumb/internal/finding"
)

// Role is what a host does for the API.
type Role string

// Roles known so far. Spec-derived roles reuse the spec package's names.
const (
	RoleTarget                Role = "target"
	RoleAPIServer             Role = "api-server"
	RoleTokenEndpoint         Role = "token-endpoint"
	RoleAuthorizationEndpoint Role = "authorization-endpoint"
	RoleRefreshEndpoint       Role = "refresh-endpoint"
	RoleOIDCDiscovery         Role = "oidc-discovery"
	RoleRedirectTarget        Role = "redirect-target"
	RoleUpstreamInError       Role = "upstream-seen-in-error"
)

// DNSSummary is what the DNS audit learned about a host.
type DNSSummary struct {
	Status finding.DNSStatus `json:"status"`
	Addrs  []string          `json:"addrs,omitempty"`
	CNAMEs []string          `json:"cnames,omitempty"`
	Detail string            `json:"detail,omitempty"`
}

// Host is one node of the graph.
type Host struct {
	Name               string   `json:"name"`
	Roles              []Role   `json:"roles"`
	Sources            []string `json:"sources,omitempty"`
	CarriesCredentials bool     `json:"carries_credentials"`
	// ForwardedBy lists operations seen sending a credential (usually the
	// caller's own Bearer token) to this host, with the evidence.
	ForwardedBy []Forward   `json:"forwarded_by,omitempty"`
	DNS         *DNSSummary `json:"dns,omitempty"`
}

// Graph is a concurrent-safe set of hosts keyed by lower-case name.
type Graph struct {
	mu    sync.Mutex
	hosts map[string]*Host
}

// New returns an empty graph.
func New() *Graph { return &Graph{hosts: map[string]*Host{}} }

// Normalize lower-cases a host name and strips a trailing dot and brackets.
func Normalize(name string) string {
	name = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	return strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
}

// Add records that name plays role, learned from source (e.g. "/servers/1/url"
// or "redirect from GET /export"). Credentials are sticky: once a host is known
// to receive them, it stays so.
func (g *Graph) Add(name string, role Role, source string, carriesCredentials bool) {
	name = Normalize(name)
	if name == "" {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	h, ok := g.hosts[name]
	if !ok {
		h = &Host{Name: name}
		g.hosts[name] = h
	}
	if !slices.Contains(h.Roles, role) {
		h.Roles = append(h.Roles, role)
		slices.Sort(h.Roles)
	}
	if source != "" && !slices.Contains(h.Sources, source) && len(h.Sources) < 20 {
		h.Sources = append(h.Sources, source)
	}
	h.CarriesCredentials = h.CarriesCredentials || carriesCredentials
}

// SetDNS attaches a DNS audit result to a known host.
func (g *Graph) SetDNS(name string, s DNSSummary) {
	name = Normalize(name)
	g.mu.Lock()
	defer g.mu.Unlock()
	if h, ok := g.hosts[name]; ok {
		h.DNS = &s
	}
}

// Get returns a copy of one host.
func (g *Graph) Get(name string) (Host, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	h, ok := g.hosts[Normalize(name)]
	if !ok {
		return Host{}, false
	}
	return clone(h), true
}

// List returns copies of all hosts sorted by name.
func (g *Graph) List() []Host {
	g.mu.Lock()
	out := make([]Host, 0, len(g.hosts))
	for _, h := range g.hosts {
		out = append(out, clone(h))
	}
	g.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func clone(h *Host) Host {
	c := *h
	c.Roles = slices.Clone(h.Roles)
	c.Sources = slices.Clone(h.Sources)
	c.ForwardedBy = slices.Clone(h.ForwardedBy)
	if h.DNS != nil {
		d := *h.DNS
		c.DNS = &d
	}
	return c
}
