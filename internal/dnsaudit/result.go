package dnsaudit

import (
	"encoding/json"
	"net/netip"

	"github.com/plumbsec/plumb/internal/finding"
)

// resultJSON is the documented JSON line of `plumb dns` (docs/dns.md). It
// keeps its shape whatever the Go types become: consumers parse it.
type resultJSON struct {
	Name     string            `json:"name"`
	Status   finding.DNSStatus `json:"status"`
	Service  string            `json:"service,omitempty"`
	Findings []findingJSON     `json:"findings"`
	Chain    []Link            `json:"chain"`
	Addrs    []netip.Addr      `json:"addrs,omitempty"`
	Error    string            `json:"error,omitempty"`
	Queries  int               `json:"queries"`
}

// findingJSON is one verdict in a `plumb dns` line.
type findingJSON struct {
	ID         string                 `json:"id"`
	Severity   finding.Severity       `json:"severity"`
	Confidence finding.Confidence     `json:"confidence"`
	Title      string                 `json:"title"`
	Detail     string                 `json:"detail,omitempty"`
	Subject    string                 `json:"subject,omitempty"` // the zone, nameserver or CNAME target the verdict is about
	DNS        []finding.DNSAnswer    `json:"dns,omitempty"`
	HTTP       []finding.HTTPExchange `json:"http,omitempty"`
	Claimable  bool                   `json:"claimable,omitempty"` // anyone can take the name
}

// MarshalJSON renders r as the `plumb dns` line.
func (r Result) MarshalJSON() ([]byte, error) {
	out := resultJSON{Name: r.Name, Status: r.Status, Service: r.Service, Findings: make([]findingJSON, 0, len(r.Findings)),
		Chain: r.Chain, Addrs: r.Addrs, Error: r.Error, Queries: r.Queries}
	if out.Chain == nil {
		out.Chain = []Link{}
	}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, findingJSON{
			ID: f.ID, Severity: f.Severity, Confidence: f.Confidence, Title: f.Title,
			Detail: f.Evidence.Summary, Subject: f.Location.Param,
			DNS: f.Evidence.DNS, HTTP: f.Evidence.HTTP, Claimable: r.Claimable(f),
		})
	}
	return json.Marshal(out)
}

// JSONShape returns a zero value of the type whose JSON encoding a Result
// has, so the schema of a `plumb dns` line can be generated from it (the
// MCP tool audit_dns documents and validates its results against it).
func JSONShape() any { return resultJSON{} }
