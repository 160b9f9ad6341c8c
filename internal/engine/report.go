package engine

import (
	"slices"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/score"
	"github.com/plumbsec/plumb/internal/suppress"
)

// Report is the result of one scan. Its JSON encoding is plumb's documented
// report contract (docs/report.schema.json is generated from this type).
type Report struct {
	SchemaVersion string            `json:"schema_version"`
	Tool          Tool              `json:"tool"`
	Target        string            `json:"target"`
	StartedAt     time.Time         `json:"started_at"`
	DurationMS    int64             `json:"duration_ms"`
	Mode          string            `json:"mode" jsonschema:"enum=read-only,enum=writes"`
	Identities    []IdentityInfo    `json:"identities,omitempty"`
	Insecure      bool              `json:"insecure_tls"`
	Score         int               `json:"score"`
	Grade         string            `json:"grade" jsonschema:"enum=A,enum=B,enum=C,enum=D,enum=F,enum=N/A"`
	CappedBy      string            `json:"capped_by,omitempty"`
	Categories    []score.Category  `json:"categories"`
	Findings      []finding.Finding `json:"findings"`
	Hosts         []hosts.Host      `json:"hosts"`
	Spec          SpecInfo          `json:"spec"`
	Coverage      check.Summary     `json:"coverage"`
	Checks        []CheckRun        `json:"checks"`
	Requests      RequestStats      `json:"requests"`
	Partial       bool              `json:"partial"`
	Errors        []Error           `json:"errors"`
	// Suppressions says what the config file's ignore entries did (absent without one).
	Suppressions *suppress.Summary `json:"suppressions,omitempty"`
	// Diff compares the findings with an earlier report (--baseline-report).
	Diff *Diff `json:"diff,omitempty"`
}

// Tool names the scanner that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// SpecInfo says which OpenAPI document was used and how it was found.
type SpecInfo struct {
	Source     string        `json:"source,omitempty"`
	Version    string        `json:"version,omitempty"`
	Title      string        `json:"title,omitempty"`
	Operations int           `json:"operations"`
	Discovered bool          `json:"discovered"`
	Tried      []SpecAttempt `json:"tried,omitempty"`
	Warnings   []string      `json:"warnings,omitempty"`
}

// SpecAttempt is one location tried during spec discovery.
type SpecAttempt struct {
	URL    string `json:"url"`
	Status int    `json:"status,omitempty"`
	Result string `json:"result"`
}

// CheckRun says what happened to one check.
type CheckRun struct {
	ID         string `json:"id"`
	Status     string `json:"status" jsonschema:"enum=ran,enum=skipped,enum=error"`
	Reason     string `json:"reason,omitempty"`
	Findings   int    `json:"findings"`
	DurationMS int64  `json:"duration_ms"`
}

// RequestStats counts what the scan sent.
type RequestStats struct {
	HTTP          int  `json:"http"`
	Errors        int  `json:"errors"`
	Budget        int  `json:"budget,omitempty"`
	BudgetReached bool `json:"budget_reached"`
}

// Error is a problem that did not stop the scan (or, for a partial report,
// the one that did).
type Error struct {
	Stage   string `json:"stage"`
	Message string `json:"message"`
}

// Counts returns the number of unsuppressed findings per severity.
func (r *Report) Counts() map[finding.Severity]int {
	m := map[finding.Severity]int{}
	for _, f := range r.Findings {
		if f.Suppressed {
			continue
		}
		m[f.Severity]++
	}
	return m
}

func sortChecks(runs []CheckRun) {
	slices.SortFunc(runs, func(a, b CheckRun) int { return strings.Compare(a.ID, b.ID) })
}

// SchemaVersion is the version of the JSON report contract. It changes
// only when a field is removed or changes meaning.
const SchemaVersion = "1"
