package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plumbsec/plumb/internal/catalog"
	"github.com/plumbsec/plumb/internal/code"
	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/report"
	"github.com/plumbsec/plumb/internal/result"
)

type codeFlags struct {
	auditor     auditorFlags
	format      string
	output      string
	noColor     bool
	failOn      string
	noDNS       bool
	maxFileSize string
	dnsConc     int
}

func newCodeCmd(st *Streams) *cobra.Command {
	f := &codeFlags{}
	cmd := &cobra.Command{
		Use:   "code PATH...",
		Short: "Find the hosts an application's code sends credentials to, and audit their DNS",
		Long: `Read an application's source (Python, JavaScript/TypeScript, Go) and
configuration (.env, YAML incl. Kubernetes/Helm/compose, JSON, TOML, INI,
.properties, Terraform) and report every outbound host it names, which of
them receive credentials (link: confirmed = same call, likely = same
client, session, setting or wrapper, possible = same file), their DNS truth,
and remediation patterns with file:line: TLS verification off, calls
without a timeout, hard-coded tokens (redacted), credentials over http://,
destinations from user input or the environment without an allow-list,
Authorization forwarded on redirects.

.gitignore files are honoured; vendor/, node_modules/, .git/, binary files
and files over --max-file-size are skipped. A host that receives
credentials and that anyone can claim is critical.

` + codeExitCodeHelp,
		Example: `  plumb code .
  plumb code services/reporting --format sarif --output plumb-code.sarif --fail-on high
  plumb code . --no-dns --format json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("give at least one PATH (a directory or a file)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCode(cmd.Context(), st, f, args)
		},
	}
	fs := cmd.Flags()
	f.auditor.register(fs)
	fs.StringVarP(&f.format, "format", "f", "table", "output `FORMAT`: "+strings.Join(report.CodeFormats, ", "))
	fs.StringVarP(&f.output, "output", "o", "", "write the report to `FILE` instead of stdout")
	fs.BoolVar(&f.noColor, "no-color", false, "no ANSI colors (also: NO_COLOR environment variable)")
	fs.StringVar(&f.failOn, "fail-on", "", "exit 1 when a finding is at or above `SEVERITY` (critical, high, medium, low)")
	fs.BoolVar(&f.noDNS, "no-dns", false, "do not audit the hosts' DNS (offline use)")
	fs.StringVar(&f.maxFileSize, "max-file-size", "2MiB", "skip files larger than this (e.g. 512KiB, 4MiB)")
	fs.IntVar(&f.dnsConc, "concurrency", defaultCodeDNSConcurrency, "host names audited in parallel")
	return cmd
}

func runCode(ctx context.Context, st *Streams, f *codeFlags, paths []string) error {
	var failOn finding.Severity
	gate := f.failOn != ""
	if gate {
		sev, err := finding.ParseSeverity(f.failOn)
		if err != nil || sev == finding.Info {
			return usagef("--fail-on %q: want critical, high, medium or low", f.failOn)
		}
		failOn = sev
	}
	if !validCodeFormat(f.format) {
		return usagef("--format %q: want one of %s", f.format, strings.Join(report.CodeFormats, ", "))
	}
	maxSize, err := parseSize(f.maxFileSize)
	if err != nil {
		return usagef("--max-file-size: %v", err)
	}
	if f.dnsConc < 1 || f.dnsConc > 1024 {
		return usagef("--concurrency must be between 1 and 1024")
	}
	audit := f.auditor.build
	if f.noDNS {
		audit = nil
	}
	o, err := codeOptions(ctx, maxSize, f.dnsConc, audit)
	if err != nil {
		return err
	}
	if a, ok := o.DNS.(*dnsaudit.Auditor); ok && a != nil {
		for _, n := range a.Notices() {
			fmt.Fprintf(st.Err, "plumb code: %s\n", noticeText(n))
		}
	}
	rep, err := code.Scan(ctx, paths, o)
	if err != nil {
		var pe *code.PathError
		if errors.As(err, &pe) {
			return usagef("%v", err)
		}
		return scanError{err}
	}
	if err := writeCodeReport(st, rep, f); err != nil {
		return scanError{err}
	}
	if rep.Partial {
		return scanError{errors.New("interrupted; the report above is partial")}
	}
	if gate {
		n := 0
		for _, fd := range rep.Findings {
			if fd.Severity >= failOn {
				n++
			}
		}
		if n > 0 {
			return gateError{fmt.Sprintf("%d finding(s) at or above %s (--fail-on %s)", n, failOn, f.failOn)}
		}
	}
	return nil
}

// defaultCodeDNSConcurrency is how many host names plumb code audits at once.
const defaultCodeDNSConcurrency = 32

// auditorBuilder builds a DNS auditor, letting mod adjust its options.
type auditorBuilder func(ctx context.Context, mod func(*dnsaudit.Options)) (*dnsaudit.Auditor, error)

// codeOptions are the options of a plumb code scan, shared by the command
// and the MCP server's scan_code: the hosts' DNS audited by an auditor
// from audit (nil: no DNS audit) with plumb code's settings.
func codeOptions(ctx context.Context, maxSize int64, dnsConc int, audit auditorBuilder) (code.Options, error) {
	o := code.Options{MaxFileSize: maxSize, DNSConcurrency: dnsConc, Version: version()}
	if audit == nil {
		return o, nil
	}
	// Applications call internal services by design: internal addresses
	// are not findings here.
	a, err := audit(ctx, func(o *dnsaudit.Options) { o.IgnoreInternal = true })
	if err != nil {
		return o, err
	}
	o.DNS = a
	return o, nil
}

func validCodeFormat(f string) bool {
	for _, n := range report.CodeFormats {
		if n == f {
			return true
		}
	}
	return false
}

func writeCodeReport(st *Streams, rep *code.Report, f *codeFlags) error {
	o := report.Options{Rule: codeRuleLookup}
	if f.output != "" {
		if err := writeFileAtomic(f.output, func(w io.Writer) error { return report.RenderCode(w, f.format, rep, o) }); err != nil {
			return err
		}
		fmt.Fprintf(st.Err, "plumb: wrote %s → %s\n", f.format, f.output)
		return nil
	}
	noColorEnv, _ := st.LookupEnv("NO_COLOR")
	o.Color = !f.noColor && noColorEnv == "" && isTerminal(st.Out)
	o.Width = termWidth(st.Out)
	return report.RenderCode(st.Out, f.format, rep, o)
}

// codeRuleLookup tells renderers what a plumb code rule id means.
func codeRuleLookup(id string) (result.Rule, bool) { return catalog.Full().Rule(id) }
