package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plumbsec/plumb/internal/catalog"
	"github.com/plumbsec/plumb/internal/checks/jwt"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/report"
	"github.com/plumbsec/plumb/internal/result"
)

type scanFlags struct {
	net             netFlags
	auth            authFlags
	ids             identityFlags
	limits          limitFlags
	out             outputFlags
	gate            gateFlags
	accept          acceptFlags
	dnsAudit        dnsAuditFlags
	llm             llmFlags
	sel             selectFlags
	scope           scopeFlags
	spec            string
	allowWrites     bool
	allowRemoteRefs bool
	jwtWordlist     string
	callbackURL     string
	callbackListen  string
}

func (f *scanFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.spec, "spec", "", "OpenAPI 2.0/3.0/3.1 document, `FILE` or URL (default: discover it on the target)")
	fs.BoolVar(&f.allowWrites, "allow-writes", false, "allow state-changing probes (POST/PUT/PATCH/DELETE, and GETs whose names say they change state); use on staging only")
	fs.BoolVar(&f.allowRemoteRefs, "allow-remote-refs", false, "let the spec's $refs fetch other URLs")
	fs.StringVar(&f.callbackURL, "callback-url", "", "`URL` of an out-of-band listener the SSRF check points URL parameters at (it must answer GET URL/plumb/interactions/ID; see docs/checks.md); with --callback-listen, the public base of plumb's own listener")
	fs.StringVar(&f.callbackListen, "callback-listen", "", "run plumb's own out-of-band listener on `HOST:PORT` for the scan (the target must reach it, e.g. on a shared staging network); SSRF probes point URL parameters at it")
	fs.StringVar(&f.jwtWordlist, "jwt-wordlist", "", "`FILE` of extra JWT HMAC secrets to try offline, one per line (added to the built-in list)")
	f.auth.register(fs)
	f.ids.register(fs)
	f.net.register(fs)
	f.limits.register(fs)
	f.out.register(fs, "report")
	f.gate.register(fs)
	f.accept.register(fs)
	f.dnsAudit.register(fs, false)
	f.llm.register(fs)
	f.sel.register(fs)
	f.scope.register(fs)
}

// options turns flags into engine options, validating every cross-flag rule once.
func (f *scanFlags) options(lookupEnv func(string) (string, bool)) (engine.Options, error) {
	if err := f.out.validate(report.Names()); err != nil {
		return engine.Options{}, err
	}
	if err := f.gate.validate(); err != nil {
		return engine.Options{}, err
	}
	return f.engineOptions(lookupEnv)
}

// engineOptions builds the options of the scan itself from every flag but
// the output and gate ones; plumb mcp builds each scan_api call with it.
func (f *scanFlags) engineOptions(lookupEnv func(string) (string, bool)) (engine.Options, error) {
	o, err := f.net.loadOptions()
	if err != nil {
		return o, err
	}
	creds, scope, err := f.auth.build(lookupEnv)
	if err != nil {
		return o, err
	}
	if o.CredentialsB, o.Login, o.LoginB, err = f.ids.build(lookupEnv, len(creds) > 0); err != nil {
		return o, err
	}
	if err := f.limits.apply(&o); err != nil {
		return o, err
	}
	o.Credentials, o.ExtraScope, o.AllowPlainHTTPCredentials = creds, scope, f.auth.allowHTTPCreds
	o.AllowWrites, o.AllowRemoteRefs = f.allowWrites, f.allowRemoteRefs
	if err := f.scope.apply(&o); err != nil {
		return o, err
	}
	if f.jwtWordlist != "" {
		if o.JWTWordlist, err = jwt.ReadWordlist(f.jwtWordlist); err != nil {
			return o, usagef("--jwt-wordlist: %v", err)
		}
	}
	if f.callbackURL != "" {
		if u, err := url.Parse(f.callbackURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return o, usagef("--callback-url: want an absolute http(s) URL, got %q", f.callbackURL)
		}
		o.CallbackURL = strings.TrimSuffix(f.callbackURL, "/")
	}
	if f.callbackListen != "" {
		host, port, err := net.SplitHostPort(f.callbackListen)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 {
			return o, usagef("--callback-listen: want HOST:PORT with a port plumb may bind, got %q", f.callbackListen)
		}
		if ip := net.ParseIP(host); (host == "" || (ip != nil && ip.IsUnspecified())) && f.callbackURL == "" {
			return o, usagef("--callback-listen %q binds every interface: name the address the target reaches (e.g. 10.0.0.5:8089), or give --callback-url as its public base", f.callbackListen)
		}
		o.CallbackListen = f.callbackListen
	}
	if o.DNSAudit.Roots, o.DNSAudit.AuthorityPort, err = f.dnsAudit.build(); err != nil {
		return o, err
	}
	if len(f.net.resolvers) == 0 {
		o.DNSAudit.SearchDomains = systemSearchDomains() // what single-label hosts reach from here
	}
	if o.LLM, err = f.llm.build(); err != nil {
		return o, err
	}
	o.Checks = catalog.Default().Checks()
	if o.Select, err = f.sel.build(); err != nil {
		return o, err
	}
	return o, nil
}

