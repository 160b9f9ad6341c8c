package mcp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/google/jsonschema-go/jsonschema"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/plumbsec/plumb/internal/checks/llm"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/report"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/scope"
)

// ScanInput is scan_api's input.
type ScanInput struct {
	URL         string `json:"url" jsonschema:"the API's base URL, e.g. https://api.example.com; its host must match the server's --allow-target"`
	Spec        string `json:"spec,omitempty" jsonschema:"OpenAPI document: a file path on the server's machine or a URL (default: discover it on the target)"`
	BearerEnv   string `json:"bearer_env,omitempty" jsonschema:"NAME of an environment variable of the plumb server holding identity A's bearer token (never the token itself); it must match --allow-env"`
	BearerEnvB  string `json:"bearer_env_b,omitempty" jsonschema:"NAME of an environment variable holding a second user's (identity B) bearer token, for cross-user checks"`
	LLM         string `json:"llm,omitempty" jsonschema:"LLM endpoint probe tier (default standard)"`
	MaxRequests int    `json:"max_requests,omitempty" jsonschema:"request budget of this scan (default and maximum: the server's --max-requests)"`
	AllowWrites bool   `json:"allow_writes,omitempty" jsonschema:"allow state-changing probes (POST/PUT/PATCH/DELETE); refused unless the server runs with --allow-writes"`
	// Include and Exclude are plumb scan's --include and --exclude.
	Include []string `json:"include,omitempty" jsonschema:"send only the operations matching these 'METHOD PATH' patterns (or PATH; * matches anything), like plumb scan --include"`
	Exclude []string `json:"exclude,omitempty" jsonschema:"never send anything to the operations matching these 'METHOD PATH' patterns (or PATH, any method), like plumb scan --exclude"`
}

func (t *tools) addScanAPI(s *sdk.Server) error {
	in, err := inputSchema[ScanInput](func(s *jsonschema.Schema) {
		s.Properties["llm"].Enum = anys(llm.Tiers)
		s.Properties["max_requests"].Minimum = ptr(1.0)
		s.Properties["max_requests"].Maximum = ptr(float64(t.cfg.MaxRequests))
	})
	if err != nil {
		return err
	}
	b, err := report.Schema()
	if err != nil {
		return fmt.Errorf("mcp: report schema: %w", err)
	}
	out, err := parseSchema(b, report.SchemaID)
	if err != nil {
		return err
	}
	ann := annotations("Scan an API from the outside", true)
	if t.cfg.AllowWrites {
		ann.ReadOnlyHint, ann.IdempotentHint, ann.DestructiveHint = false, false, ptr(true)
	}
	addTool(s, &sdk.Tool{
		Name: "scan_api",
		Description: "Scan an API from the outside, as `plumb scan` does: authentication, authorization (BOLA/BFLA with two identities), " +
			"transport, headers, CORS, data exposure, JWT, SSRF, LLM endpoints and the DNS of every host its tokens can flow to. " +
			"Returns the plumb report (score 0-100, grade, findings with evidence and remediation). Read-only unless allow_writes. " +
			"Credentials are given only by environment variable name and are sent only to the target's origin.",
		Annotations: ann,
	}, in, out, t.scanAPI)
	return nil
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func (t *tools) scanAPI(ctx context.Context, req *sdk.CallToolRequest, in ScanInput) (*sdk.CallToolResult, *result.Report, error) {
	o, err := t.scanOptions(in)
	if err != nil {
		return nil, nil, err
	}
	refused := &refusals{}
	allow := o.AllowHost
	o.AllowHost = func(host string, port int) error {
		err := allow(host, port)
		if err != nil {
			refused.add(net.JoinHostPort(host, strconv.Itoa(port)))
		}
		return err
	}
	prog := startProgress(ctx, req)
	o.Progress = prog.engine
	rep, err := engine.Scan(ctx, engine.Target{URL: in.URL, Spec: in.Spec}, o)
	prog.stop()
	if ctx.Err() != nil {
		return nil, nil, fmt.Errorf("scan_api cancelled: %w", ctx.Err())
	}
	if rep != nil && len(refused.list()) > 0 {
		rep.Errors = append(rep.Errors, result.Error{Stage: "allow-target",
			Message: "connections refused to hosts outside --allow-target: " + strings.Join(refused.list(), ", ")})
	}
	if err != nil {
		msg := "the scan could not run: " + err.Error()
		var se *engine.ScanError
		if errors.As(err, &se) && se.Hint != "" {
			msg += " (hint: " + se.Hint + ")"
		}
		if rep == nil {
			return nil, nil, errors.New(msg)
		}
		res := toolResult(msg+"\n"+scanSummary(rep), rep)
		res.IsError = true
		return res, rep, nil
	}
	return toolResult(scanSummary(rep), rep), rep, nil
}

// scanOptions vets the call and builds its engine options.
func (t *tools) scanOptions(in ScanInput) (engine.Options, error) {
	var o engine.Options
	if err := t.cfg.Targets.URL(in.URL); err != nil {
		return o, err
	}
	if t.cfg.Iterative {
		return o, fmt.Errorf("scan_api: %w", ErrNeedsResolver)
	}
	if isURL(in.Spec) {
		if err := t.cfg.Targets.URL(in.Spec); err != nil {
			return o, err
		}
	}
	if in.AllowWrites && !t.cfg.AllowWrites {
		return o, &RefusedError{What: "allow_writes", Value: "true", Flag: flagAllowWrites}
	}
	for _, name := range []string{in.BearerEnv, in.BearerEnvB} {
		if name == "" {
			continue
		}
		if err := envAllowlist(t.cfg.Env).check(name); err != nil {
			return o, err
		}
	}
	if in.MaxRequests > t.cfg.MaxRequests {
		return o, fmt.Errorf("max_requests %d is over this server's budget of %d (--max-requests)", in.MaxRequests, t.cfg.MaxRequests)
	}
	o, err := t.cfg.ScanOptions(ScanSettings{BearerEnv: in.BearerEnv, BearerEnvB: in.BearerEnvB, LLM: in.LLM,
		MaxRequests: in.MaxRequests, AllowWrites: in.AllowWrites})
	if err != nil {
		return o, err
	}
	if o.AllowHost == nil {
		return o, fmt.Errorf("%w: the scan has no host policy", ErrConfig)
	}
	for _, l := range []struct {
		name string
		in   []string
		out  *[]scope.Pattern
	}{{"include", in.Include, &o.Include}, {"exclude", in.Exclude, &o.Exclude}} {
		ps, err := scope.ParsePatterns(l.in)
		if err != nil {
			return o, fmt.Errorf("%s: %w", l.name, err)
		}
		*l.out = append(*l.out, ps...)
	}
	return o, nil
}

func isURL(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https")
}

// refusals collects the host:ports the allow-list refused during a scan.
type refusals struct {
	mu    sync.Mutex
	hosts []string
}

func (r *refusals) add(h string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.hosts, h) {
		r.hosts = append(r.hosts, h)
	}
}

