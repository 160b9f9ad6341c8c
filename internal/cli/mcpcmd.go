package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/plumbsec/plumb/internal/code"
	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/mcp"
)

// mcpFlags configure plumb mcp: the scan flags a tool call starts from
// (at plumb scan's defaults), the transport and what an assistant may ask for.
type mcpFlags struct {
	scan        scanFlags
	http        string
	allowTarget []string
	allowEnv    []string
	allowWrites bool
}

func newMCPCmd(st *Streams) *cobra.Command { return (&mcpFlags{}).command(st) }

// command is plumb mcp with its flags bound to f.
func (f *mcpFlags) command(st *Streams) *cobra.Command {
	// Every scan flag at its plumb scan default; the mcp command exposes some.
	f.scan.register(&cobra.Command{})
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve plumb's scans to AI assistants over the Model Context Protocol (stdio or streamable HTTP)",
		Long: `Serve plumb as an MCP server: tools audit_dns, scan_api, analyse_spec,
scan_code and explain_finding, each with input and output JSON schemas; their
structured results are the JSON plumb dns, plumb scan, plumb spec, plumb code
and plumb checks write. docs/mcp.md lists them.

An assistant can be talked into anything, so the server decides what it may do:
  --allow-target  the only hosts tools may reach (scan URLs, spec URLs, DNS
                  names, resolvers, and every connection a scan makes).
                  Without it, every tool that needs the network refuses;
                  scan_code reads the code and audits the DNS only of the
                  hosts it allows, listing the others as not audited.
  --allow-env     the only environment variables scan_api may read a bearer
                  token from (bearer_env takes a NAME; tokens never travel
                  through the conversation).
  --allow-writes  lets scan_api honour allow_writes (state-changing probes).

DNS queries go to the configured resolvers and, for delegation checks, to the
root servers (--dns-root) and the authoritative servers they delegate to.
With --resolver iterative, audit_dns and scan_code resolve every name from
the roots as plumb dns does (the names still have to match --allow-target);
scan_api and analyse_spec of a URL, which need a recursive resolver, refuse.

Standard output carries the protocol on stdio: logs go to standard error.`,
		Example: `  plumb mcp --allow-target api.staging.example.com --allow-env STAGING_TOKEN
  plumb mcp --allow-target '*.example.com' --http 127.0.0.1:8765`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMCP(cmd.Context(), st, f)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.http, "http", "", "serve streamable HTTP on `ADDR` (default host 127.0.0.1, e.g. 127.0.0.1:8765 or :8765) instead of stdio")
	fs.StringArrayVar(&f.allowTarget, "allow-target", nil, "host tools may reach: `PATTERN` is a name glob (api.example.com, *.example.com), IP, CIDR or '*', optionally :PORT (repeatable; default: none)")
	fs.StringArrayVar(&f.allowEnv, "allow-env", nil, "environment variable scan_api may read a bearer token from: `NAME` or glob, e.g. STAGING_TOKEN (repeatable; default: none)")
	fs.BoolVar(&f.allowWrites, "allow-writes", false, "let scan_api run state-changing probes when a call asks for allow_writes; use on staging only")
	fs.StringVar(&f.scan.callbackURL, "callback-url", "", "`URL` of an out-of-band listener for the SSRF check (allowed as a target automatically)")
	fs.StringVar(&f.scan.jwtWordlist, "jwt-wordlist", "", "`FILE` of extra JWT HMAC secrets to try offline, one per line")
	f.scan.net.register(fs)
	f.scan.limits.register(fs)
	f.scan.dnsAudit.register(fs, false)
	f.scan.sel.register(fs)
	return cmd
}

