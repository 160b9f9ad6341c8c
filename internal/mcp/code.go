package mcp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/plumbsec/plumb/internal/code"
	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/report"
)

// CodeInput is scan_code's input.
type CodeInput struct {
	Path  string `json:"path" jsonschema:"a directory or file on the server's machine (an application's checkout), read with the server's permissions"`
	NoDNS bool   `json:"no_dns,omitempty" jsonschema:"skip the DNS audit of the hosts found (offline)"`
}

// notAllowedDNS is why scan_code leaves a host's DNS alone.
const notAllowedDNS = "outside the server's --allow-target"

func (t *tools) addScanCode(s *sdk.Server) error {
	in, err := inputSchema[CodeInput](nil)
	if err != nil {
		return err
	}
	b, err := report.CodeSchema()
	if err != nil {
		return fmt.Errorf("mcp: code report schema: %w", err)
	}
	out, err := parseSchema(b, report.CodeSchemaID)
	if err != nil {
		return err
	}
	addTool(s, &sdk.Tool{
		Name: "scan_code",
		Description: "Read an application's source and configuration, as `plumb code` does: every outbound host it names, which of them " +
			"receive credentials (confirmed, likely or possible link), their DNS truth (a host that receives credentials and that anyone can " +
			"claim is critical), and remediation patterns with file:line (TLS verification off, no timeout, hard-coded tokens shown only " +
			"as a fingerprint, credentials over http://, destinations from user input or the environment, Authorization forwarded on " +
			"redirects). Only hosts matching the server's --allow-target are audited; the others are reported as not audited.",
		Annotations: annotations("Find where an application's code sends credentials", true),
	}, in, out, t.scanCode)
	return nil
}

func (t *tools) scanCode(ctx context.Context, req *sdk.CallToolRequest, in CodeInput) (*sdk.CallToolResult, *code.Report, error) {
	path := strings.TrimSpace(in.Path)
	if path == "" {
		return nil, nil, errors.New("path is empty")
	}
	o, err := t.cfg.CodeOptions(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	var lazy *lazyAuditor
	if !in.NoDNS {
		// The auditor is built at the first allowed host: a scan whose
		// hosts are all refused sends no packet at all.
		lazy = &lazyAuditor{build: func() (code.Auditor, error) {
			ao, err := t.cfg.CodeOptions(ctx, true)
			return ao.DNS, err
		}}
		o.DNS = lazy
		o.DNSSkip = func(host string) string {
			if t.cfg.Targets.Host(host, 0) != nil {
				return notAllowedDNS
			}
			return ""
		}
	}
	prog := startProgress(ctx, req)
	o.Progress = prog.code
	rep, err := code.Scan(ctx, []string{path}, o)
	prog.stop()
	if ctx.Err() != nil {
		return nil, nil, fmt.Errorf("scan_code cancelled: %w", ctx.Err())
	}
	if err != nil {
		var pe *code.PathError
		if errors.As(err, &pe) {
			return nil, nil, fmt.Errorf("cannot read %q: %w", path, pe.Err)
		}
		return nil, nil, fmt.Errorf("the code scan could not run: %w", err)
	}
	if err := lazy.failed(); err != nil {
		// As plumb code: the findings stand, the hosts' DNS is error with
		// the reason, and the report says it is partial.
		rep.Partial = true
		rep.PartialReasons = append(rep.PartialReasons, "the hosts' DNS was not audited: "+err.Error())
	}
	return toolResult(codeSummary(rep), rep), rep, nil
}

// lazyAuditor builds its auditor on first use; an auditor that cannot be
// built makes every result an error that says why.
type lazyAuditor struct {
	build func() (code.Auditor, error)
	once  sync.Once
	a     code.Auditor
	err   error
}

func (l *lazyAuditor) Audit(ctx context.Context, name string) *dnsaudit.Result {
	l.once.Do(func() {
		if l.a, l.err = l.build(); l.err == nil && l.a == nil {
			l.err = fmt.Errorf("%w: no DNS auditor", ErrConfig)
		}
	})
	if l.err != nil {
		return &dnsaudit.Result{Name: name, Status: finding.DNSError, Error: "the DNS audit could not start: " + l.err.Error()}
	}
	return l.a.Audit(ctx, name)
}

// failed is why the auditor could not be built, nil when it was (or was
// never needed). Call it once the scan has returned.
func (l *lazyAuditor) failed() error {
	if l == nil {
		return nil
	}
	return l.err
}

// code turns a code scan's progress into notifications: one per file read
// (how many there are is not known ahead), then one per host audited.
func (p *progress) code(e code.Progress) {
	switch e.Stage {
	case "read":
		p.setRead(e.Done)
	case "dns":
		files := p.files()
		p.set(float64(files+e.Done), float64(files+e.Total), fmt.Sprintf("DNS %d/%d host(s)", e.Done, e.Total))
	}
}

// codeSummary is scan_code's text: the hosts that receive credentials
// first, what the DNS audit left out and the findings by severity.
func codeSummary(r *code.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "plumb read %d file(s) under %s: %d outbound host(s), %d finding(s)%s.\n", r.Files.Scanned,
		strings.Join(r.Paths, ", "), len(r.Hosts), len(r.Findings), bySeverity(r.Findings))
	var creds []string
	notAllowed := 0
	for _, h := range r.Hosts {
		if h.CarriesCredentials {
			creds = append(creds, fmt.Sprintf("%s (%s link, DNS %s)", h.Name, h.Link, h.DNS.Status))
		}
		if h.DNS.Detail == "not audited: "+notAllowedDNS {
			notAllowed++
		}
	}
	if len(creds) > 0 {
		b.WriteString("Credentials are sent to: " + strings.Join(creds, "; ") + ".\n")
	}
	switch {
	case !r.DNSAudited:
		b.WriteString("DNS not audited (no_dns).\n")
	case notAllowed > 0:
		fmt.Fprintf(&b, "DNS not audited for %d host(s) %s: the user can restart plumb mcp with --allow-target for them (they are listed with dns.status skipped).\n", notAllowed, notAllowedDNS)
	}
	listFindings(&b, r.Findings, func(f finding.Finding) string { return fmt.Sprintf("%s:%d", f.Location.File, f.Location.Line) })
	if len(r.Errors) > 0 {
		fmt.Fprintf(&b, "%d file(s) could not be read completely (see errors).\n", len(r.Errors))
	}
	if r.Partial {
		b.WriteString("The report is PARTIAL.\n")
	}
	b.WriteString("Structured result: the plumb code report (docs/code.schema.json). explain_finding ID explains a finding id.")
	return b.String()
}
