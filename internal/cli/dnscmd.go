package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/miekg/dns"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/safetext"
)

// ianaRoots are the IPv4 addresses of the 13 root servers (a to m).
var ianaRoots = []string{
	"198.41.0.4:53", "170.247.170.2:53", "192.33.4.12:53", "199.7.91.13:53", "192.203.230.10:53",
	"192.5.5.241:53", "192.112.36.4:53", "198.97.190.53:53", "192.36.148.17:53", "192.58.128.30:53",
	"193.0.14.129:53", "199.7.83.42:53", "202.12.27.33:53",
}

// dnsAuditFlags choose where delegation walks start. Shared by scan and dns.
type dnsAuditFlags struct {
	roots         []string
	authorityPort int
	dnsRate       float64
	probeZone     string
}

func (f *dnsAuditFlags) register(fs *pflag.FlagSet, bulk bool) {
	fs.StringArrayVar(&f.roots, "dns-root", nil, "root server `HOST:PORT` where delegation walks start (repeatable; default: the IANA root servers; 'none' disables lame-delegation and registrability checks)")
	fs.IntVar(&f.authorityPort, "dns-authority-port", 0, "send direct-to-authority queries to this `PORT` instead of 53 (the lab serves its authorities on one port)")
	// A testing knob: the lab (plumb demo --serve prints it) needs it, users do not.
	_ = fs.MarkHidden("dns-authority-port")
	if !bulk {
		return
	}
	fs.Float64Var(&f.dnsRate, "dns-rate", 1000, "DNS queries per second per resolver")
	fs.StringVar(&f.probeZone, "dns-probe-zone", "com", "`ZONE` under which a random name is asked to detect resolvers that rewrite NXDOMAIN")
}

func (f *dnsAuditFlags) build() (roots []string, port uint16, err error) {
	switch {
	case len(f.roots) == 1 && f.roots[0] == "none":
		roots = nil
	case len(f.roots) == 0:
		roots = ianaRoots
	default:
		for _, r := range f.roots {
			if _, err := netip.ParseAddrPort(r); err != nil {
				return nil, 0, usagef("--dns-root %q: want IP:PORT, e.g. 198.41.0.4:53", r)
			}
		}
		roots = f.roots
	}
	if f.authorityPort < 0 || f.authorityPort > 65535 {
		return nil, 0, usagef("--dns-authority-port must be between 1 and 65535")
	}
	if f.dnsRate < 0 {
		return nil, 0, usagef("--dns-rate must not be negative")
	}
	return roots, uint16(f.authorityPort), nil
}

type dnsFlags struct {
	auditor     auditorFlags
	input       string
	concurrency int
	format      string
	failOn      string
	quiet       bool
}

// auditorFlags build a dnsaudit.Auditor: resolvers, roots, record types,
// search domains, owned networks and HTTP fingerprints. Shared by dns,
// code and mcp.
type auditorFlags struct {
	net           netFlags
	audit         dnsAuditFlags
	ownedIPs      string
	noHTTP        bool
	httpRate      float64
	types         string
	searchDomains []string
}

func (f *auditorFlags) register(fs *pflag.FlagSet) {
	f.net.register(fs)
	f.audit.register(fs, true)
	fs.StringVar(&f.ownedIPs, "owned-ips", "", "`FILE` of CIDRs you own, one per line: addresses outside them are reported as possibly released")
	fs.BoolVar(&f.noHTTP, "no-http", false, "skip HTTP fingerprints of unclaimed services")
	fs.Float64Var(&f.httpRate, "rate", 20, "HTTP fingerprint requests per second per host")
	fs.StringVar(&f.types, "types", dnsaudit.DefaultTypes.String(), "record `TYPES` to audit, comma-separated: A, AAAA, CNAME, MX, NS, SRV, TXT (SPF and _dmarc), CAA; the names they point at are audited too")
	fs.StringArrayVar(&f.searchDomains, "search-domain", nil, "`DOMAIN` clients append to names that do not resolve (repeatable; default: the search list of /etc/resolv.conf when no --resolver is given)")
}