func runMCP(ctx context.Context, st *Streams, f *mcpFlags) error {
	server, cfg, err := f.server(st)
	if err != nil {
		return err
	}
	if cfg.Targets.Empty() {
		fmt.Fprintln(st.Err, "plumb mcp: no --allow-target: tools that reach the network will refuse every target (explain_finding, analyse_spec on local files and scan_code without DNS work)")
	} else {
		fmt.Fprintf(st.Err, "plumb mcp: allowed targets: %s\n", strings.Join(cfg.Targets.Patterns(), ", "))
		if cfg.Targets.Any() {
			fmt.Fprintln(st.Err, "plumb mcp: warning: --allow-target '*' lets an assistant scan any host, yours or not")
		}
	}
	if cfg.Iterative {
		fmt.Fprintln(st.Err, "plumb mcp: resolving names from the root servers (--resolver iterative): scan_api and analyse_spec of a URL need a recursive resolver and will refuse")
	}
	if f.http == "" {
		fmt.Fprintln(st.Err, "plumb mcp: serving MCP on standard input and output")
		err := server.Run(ctx, &sdk.IOTransport{Reader: io.NopCloser(st.In), Writer: nopWriteCloser{st.Out}})
		if err != nil && ctx.Err() == nil && !errors.Is(err, io.EOF) {
			return scanError{err}
		}
		return nil
	}
	return serveMCPHTTP(ctx, st, f.http, server)
}

// server builds the MCP server the flags describe.
func (f *mcpFlags) server(st *Streams) (*sdk.Server, mcp.Config, error) {
	cfg, err := f.config(st)
	if err != nil {
		return nil, cfg, err
	}
	server, err := mcp.New(cfg)
	if err != nil {
		return nil, cfg, scanError{err}
	}
	return server, cfg, nil
}

