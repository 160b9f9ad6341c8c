// Package result is the report model of a scan: the JSON contract every
// renderer, the server and the MCP tools share, and the diff of two reports.
// It does not import the engine.
package result

import (
	"fmt"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/score"
	"github.com/plumbsec/plumb/internal/suppress"
)

// Report is the result of one scan. Its JSON encoding is plumb's documented
// report contract (docs/report.schema.json is generated from this type).
type Report struct {
	SchemaVersion string         `json:"schema_version"`
	Tool          Tool           `json:"tool"`
	Target        string         `json:"target"`
	StartedAt     time.Time      `json:"started_at"`
	DurationMS    int64          `json:"duration_ms"`
	Mode          string         `json:"mode" jsonschema:"enum=read-only,enum=writes"`
	Identities    []IdentityInfo `json:"identities,omitempty"`
	Insecure      bool           `json:"insecure_tls"`
	Score         int            `json:"score"`
	Grade         string         `json:"grade" jsonschema:"enum=A,enum=B,enum=C,enum=D,enum=F,enum=N/A"`
	CappedBy      string         `json:"capped_by,omitempty"`
	// GradeBasis says what the score and grade were computed from, e.g.
	// "11 of 13 categories assessed; the grade leaves out bola, bfla (not assessed)".
	GradeBasis string            `json:"grade_basis"`
	Categories []score.Category  `json:"categories"`
	Findings   []finding.Finding `json:"findings"`
	Hosts      []hosts.Host      `json:"hosts"`
	Spec       SpecInfo          `json:"spec"`
	Coverage   Coverage          `json:"coverage"`
	Checks     []CheckRun        `json:"checks"`
	Requests   RequestStats      `json:"requests"`
	Partial    bool              `json:"partial"`
	Errors     []Error           `json:"errors"`
	// ChangesNotUndone lists what a writes scan changed on the target and
	// could not put back (absent when it undid everything, and in
	// read-only scans, which change nothing).
	ChangesNotUndone []Change `json:"changes_not_undone,omitempty"`
	// Notes are things the user should know that are not problems: what a
	// read-only scan left out, a login request sent at the user's request.
	Notes []Note `json:"notes,omitempty"`
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

// CheckRun says what happened to one check. A check that ran but got no
// answer to anything it sent (or was stopped by the time limit) is
// "not-assessed", with the reason.
type CheckRun struct {
	ID         string `json:"id"`
	Status     string `json:"status" jsonschema:"enum=ran,enum=skipped,enum=error,enum=not-assessed"`
	Reason     string `json:"reason,omitempty"`
	Findings   int    `json:"findings"`
	DurationMS int64  `json:"duration_ms"`
}

// RequestStats counts what the scan sent.
type RequestStats struct {
	HTTP          int  `json:"http"`
	Errors        int  `json:"errors"`
	Refused       int  `json:"refused,omitempty"` // never sent: out of the scan's scope (read-only, --exclude)
	Budget        int  `json:"budget,omitempty"`
	BudgetReached bool `json:"budget_reached"`
}

// Error is a problem that did not stop the scan (or, for a partial report,
// the one that did).
type Error struct {
	Stage   string `json:"stage"`
	Message string `json:"message"`
}

// Note is something the scan wants the user to know that is not an error.
type Note struct {
	Stage   string `json:"stage"`
	Message string `json:"message"`
}

// Stages of the errors that say why a report is partial (besides a fatal
// error, whose stage is where the scan stopped).
const (
	StageBudget      = "budget"      // the request budget ran out
	StageTimeLimit   = "time-limit"  // the scan's time limit ran out
	StageInterrupted = "interrupted" // the scan was interrupted
	StageHostDown    = "host-down"   // a host stopped answering and was given up on
)

// PartialReasons lists why the report is partial: the messages of the
// budget, time-limit, interrupted and host-down errors.
func (r *Report) PartialReasons() []string {
	var out []string
	for _, e := range r.Errors {
		switch e.Stage {
		case StageBudget, StageTimeLimit, StageInterrupted, StageHostDown:
			out = append(out, e.Message)
		}
	}
	return out
}

// Basis says what the score and grade were computed from: how many
// categories were assessed, and which were not.
func (r *Report) Basis() string {
	var not []string
	for _, c := range r.Categories {
		if !c.Assessed {
			not = append(not, string(c.ID))
		}
	}
	n := len(r.Categories) - len(not)
	switch {
	case n == 0:
		return "no category assessed: nothing to grade"
	case len(not) == 0:
		return fmt.Sprintf("all %d categories assessed", n)
	}
	return fmt.Sprintf("%d of %d categories assessed; the grade leaves out %s (not assessed)", n, len(r.Categories), strings.Join(not, ", "))
}

// Change is one state change a writes scan (--allow-writes) made on the
// target and did not undo: the user undoes it by hand. It never holds a
// secret.
type Change struct {
	Check     string `json:"check"`     // the check that made it
	Operation string `json:"operation"` // the request that made it, e.g. "POST /api/v1/register"
	Object    string `json:"object"`    // what it changed, e.g. "user plumb-1a2b3c4d"
	Change    string `json:"change"`    // what plumb did
	Reason    string `json:"reason"`    // why plumb could not undo it
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

// SchemaVersion is the version of the JSON report contract. It changes
// only when a field is removed or changes meaning.
const SchemaVersion = "1"

// IdentityInfo says where an identity of the scan came from. It never
// holds a secret.
type IdentityInfo struct {
	Name   string `json:"name" jsonschema:"enum=A,enum=B"`
	Source string `json:"source" jsonschema:"enum=header,enum=login"`
	// Login is the login request sent for it, e.g. "POST https://api.example.com/api/v1/login".
	Login string `json:"login,omitempty"`
	Note  string `json:"note,omitempty"`
	// User is who the API says this identity is (its "who am I"
	// operation or login answer), when it said.
	User *UserInfo `json:"user,omitempty"`
}

// UserInfo is what an API said about one of the scan's identities.
type UserInfo struct {
	ID    string   `json:"id,omitempty"`
	Name  string   `json:"name,omitempty"`
	Email string   `json:"email,omitempty"`
	Role  string   `json:"role,omitempty"`
	From  []string `json:"from,omitempty"` // where it was read, e.g. "GET /api/me"
}

// Coverage is the coverage table of a report: what happened to each
// imported operation.
type Coverage struct {
	Imported    int       `json:"operations_imported"`
	Requested   int       `json:"operations_requested"`
	Answered2x  int       `json:"answered_2xx"`
	Answered4x  int       `json:"answered_401_403"`
	Answered404 int       `json:"answered_404"`
	Failed      int       `json:"failed"`
	Skipped     []Skipped `json:"skipped"`
	Other       int       `json:"answered_other"`       // any other status
	Operations  OpRows    `json:"operations,omitempty"` // one row per imported operation
}

// Skipped is one operation that was not requested, with why.
type Skipped struct {
	Operation string `json:"operation"`
	Reason    string `json:"reason"`
}

// OperationCoverage is one row of the coverage table: what happened to
// one imported operation.
type OperationCoverage struct {
	Operation string `json:"operation"`
	Outcome   string `json:"outcome" jsonschema:"enum=2xx,enum=401-403,enum=404,enum=other,enum=failed,enum=skipped"`
	Status    int    `json:"status,omitempty"` // the most telling status seen (2xx wins)
	Requests  int    `json:"requests"`         // requests checks recorded for it
	Reason    string `json:"reason,omitempty"` // why it was skipped
}

// OpRows is the per-operation coverage table.
type OpRows []OperationCoverage

// Rule says what a finding id means: what the catalog knows about it beyond
// what each finding carries. Checks declare the rules they emit
// (check.Rule is this type); renderers that list rules (SARIF) take a
// lookup of these, so they need not import the checks.
type Rule struct {
	ID          string // category.kebab-name, e.g. "dns.dangling-cname"
	Title       string
	Description string
	Category    finding.Category
	Severity    finding.Severity // default: the highest severity the rule reports
	OWASP       string           // OWASP API Security Top 10 2023 id, e.g. "API2:2023"
	OWASPLLM    string           // OWASP Top 10 for LLM Applications 2025 id, e.g. "LLM01:2025"
	CWE         string
	// Remediation is the fix as the catalog states it; a finding's own
	// remediation may name its host or parameter.
	Remediation finding.Remediation
	// Check is the id of the check that emits the rule.
	Check string
	// Group says what one finding of the rule stands for when its problem
	// shows at several operations (finding.Group): "" one per location.
	Group finding.GroupBy
}