func newDNSCmd(st *Streams) *cobra.Command {
	f := &dnsFlags{}
	cmd := &cobra.Command{
		Use:   "dns [NAME...]",
		Short: "Audit host names for dangling DNS and takeovers",
		Long: `Audit host names for dangling DNS: CNAME chains to names that no longer
exist (claimable or not), unregistered domains, lame and partially lame
delegations read from the parent zone, unclaimed cloud resources (HTTP
fingerprint, only when the DNS chain identifies the service), internal
addresses in public DNS, and, with --owned-ips, addresses you do not own.

Each result is one JSON line, streamed as it is ready: name, status (ok,
dangling, vulnerable, unresolved, error), service, findings (each with the
DNS answers it rests on: query, server, rcode) and chain. Timeouts and
SERVFAIL are "error", never "does not exist".

Records audited (--types, default A,AAAA,CNAME,MX,NS): the names MX, NS,
SRV, SPF (include:, redirect=), DMARC (rua, ruf) and CAA records point at
are audited like names. A resolver that rewrites NXDOMAIN or fails is
dropped, said on stderr and as a {"notice": ...} line; when none is left
(or with --resolver iterative), names are resolved from the root servers.

` + dnsExitCodeHelp,
		Example: `  plumb dns api.example.com login.example.com
  plumb dns --input hosts.txt --resolver 9.9.9.9:53 --resolver 1.1.1.1:53 > audit.jsonl
  plumb dns --resolver iterative --types A,MX,TXT,CAA example.com
  cat hosts.txt | plumb dns --input - --format table --fail-on high`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDNS(cmd.Context(), st, f, args)
		},
	}
	fs := cmd.Flags()
	f.auditor.register(fs)
	fs.StringVarP(&f.input, "input", "i", "", "read names from `FILE`, one per line ('-': standard input)")
	fs.IntVar(&f.concurrency, "concurrency", 64, "names audited in parallel")
	fs.StringVarP(&f.format, "format", "f", "jsonl", "output `FORMAT`: jsonl, json, table")
	fs.StringVar(&f.failOn, "fail-on", "", "exit 1 when a finding is at or above `SEVERITY` (critical, high, medium, low)")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no progress line and no notices on stderr (notices stay in the output)")
	return cmd
}

// dnsRun is a validated `plumb dns` invocation.
type dnsRun struct {
	auditor *dnsaudit.Auditor
	names   io.Reader
	args    []string
	total   int64 // names to audit, 0 when unknown (standard input)
	conc    int
	out     resultWriter
	failOn  finding.Severity
	gate    bool
}

func runDNS(ctx context.Context, st *Streams, f *dnsFlags, args []string) error {
	r, closeIn, err := f.prepare(ctx, st, args)
	if err != nil {
		return err
	}
	defer closeIn()
	for _, n := range r.auditor.Notices() {
		if !f.quiet {
			fmt.Fprintf(st.Err, "plumb dns: %s\n", noticeText(n))
		}
		if err := r.out.notice(n); err != nil {
			return scanError{err}
		}
	}
	prog := &dnsProgress{w: st.Err, active: isTerminal(st.Err) && !f.quiet, total: r.total}
	worst, err := r.run(ctx, prog)
	prog.finish()
	if err != nil {
		return scanError{err}
	}
	if ctx.Err() != nil {
		return scanError{errors.New("interrupted; the results above are partial")}
	}
	if r.gate && worst >= r.failOn {
		return gateError{fmt.Sprintf("a finding at or above %s (--fail-on %s)", r.failOn, f.failOn)}
	}
	return nil
}

