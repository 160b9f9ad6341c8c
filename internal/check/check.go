// Package check defines what a check is: its metadata, the input it reads
// (target, API model, host graph, network clients) and how it reports
// findings. Checks are values listed in an explicit registry.
package check

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/oob"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/spec"
)

// Needs says what a check requires to run. Missing needs make the engine
// skip the check with a reason instead of running it.
type Needs uint8

// Needs flags.
const (
	NeedSpec       Needs = 1 << iota // an OpenAPI document
	NeedCredential                   // a user-supplied credential (identity A)
	NeedWrites                       // --allow-writes (state-changing requests)
	NeedSource                       // an application's source: the rule runs under plumb code, never in a scan
)

// String lists the needs as words, e.g. "spec, credential".
func (n Needs) String() string {
	var parts []string
	if n&NeedSpec != 0 {
		parts = append(parts, "spec")
	}
	if n&NeedCredential != 0 {
		parts = append(parts, "credential")
	}
	if n&NeedWrites != 0 {
		parts = append(parts, "writes")
	}
	if n&NeedSource != 0 {
		parts = append(parts, "source (plumb code)")
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// Phase orders checks: probes run first and may add hosts to the graph;
// host audits run after, over the complete graph.
type Phase int

// Phases in run order.
const (
	PhaseProbe Phase = iota
	PhaseHosts
	PhaseWrites // state-changing probes (--allow-writes) run last, so their effects cannot skew read-only checks
)

// Meta describes a check and the rules it emits. It is the source of
// `plumb checks` and the generated check catalog.
type Meta struct {
	ID          string
	Title       string
	Category    finding.Category
	OWASP       string // OWASP API Security Top 10 2023 id, e.g. "API2:2023"
	CWE         string
	Severity    finding.Severity // default (highest) severity it reports
	Needs       Needs
	Phase       Phase
	Description string
	// Remediation is the fix of the check's own rule (see Emits); findings
	// may carry a more specific one.
	Remediation finding.Remediation
	// Rules lists what the check emits when that is not one rule with the
	// check's id; NoRules when it emits nothing. See Emits.
	Rules []Rule
	// Group is the grouping of the check's own rule (a Meta without
	// Rules); listed rules say their own.
	Group finding.GroupBy
}

// Check is one security test.
type Check interface {
	Meta() Meta
	Run(ctx context.Context, in *Input) ([]finding.Finding, error)
}

// Input is everything a check may read. Checks must only reach the network
// through HTTP and DNS.
type Input struct {
	Target         *url.URL
	API            *spec.API // nil when no document was loaded
	Hosts          *hosts.Graph
	HTTP           *netx.Client
	HTTPB          *netx.Client // identity B (--header-b, --bearer-env-b, --login-b); nil without one
	Memo           *Memo        // what the checks of this scan share (Once, Fetch, Corpus); nil shares nothing
	Changes        *Ledger      // state changes writes probes made and must undo; nil records nothing
	DNS            *netx.Resolver
	HasCredentials bool
	// Logins holds what the login answers said about identities "A" and
	// "B" (--login recipes): the corpus starts from it.
	Logins      map[string]reqgen.Identity
	AllowWrites bool
	Insecure    bool
	RootCAs     *x509.CertPool // nil: system roots
	Coverage    *Coverage
	Notes       *Notes // what the report should say besides findings; nil drops it
	Now         func() time.Time
	JWTWordlist []string // extra HMAC secrets to try (--jwt-wordlist)
	CallbackURL string   // out-of-band listener for blind probes (--callback-url); "" disables them
	// Callback is the out-of-band channel blind probes use: plumb's own
	// listener (--callback-listen) or the external one at CallbackURL; nil
	// disables them. The engine opens it for the scan and closes it after.
	Callback oob.Sink

	LLM      LLMOptions
	DNSAudit DNSAuditConfig
}

// DNSAuditConfig says where host audits start delegation walks. Roots
// empty disables direct-to-authority checks (lame delegations,
// registrability); AuthorityPort is a testing knob (0 means 53).
// SearchDomains are the clients' resolver search list, to tell what
// single-label names reach.
type DNSAuditConfig struct {
	Roots         []string
	AuthorityPort uint16
	SearchDomains []string
}

// New builds a finding pre-filled from the check's metadata.
func New(m Meta, title string, loc finding.Location) finding.Finding {
	return finding.Finding{
		ID:       m.ID,
		Title:    title,
		Severity: m.Severity,
		Category: m.Category,
		OWASP:    m.OWASP,
		CWE:      m.CWE,
		Location: loc,
	}
}

// Coverage counts what happened to each operation of the spec. It is safe
// for concurrent use by checks.
type Coverage struct {
	mu        sync.Mutex
	imported  int
	writes    bool             // --allow-writes: the words of default reasons follow the mode
	extra     []spec.Operation // found at run time (GraphQL schemas), not in the spec
	requested map[string]int   // op key → last status
	skipped   map[string]string
	counts    map[string]int // op key → requests recorded
}

// NewCoverage starts a coverage record for n imported operations.
func NewCoverage(imported int) *Coverage {
	return &Coverage{imported: imported, requested: map[string]int{}, skipped: map[string]string{}, counts: map[string]int{}}
}

// AllowWrites says the scan may send state-changing requests, so an
// unrequested write operation is not said to need --allow-writes.
func (c *Coverage) AllowWrites(on bool) *Coverage {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes = on
	return c
}

// defaultReason is why nobody requested op when no check said: for a
// state-changing method it depends on the mode.
func (c *Coverage) defaultReason(op spec.Operation) string {
	if op.GraphQL != "" && !strings.HasPrefix(op.GraphQL, "mutation") {
		return "no check applies" // a GraphQL query is read-only whatever its HTTP method
	}
	switch op.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return "no check applies"
	}
	if c.writes {
		return "state-changing method; no write probe applies to it"
	}
	return "state-changing method; a read-only scan never sends it (--allow-writes lifts this)"
}

// OpKey names an operation in coverage tables: "GET /users/{id}", or
// "POST /graphql query user" for a GraphQL operation.
func OpKey(op spec.Operation) string {
	if op.GraphQL != "" {
		return op.Method + " " + op.Path + " " + op.GraphQL
	}
	return op.Method + " " + op.Path
}

// Add imports operations a check found at run time (a GraphQL schema's
// queries and mutations), so the coverage table lists them. Known
// operations are ignored.
func (c *Coverage) Add(ops ...spec.Operation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, op := range ops {
		k := OpKey(op)
		if slices.ContainsFunc(c.extra, func(o spec.Operation) bool { return OpKey(o) == k }) {
			continue
		}
		c.extra = append(c.extra, op)
		c.imported++
	}
}

// all returns the spec's operations and the ones added at run time; c.mu
// is held by the caller.
func (c *Coverage) all(api *spec.API) []spec.Operation {
	var ops []spec.Operation
	if api != nil {
		ops = append(ops, api.Operations...)
	}
	return append(ops, c.extra...)
}

// Requested records that an operation was requested and answered status
// (0 when the request failed).
func (c *Coverage) Requested(op spec.Operation, status int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := OpKey(op)
	c.counts[k]++
	prev, seen := c.requested[k]
	// Keep the most telling status: any answer beats a failure, 2xx beats others.
	if !seen || prev == 0 || (status >= 200 && status < 300) {
		c.requested[k] = status
	}
	delete(c.skipped, k)
}

// Skip records why an operation was not requested, unless it was requested
// by another check.
func (c *Coverage) Skip(op spec.Operation, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := OpKey(op)
	if _, ok := c.requested[k]; ok {
		return
	}
	if _, ok := c.skipped[k]; !ok {
		c.skipped[k] = reason
	}
}

// Summary returns the counts. Operations neither requested nor skipped by
// any check are listed as skipped with reason "no check applies".
func (c *Coverage) Summary(api *spec.API) result.Coverage {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := result.Coverage{Imported: c.imported, Requested: len(c.requested), Skipped: []result.Skipped{}}
	for _, st := range c.requested {
		switch {
		case st >= 200 && st < 300:
			s.Answered2x++
		case st == 401 || st == 403:
			s.Answered4x++
		case st == 404:
			s.Answered404++
		case st == 0:
			s.Failed++
		default:
			s.Other++
		}
	}
	ops := c.all(api)
	if len(ops) == 0 {
		return s
	}
	for _, op := range ops {
		k := OpKey(op)
		if _, ok := c.requested[k]; ok {
			continue
		}
		reason, ok := c.skipped[k]
		if !ok {
			reason = c.defaultReason(op)
		}
		s.Skipped = append(s.Skipped, result.Skipped{Operation: k, Reason: reason})
	}
	s.Operations = c.rows(api)
	return s
}

// NotAssessedError is what a check returns when it could not test what it
// tests, for a reason it can name (the credential may not go where its
// probes would): the report marks it not assessed with that reason rather
// than claiming it ran and found nothing. Findings returned with it are
// kept.
type NotAssessedError struct{ Reason string }

func (e *NotAssessedError) Error() string { return "not assessed: " + e.Reason }

// NotAssessed returns a *NotAssessedError.
func NotAssessed(format string, args ...any) error {
	return &NotAssessedError{Reason: fmt.Sprintf(format, args...)}
}

// Notes collects what checks want the report to say that is neither a
// finding nor an error (a probe they could not do, and why). Safe for
// concurrent use; a nil *Notes drops them.
type Notes struct {
	mu   sync.Mutex
	list []result.Note
}

// Add records a note once (the same stage and message twice is one note).
func (n *Notes) Add(stage, message string) {
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, x := range n.list {
		if x.Stage == stage && x.Message == message {
			return
		}
	}
	n.list = append(n.list, result.Note{Stage: stage, Message: message})
}

// List returns the notes in the order added.
func (n *Notes) List() []result.Note {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]result.Note(nil), n.list...)
}
