// Package finding defines the one Finding type every check emits, with its
// severity, confidence, category, location, evidence and stable fingerprint.
package finding

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// Category is a report category id (see ARCHITECTURE.md).
type Category string

// The categories a finding can belong to, in report order.
const (
	CatAuthentication    Category = "authentication"
	CatBOLA              Category = "bola"
	CatBFLA              Category = "bfla"
	CatPropertyAuthz     Category = "property-authorization"
	CatInputValidation   Category = "input-validation"
	CatRateLimiting      Category = "rate-limiting"
	CatDataExposure      Category = "data-exposure"
	CatEncryption        Category = "encryption"
	CatSSRF              Category = "ssrf"
	CatInventory         Category = "inventory"
	CatUnsafeConsumption Category = "unsafe-consumption"
	CatLLM               Category = "llm"
	CatDNS               Category = "dns"
)

// Categories lists every category in report order.
var Categories = []Category{
	CatAuthentication, CatBOLA, CatBFLA, CatPropertyAuthz, CatInputValidation,
	CatRateLimiting, CatDataExposure, CatEncryption, CatSSRF, CatInventory,
	CatUnsafeConsumption, CatLLM, CatDNS,
}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if k == c {
			return true
		}
	}
	return false
}

// Location says where a finding applies. Path is the spec's path template
// (/users/{id}), never a concrete URL, so fingerprints survive changing ids.
// On a GraphQL endpoint, GraphQL names the operation or schema element
// ("query user", "mutation cancelOrder", "type User.passwordHash") and
// Param an argument of it. Findings about source code (plumb code) name the
// File (slash-separated, as given on the command line), the 1-based Line
// and the Symbol: the variable, setting or function the finding is about.
type Location struct {
	Host    string `json:"host"`
	Method  string `json:"method,omitempty"`
	Path    string `json:"path,omitempty"`
	Param   string `json:"param,omitempty"`
	GraphQL string `json:"graphql,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Symbol  string `json:"symbol,omitempty"`
}

// String renders the location the same way in every format:
// "GET host/users/{id} [id]", or "POST host/graphql query user(id)".
func (l Location) String() string {
	var b strings.Builder
	if l.File != "" {
		fmt.Fprintf(&b, "%s:%d", l.File, l.Line)
		if l.Symbol != "" {
			fmt.Fprintf(&b, " (%s)", l.Symbol)
		}
		if l.Host != "" {
			b.WriteString(" → " + l.Host)
		}
		return b.String()
	}
	if l.Method != "" {
		b.WriteString(l.Method)
		b.WriteByte(' ')
	}
	b.WriteString(l.Host)
	b.WriteString(l.Path)
	b.WriteString(l.Operation())
	if l.Param != "" && l.GraphQL == "" {
		fmt.Fprintf(&b, " [%s]", l.Param)
	}
	return b.String()
}

// Operation is the GraphQL part of the location with a leading space
// (" query user(id)"), or "" for other locations.
func (l Location) Operation() string {
	if l.GraphQL == "" {
		return ""
	}
	if l.Param != "" {
		return " " + l.GraphQL + "(" + l.Param + ")"
	}
	return " " + l.GraphQL
}

// HTTPExchange is one redacted request/response pair kept as evidence.
type HTTPExchange struct {
	Method         string              `json:"method"`
	URL            string              `json:"url"`
	RequestHeaders map[string][]string `json:"request_headers,omitempty"`
	Status         int                 `json:"status,omitempty"`
	Headers        map[string][]string `json:"response_headers,omitempty"`
	Body           string              `json:"body_excerpt,omitempty"`
	Error          string              `json:"error,omitempty"`
}

// DNSAnswer is one DNS query and what the named server said, kept as evidence.
type DNSAnswer struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Server string   `json:"server"`
	Rcode  string   `json:"rcode"`
	Answer []string `json:"answer,omitempty"`
	Error  string   `json:"error,omitempty"`
}

// Evidence is what was sent and seen, already redacted.
type Evidence struct {
	Summary string         `json:"summary"`
	HTTP    []HTTPExchange `json:"http,omitempty"`
	DNS     []DNSAnswer    `json:"dns,omitempty"`
}

// Snippet is a remediation code example for one stack.
type Snippet struct {
	Lang string `json:"lang"` // e.g. "python-flask", "go", "node-express"
	Code string `json:"code"`
}

// Remediation tells the user how to fix a finding.
type Remediation struct {
	Summary    string    `json:"summary"`
	Snippets   []Snippet `json:"snippets,omitempty"`
	References []string  `json:"references,omitempty"`
}

// Finding is one issue found by one check at one location.
type Finding struct {
	ID         string     `json:"id"` // the rule id (internal/catalog lists them)
	Title      string     `json:"title"`
	Severity   Severity   `json:"severity"`
	Confidence Confidence `json:"confidence"`
	Category   Category   `json:"category"`
	OWASP      string     `json:"owasp,omitempty"`     // e.g. "API2:2023"
	OWASPLLM   string     `json:"owasp_llm,omitempty"` // OWASP Top 10 for LLM Applications, e.g. "LLM01:2025"
	CWE        string     `json:"cwe,omitempty"`       // e.g. "CWE-306"
	Location   Location   `json:"location"`
	// Affected lists every location where the finding's problem was seen,
	// when one problem (a header policy, an auth layer, a token check)
	// shows at several operations: Location is then the problem's own
	// (its host, and its kind in Param), and the evidence a bounded sample.
	Affected    []Location  `json:"affected,omitempty"`
	Evidence    Evidence    `json:"evidence"`
	Remediation Remediation `json:"remediation"`
	Fingerprint string      `json:"fingerprint"`
	// Source is where the finding's operation is defined in the OpenAPI document.
	Source *Source `json:"source,omitempty"`
	// Suppressed findings stay in the report but count in neither score nor gates.
	Suppressed  bool         `json:"suppressed,omitempty"`
	Suppression *Suppression `json:"suppression,omitempty"`
	// BaselineState is "new" or "unchanged" when compared to --baseline-report.
	BaselineState string `json:"baseline_state,omitempty" jsonschema:"enum=new,enum=unchanged"`
}

// ComputeFingerprint returns the stable fingerprint of a finding: a SHA-256
// over the length-prefixed rule id, host, method, path template and
// parameter, then the GraphQL operation when there is one, and the file and
// symbol of a finding in source code (so every other fingerprint is what it
// was before those locations existed). It never depends on evidence,
// timestamps or line numbers, so the same issue on the same operation (or
// the same variable of the same file) keeps its fingerprint across runs and
// edits elsewhere. Renaming a rule changes it; FormerFingerprints gives the
// earlier ones.
func ComputeFingerprint(ruleID string, loc Location) string {
	h := sha256.New()
	parts := []string{ruleID, strings.ToLower(loc.Host), strings.ToUpper(loc.Method), loc.Path, loc.Param}
	if loc.GraphQL != "" {
		parts = append(parts, "graphql", loc.GraphQL)
	}
	if loc.File != "" {
		parts = append(parts, "file", loc.File, loc.Symbol)
	}
	for _, part := range parts {
		fmt.Fprintf(h, "%d:%s;", len(part), part)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// Normalize fills the fingerprint and sorts findings by severity (highest
// first), then category, rule id and location, so output is deterministic.
// Findings with the same fingerprint are merged, keeping the most severe.
func Normalize(fs []Finding) []Finding {
	byFP := make(map[string]int, len(fs))
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		f.Fingerprint = ComputeFingerprint(f.ID, f.Location)
		if i, ok := byFP[f.Fingerprint]; ok {
			if f.Severity > out[i].Severity || (f.Severity == out[i].Severity && f.Confidence > out[i].Confidence) {
				out[i] = f
			}
			continue
		}
		byFP[f.Fingerprint] = len(out)
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Category != b.Category {
			return a.Category < b.Category
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Location.String() < b.Location.String()
	})
	return out
}
