// Package input holds the input-validation and misconfiguration checks of
// OWASP API8:2023 that need active, read-only probes: debug and admin
// endpoints left exposed, stack traces and SQL/NoSQL errors in responses
// to harmless malformed values, and dangerous HTTP methods (TRACE, OPTIONS
// advertising methods the spec does not declare).
package input

import (
	"strings"

	"github.com/plumbsec/plumb/internal/rules"
)

// The signature and path tables are internal/rules packs; every rule
// carries the samples its test runs. A rule's title is the family shown
// to the user.
const (
	stackPack = "stack-traces"
	sqlPack   = "sql-errors"
	pathPack  = "debug-endpoints"
)

// sig is the signature that matched: its family and rule id.
type sig struct {
	Family string
	ID     string
}

// match returns the first signature of the pack that matches body, with
// the matched text (cut to 160 bytes).
func match(p *rules.Pack, body []byte) (sig, string, bool) {
	m, ok := p.First(rules.NewText(string(body)))
	if !ok {
		return sig{}, "", false
	}
	r := m.Rule()
	excerpt := strings.TrimSpace(string(body[m.Start():min(m.End(), m.Start()+160)]))
	return sig{Family: r.Title, ID: r.ID}, excerpt, true
}