func (r *refusals) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.hosts)
	sort.Strings(out)
	return out
}

// maxListed bounds the findings the summary names.
const maxListed = 10

func scanSummary(r *result.Report) string {
	var b strings.Builder
	fs := finding.Active(r.Findings)
	fmt.Fprintf(&b, "plumb scanned %s (%s): score %d/100, grade %s; %d finding(s)%s.\n", r.Target, r.Mode, r.Score, r.Grade,
		len(fs), bySeverity(fs))
	listFindings(&b, fs, func(f finding.Finding) string { return f.Location.String() })
	if r.Partial {
		b.WriteString("The report is PARTIAL.\n")
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "Note (%s): %s\n", e.Stage, e.Message)
	}
	b.WriteString("Structured result: the plumb report (docs/report.schema.json). explain_finding ID explains a finding id.")
	return b.String()
}

// bySeverity counts fs by severity, most severe first: " (2 critical,
// 1 low)", or "" without findings.
func bySeverity(fs []finding.Finding) string {
	n := map[finding.Severity]int{}
	for _, f := range fs {
		n[f.Severity]++
	}
	var parts []string
	for s := finding.Critical; s >= finding.Info; s-- {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s], s))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// listFindings writes a line per finding, most severe first, up to
// maxListed; where says where each was found.
func listFindings(b *strings.Builder, fs []finding.Finding, where func(finding.Finding) string) {
	sorted := slices.Clone(fs)
	slices.SortStableFunc(sorted, func(a, b finding.Finding) int { return int(b.Severity) - int(a.Severity) })
	for i, f := range sorted {
		if i == maxListed {
			fmt.Fprintf(b, "… and %d more.\n", len(sorted)-maxListed)
			break
		}
		fmt.Fprintf(b, "- [%s] %s: %s — %s\n", f.Severity, f.ID, f.Title, where(f))
	}
}