// config validates the flags once and returns the server configuration.
// A scan_api call builds its options as plumb scan does, from a copy of
// the scan flags with the call's choices applied.
func (f *mcpFlags) config(st *Streams) (mcp.Config, error) {
	targets, err := mcp.ParseAllowlist(f.allowTarget)
	if err != nil {
		return mcp.Config{}, usagef("%v", err)
	}
	for _, p := range f.allowEnv {
		if strings.TrimSpace(p) == "" || strings.ContainsAny(p, "= \t") {
			return mcp.Config{}, usagef("--allow-env %q: want a variable name or glob", p)
		}
	}
	f.scan.net.allowHost = hostPolicy(targets, f.scan.callbackURL)
	iterative := slices.Contains(f.scan.net.resolvers, "iterative")
	cfg := mcp.Config{
		Version: version(), Targets: targets, Env: f.allowEnv, AllowWrites: f.allowWrites,
		Resolvers: f.scan.net.resolvers, Iterative: iterative, MaxRequests: f.scan.limits.maxRequests,
		ScanOptions: func(s mcp.ScanSettings) (engine.Options, error) { return f.scanOptions(s, st.LookupEnv) },
		SpecOptions: f.specOptions,
		Auditor: func(ctx context.Context, s mcp.DNSSettings) (*dnsaudit.Auditor, error) {
			return f.auditorFlags(s).build(ctx, nil)
		},
		CodeOptions: func(ctx context.Context, audit bool) (code.Options, error) {
			var build auditorBuilder
			if audit {
				build = f.auditorFlags(mcp.DNSSettings{}).build
			}
			return codeOptions(ctx, code.DefaultMaxFileSize, defaultCodeDNSConcurrency, build)
		},
	}
	// Bad flags are a usage error now, not a failure of every call later:
	// the DNS audit's as plumb dns checks them, the scans' as plumb scan
	// does (which needs a resolver address: see scanFlagsFor).
	if _, err := f.auditorFlags(mcp.DNSSettings{}).options(); err != nil {
		return cfg, err
	}
	sf := f.scanFlagsFor()
	if _, err := sf.engineOptions(func(string) (string, bool) { return "", false }); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// scanFlagsFor is a copy of the scan flags that scan_api and analyse_spec
// start from. On a server that resolves iteratively (--resolver iterative)
// the root servers stand in for the resolvers; they are never asked as
// one: scan_api and analyse_spec of a URL refuse first
// (mcp.ErrNeedsResolver), and a local document is read without the
// network.
func (f *mcpFlags) scanFlagsFor() scanFlags {
	sf := f.scan
	if slices.Contains(sf.net.resolvers, "iterative") {
		roots, _, _ := f.scan.dnsAudit.build() // checked by the auditor's flags
		sf.net.resolvers = slices.Clone(roots)
	}
	return sf
}

// specOptions are analyse_spec's options: the network flags.
func (f *mcpFlags) specOptions() (engine.Options, error) {
	sf := f.scanFlagsFor()
	return sf.net.loadOptions()
}

// hostPolicy allows the --allow-target hosts and the callback listener
// the server itself was pointed at.
func hostPolicy(targets *mcp.Allowlist, callback string) func(string, int) error {
	cb, _ := url.Parse(callback)
	return func(host string, port int) error {
		if callback != "" && cb != nil && strings.EqualFold(host, cb.Hostname()) && portOf(cb) == port {
			return nil
		}
		return targets.Host(host, port)
	}
}

func portOf(u *url.URL) int {
	switch p := u.Port(); {
	case p != "":
		n, _ := strconv.Atoi(p)
		return n
	case u.Scheme == "http":
		return 80
	}
	return 443
}

// scanOptions builds one scan_api call's options: the server's scan
// flags with the call's credentials, LLM tier, budget and write mode.
func (f *mcpFlags) scanOptions(s mcp.ScanSettings, lookupEnv func(string) (string, bool)) (engine.Options, error) {
	if slices.Contains(f.scan.net.resolvers, "iterative") {
		return engine.Options{}, mcp.ErrNeedsResolver
	}
	sf := f.scan
	sf.auth = authFlags{bearerEnv: s.BearerEnv}
	sf.ids.bearerEnvB = s.BearerEnvB
	if s.LLM != "" {
		sf.llm.tier = s.LLM
	}
	if s.MaxRequests > 0 {
		sf.limits.maxRequests = s.MaxRequests
	}
	sf.allowWrites = s.AllowWrites
	o, err := sf.engineOptions(lookupEnv)
	if err != nil {
		return o, errors.New(toolArgNames.Replace(err.Error()))
	}
	return o, nil
}

// toolArgNames names a scan flag in an error as the scan_api argument that set it.
var toolArgNames = strings.NewReplacer("--bearer-env-b ", "bearer_env_b ", "--bearer-env ", "bearer_env ",
	"--llm ", "llm ", "--max-requests", "max_requests")

// auditorFlags are the plumb dns flags audit_dns's (and scan_code's)
// auditor is built from: plumb dns's defaults with the server's network
// and DNS flags, and the call's resolver and record types.
func (f *mcpFlags) auditorFlags(s mcp.DNSSettings) *auditorFlags {
	var a auditorFlags
	a.register(pflag.NewFlagSet("plumb dns defaults", pflag.ContinueOnError))
	a.net = f.scan.net
	a.audit.roots, a.audit.authorityPort = f.scan.dnsAudit.roots, f.scan.dnsAudit.authorityPort
	a.httpRate = f.scan.limits.rate
	if s.Resolver != "" {
		a.net.resolvers = []string{s.Resolver}
	}
	if s.Types != 0 {
		a.types = s.Types.String()
	}
	return &a
}

// serveMCPHTTP serves streamable HTTP at /mcp until ctx ends. A missing
// host means loopback; a non-loopback address gets a warning, since
// anyone who reaches it can use the tools.
func serveMCPHTTP(ctx context.Context, st *Streams, addr string, server *sdk.Server) error {
	if !strings.Contains(addr, ":") {
		addr = ":" + addr
	}
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return usagef("--http %s: %v", addr, err)
	}
	if ap, err := netip.ParseAddrPort(ln.Addr().String()); err != nil || !ap.Addr().IsLoopback() {
		fmt.Fprintf(st.Err, "plumb mcp: warning: %s is not a loopback address: anyone who can reach it can make plumb scan the allowed targets\n", ln.Addr())
	}
	h := sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return server }, &sdk.StreamableHTTPOptions{SessionTimeout: time.Hour})
	mux := http.NewServeMux()
	mux.Handle("/mcp", http.NewCrossOriginProtection().Handler(h))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(st.Err, "plumb mcp: serving MCP (streamable HTTP) at http://%s/mcp\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return scanError{err}
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	return nil
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