func (f *dnsFlags) prepare(ctx context.Context, st *Streams, args []string) (*dnsRun, func(), error) {
	r := &dnsRun{args: args, conc: f.concurrency}
	noop := func() {}
	if f.concurrency < 1 || f.concurrency > 4096 {
		return nil, noop, usagef("--concurrency must be between 1 and 4096")
	}
	if f.failOn != "" {
		sev, err := finding.ParseSeverity(f.failOn)
		if err != nil || sev == finding.Info {
			return nil, noop, usagef("--fail-on %q: want critical, high, medium or low", f.failOn)
		}
		r.failOn, r.gate = sev, true
	}
	var err error
	if r.out, err = newResultWriter(f.format, st.Out); err != nil {
		return nil, noop, err
	}
	if f.input == "" && len(args) == 0 {
		return nil, noop, usagef("give names as arguments or --input FILE ('-' for standard input)")
	}
	if f.input != "" && len(args) > 0 {
		return nil, noop, usagef("give names as arguments or --input FILE ('-' for standard input), not both")
	}
	closeIn := noop
	switch f.input {
	case "":
		r.total = int64(len(args))
	case "-":
		r.names = st.In
	default:
		fh, err := os.Open(f.input)
		if err != nil {
			return nil, noop, usagef("--input: %v", err)
		}
		r.names, closeIn = fh, func() { _ = fh.Close() }
		r.total = countNames(f.input)
	}
	r.auditor, err = f.auditor.build(ctx, nil)
	if err != nil {
		closeIn()
		return nil, noop, err
	}
	return r, closeIn, nil
}

// build makes the auditor; a resolver that does not answer is a scanError.
func (f *auditorFlags) build(ctx context.Context, mod func(*dnsaudit.Options)) (*dnsaudit.Auditor, error) {
	opts, err := f.options()
	if err != nil {
		return nil, err
	}
	if mod != nil {
		mod(&opts)
	}
	a, err := dnsaudit.New(ctx, opts)
	if err != nil {
		return nil, scanError{err}
	}
	return a, nil
}

func (f *auditorFlags) options() (dnsaudit.Options, error) {
	var o dnsaudit.Options
	nf := f.net
	if slices.Contains(nf.resolvers, "iterative") {
		if len(nf.resolvers) > 1 {
			return o, usagef("--resolver iterative resolves from the root servers: give no resolver address with it")
		}
		o.Iterative, nf.resolvers = true, nil
	}
	ct, roots, err := nf.build()
	if err != nil {
		return o, err
	}
	o.Roots, o.AuthorityPort, err = f.audit.build()
	if err != nil {
		return o, err
	}
	if o.Types, err = dnsaudit.ParseTypes(f.types); err != nil {
		return o, usagef("--types: %v", err)
	}
	o.SearchDomains = f.searchDomains
	if len(o.SearchDomains) == 0 && len(f.net.resolvers) == 0 {
		o.SearchDomains = systemSearchDomains()
	}
	servers := nf.resolvers
	if o.Iterative {
		if len(o.Roots) == 0 {
			return o, usagef("--resolver iterative needs root servers (--dns-root)")
		}
		// The audit asks the zones' own servers; the resolver's list is
		// never asked (and HTTP fingerprints, which would need it, are off).
		servers, f.noHTTP = o.Roots, true
	}
	res, err := netx.NewResolver(netx.ResolverConfig{Servers: servers, RatePerServer: f.audit.dnsRate})
	if err != nil {
		return o, usagef("%v", err)
	}
	o.Resolver, o.ProbeZone = res, f.audit.probeZone
	if f.ownedIPs != "" {
		if o.OwnedNets, err = readCIDRs(f.ownedIPs); err != nil {
			return o, err
		}
	}
	if f.httpRate <= 0 {
		return o, usagef("--rate must be positive")
	}
	if !f.noHTTP {
		o.HTTP, err = netx.NewClient(netx.Config{Resolver: res, ConnectTo: ct, RootCAs: roots, Insecure: f.net.insecure, Rate: f.httpRate,
			Timeout: f.net.timeout, MaxRedirects: -1, UserAgent: "plumb/" + version(), AllowHost: f.net.allowHost})
		if err != nil {
			return o, usagef("%v", err)
		}
	}
	return o, nil
}

func readCIDRs(path string) ([]netip.Prefix, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--owned-ips: %v", err)
	}
	var out []netip.Prefix
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p, err := netip.ParsePrefix(line)
		if err != nil {
			ip, ierr := netip.ParseAddr(line)
			if ierr != nil {
				return nil, usagef("--owned-ips %s line %d: %q is not a CIDR", path, i+1, line)
			}
			p = netip.PrefixFrom(ip, ip.BitLen())
		}
		out = append(out, p.Masked())
	}
	if len(out) == 0 {
		return nil, usagef("--owned-ips %s: no CIDR in the file", path)
	}
	return out, nil
}