func newScanCmd(st *Streams) *cobra.Command {
	f := &scanFlags{}
	cmd := &cobra.Command{
		Use:   "scan URL",
		Short: "Scan an API from the outside",
		Long: `Scan the API at URL: authentication, transport, headers and the DNS of every
host its tokens can flow to. Credentials (--header, --bearer-env) are sent only
to the target's origin (and --scope origins), never over redirects to other
origins, never over plain HTTP unless --allow-http-credentials.

` + exitCodeHelp,
		Example: `  plumb scan https://api.example.com --spec openapi.yaml --bearer-env API_TOKEN
  plumb scan https://api.example.com --format json --output report.json --fail-on high`,
		Args: exactArgs(1, "the API's base URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := f.options(st.LookupEnv)
			if err != nil {
				return err
			}
			return runScan(cmd.Context(), st, engine.Target{URL: args[0], Spec: f.spec}, o, &f.out, &f.gate, &f.accept)
		},
	}
	f.register(cmd)
	return cmd
}

func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("want %d argument (%s), got %d", n, what, len(args))
		}
		return nil
	}
}

// runScan scans, renders whatever report there is (even partial) and
// applies the gates.
func runScan(ctx context.Context, st *Streams, t engine.Target, o engine.Options, out *outputFlags, gate *gateFlags, accept *acceptFlags) error {
	cfg, old, err := accept.load(gate)
	if err != nil {
		return err
	}
	o.Ignore = cfg
	prog := newProgress(st.Err)
	o.Progress = prog.update
	rep, err := engine.Scan(ctx, t, o)
	prog.done()
	if rep != nil {
		for _, e := range rep.Errors {
			if e.Stage == "auth" {
				fmt.Fprintln(st.Err, "plumb: warning:", e.Message)
			}
		}
		if old != nil {
			rep.CompareTo(old, accept.baselineReport)
		}
		if rerr := writeReport(st, rep, out, gate); rerr != nil {
			return scanError{rerr}
		}
		warnIgnoreEntries(st, rep.Suppressions)
		for _, why := range rep.PartialReasons() {
			fmt.Fprintln(st.Err, "plumb: partial report:", strings.SplitN(why, "\n", 2)[0])
		}
	}
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return scanError{errors.New("interrupted; the report above is partial")}
	}
	return gate.check(rep)
}

// writeReport writes every --output-FORMAT file (atomically), then the
// main report to --output or stdout; the table lists the other files.
func writeReport(st *Streams, rep *result.Report, out *outputFlags, gate *gateFlags) error {
	format, err := report.Lookup(out.format)
	if err != nil {
		return err
	}
	base := report.Options{FailOn: gate.failOn, NewOnly: gate.newOnly, Rule: catalog.Default().Rule}
	written := out.extra.list()
	for _, w := range written {
		f, err := report.Lookup(w.Format)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(w.Path, func(wr io.Writer) error { return f.New(base).Render(wr, rep) }); err != nil {
			return err
		}
	}
	if out.output == "" {
		noColorEnv, _ := st.LookupEnv("NO_COLOR")
		o := base
		o.Color = !out.noColor && noColorEnv == "" && isTerminal(st.Out)
		o.Width, o.Written = termWidth(st.Out), written
		if err := format.New(o).Render(st.Out, rep); err != nil {
			return err
		}
		if len(written) > 0 && out.format != "table" {
			fmt.Fprintf(st.Err, "plumb: %s\n", describeWritten(written))
		}
		return nil
	}
	if err := writeFileAtomic(out.output, func(w io.Writer) error {
		return format.New(base).Render(w, rep)
	}); err != nil {
		return err
	}
	fmt.Fprintf(st.Err, "plumb: %s\n", describeWritten(append([]report.Written{{Format: out.format, Path: out.output}}, written...)))
	return nil
}

// writeFileAtomic writes an output so that no reader ever sees half of
// it: into a temporary file next to path, then renamed over it. Only a
// regular file (or a new one) is replaced that way, keeping its
// permissions; a symlink is followed and its target replaced; a device,
// pipe or socket (/dev/null, /dev/stdout, a FIFO) is written in place —
// renaming over /dev/null as root would put a file where the device was.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return writeInPlace(path, write)
		}
		mode = fi.Mode().Perm()
		if real, err := filepath.EvalSymlinks(path); err == nil {
			path = real
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), mode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}

// writeInPlace writes to something that is not a regular file.
func writeInPlace(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