// systemSearchDomains is the search list of /etc/resolv.conf, if any.
func systemSearchDomains() []string {
	cc, err := dns.ClientConfigFromFile("/etc/resolv.conf")
	if err != nil {
		return nil
	}
	return cc.Search
}

// countNames counts the names of an input file for the progress line (0
// when it cannot be read: the progress line then shows no total).
func countNames(path string) int64 {
	fh, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer func() { _ = fh.Close() }()
	var n int64
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			n++
		}
	}
	return n
}

// noticeText is a notice as one line of stderr.
func noticeText(n dnsaudit.Notice) string { return "warning: " + n.Text() }

// maxNameLine bounds one input line; longer lines are not host names.
const maxNameLine = 4096

// nameItem is one name to audit, or an input line that is not one.
type nameItem struct {
	name string
	err  string // set: emit an error result for name without auditing
}

// run audits every name with bounded parallelism and writes each result
// as soon as it is ready. Memory stays flat: names are read as workers
// free up, results are written and dropped (a bounded memo keeps recent
// ones so a repeated name is audited once).
func (r *dnsRun) run(ctx context.Context, prog *dnsProgress) (finding.Severity, error) {
	names := make(chan nameItem, r.conc)
	results := make(chan *dnsaudit.Result, r.conc)
	var readErr error
	go func() {
		defer close(names)
		readErr = r.feed(ctx, names)
	}()
	memo := newAuditMemo(memoNames)
	var wg sync.WaitGroup
	for range r.conc {
		wg.Go(func() {
			for n := range names {
				if n.err != "" {
					results <- &dnsaudit.Result{Name: n.name, Status: finding.DNSError, Error: n.err, Findings: []finding.Finding{}, Chain: []dnsaudit.Link{}}
					continue
				}
				results <- memo.audit(ctx, r.auditor, n.name)
			}
		})
	}
	go func() { wg.Wait(); close(results) }()
	worst := finding.Severity(-1)
	var werr error
	stop := prog.begin()
	defer stop()
	for res := range results {
		prog.add(res)
		for _, f := range res.Findings {
			worst = max(worst, f.Severity)
		}
		if werr == nil {
			werr = r.out.write(res)
		}
	}
	if werr == nil {
		werr = r.out.close()
	}
	return worst, errors.Join(readErr, werr)
}

func (r *dnsRun) feed(ctx context.Context, names chan<- nameItem) error {
	send := func(n nameItem) bool {
		select {
		case names <- n:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for _, a := range r.args {
		if !send(nameItem{name: a}) {
			return nil
		}
	}
	if r.names == nil {
		return nil
	}
	br := bufio.NewReaderSize(r.names, maxNameLine)
	for lineNo := 1; ; lineNo++ {
		line, long, err := readLine(br, maxNameLine)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read names: line %d: %w", lineNo, err)
		}
		item := nameItem{name: strings.TrimSpace(line)}
		if long {
			item = nameItem{name: safetext.Quote(line, 64), err: fmt.Sprintf("line %d is longer than %d bytes: not a host name", lineNo, maxNameLine)}
		}
		if item.name == "" || strings.HasPrefix(item.name, "#") {
			continue
		}
		if !send(item) {
			return nil
		}
	}
}

// readLine reads one line (without its end) of at most limit bytes; the
// rest of a longer line is read and dropped, and long is true.
func readLine(br *bufio.Reader, limit int) (line string, long bool, err error) {
	var b []byte
	total := 0
	for {
		part, more, err := br.ReadLine()
		if err != nil {
			if errors.Is(err, io.EOF) && total > 0 {
				return string(b), total > limit, nil
			}
			return "", false, err
		}
		total += len(part)
		if len(b) < limit {
			b = append(b, part[:min(len(part), limit-len(b))]...)
		}
		if !more {
			return string(b), total > limit, nil
		}
	}
}
