package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

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
}

// auditorFlags build a dnsaudit.Auditor: resolvers, roots, owned networks
// and HTTP fingerprints. Shared by dns and code.
type auditorFlags struct {
	net      netFlags
	audit    dnsAuditFlags
	ownedIPs string
	noHTTP   bool
	httpRate float64
}

func (f *auditorFlags) register(fs *pflag.FlagSet) {
	f.net.register(fs)
	f.audit.register(fs, true)
	fs.StringVar(&f.ownedIPs, "owned-ips", "", "`FILE` of CIDRs you own, one per line: addresses outside them are reported as possibly released")
	fs.BoolVar(&f.noHTTP, "no-http", false, "skip HTTP fingerprints of unclaimed services")
	fs.Float64Var(&f.httpRate, "rate", 20, "HTTP fingerprint requests per second per host")
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
dangling, vulnerable, unresolved, error), service, findings and chain.
Timeouts and SERVFAIL are "error", never "does not exist".

` + exitCodeHelp,
		Example: `  plumb dns api.example.com login.example.com
  plumb dns --input hosts.txt --resolver 9.9.9.9:53 --resolver 1.1.1.1:53 > audit.jsonl
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
	return cmd
}

// dnsRun is a validated `plumb dns` invocation.
type dnsRun struct {
	auditor *dnsaudit.Auditor
	names   io.Reader
	args    []string
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
	prog := &dnsProgress{w: st.Err, active: isTerminal(st.Err)}
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
	if (f.input == "") == (len(args) == 0) {
		return nil, noop, usagef("give names as arguments or --input FILE ('-' for standard input), not both")
	}
	closeIn := noop
	switch f.input {
	case "":
	case "-":
		r.names = st.In
	default:
		fh, err := os.Open(f.input)
		if err != nil {
			return nil, noop, usagef("--input: %v", err)
		}
		r.names, closeIn = fh, func() { _ = fh.Close() }
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
	ct, roots, err := f.net.build()
	if err != nil {
		return o, err
	}
	o.Roots, o.AuthorityPort, err = f.audit.build()
	if err != nil {
		return o, err
	}
	res, err := netx.NewResolver(netx.ResolverConfig{Servers: f.net.resolvers, RatePerServer: f.audit.dnsRate})
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
	stop := prog.start()
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

// resultWriter renders results as they arrive.
type resultWriter interface {
	write(*dnsaudit.Result) error
	close() error
}

func newResultWriter(format string, w io.Writer) (resultWriter, error) {
	bw := bufio.NewWriter(w)
	switch format {
	case "jsonl":
		return &jsonWriter{w: bw, enc: json.NewEncoder(bw)}, nil
	case "json":
		return &jsonWriter{w: bw, enc: json.NewEncoder(bw), array: true}, nil
	case "table":
		tw := tabwriter.NewWriter(bw, 0, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "STATUS\tNAME\tSERVICE\tFINDINGS")
		return &tableWriter{bw: bw, tw: tw}, nil
	}
	return nil, usagef("--format %q: want one of jsonl, json, table", format)
}

type jsonWriter struct {
	w     *bufio.Writer
	enc   *json.Encoder
	array bool
	n     int
}

func (j *jsonWriter) write(r *dnsaudit.Result) error {
	if j.array {
		sep := ",\n"
		if j.n == 0 {
			sep = "[\n"
		}
		if _, err := j.w.WriteString(sep); err != nil {
			return err
		}
	}
	j.n++
	if err := j.enc.Encode(r); err != nil {
		return err
	}
	// Flush each line in jsonl so a consumer sees results as they come.
	if !j.array {
		return j.w.Flush()
	}
	return nil
}

func (j *jsonWriter) close() error {
	if j.array {
		s := "]\n"
		if j.n == 0 {
			s = "[]\n"
		}
		if _, err := j.w.WriteString(s); err != nil {
			return err
		}
	}
	return j.w.Flush()
}

type tableWriter struct {
	bw *bufio.Writer
	tw *tabwriter.Writer
	n  int
}

func (t *tableWriter) write(r *dnsaudit.Result) error {
	var fs []string
	for _, f := range r.Findings {
		fs = append(fs, fmt.Sprintf("%s[%s] %s", f.ID, f.Severity, f.Title))
	}
	if len(fs) == 0 && r.Error != "" {
		fs = append(fs, r.Error)
	}
	svc := r.Service
	if svc == "" {
		svc = "-"
	}
	// Names come from the input and titles may quote what a server said:
	// nothing in them may drive the terminal.
	q := func(s string) string { return safetext.Quote(s, 4*len(s)+1) }
	if _, err := fmt.Fprintf(t.tw, "%s\t%s\t%s\t%s\n", r.Status, q(r.Name), q(svc), q(strings.Join(fs, "; "))); err != nil {
		return err
	}
	// tabwriter keeps rows until Flush: flush in blocks so memory stays
	// bounded on huge lists (columns may shift between blocks).
	if t.n++; t.n%256 == 0 {
		return t.close()
	}
	return nil
}

func (t *tableWriter) close() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	return t.bw.Flush()
}

// dnsProgress draws a status line on a terminal.
type dnsProgress struct {
	w                               io.Writer
	active                          bool
	n, dangling, vulnerable, failed atomic.Int64
	mu                              sync.Mutex
	drawn                           bool
}

func (p *dnsProgress) add(r *dnsaudit.Result) {
	p.n.Add(1)
	switch r.Status {
	case finding.DNSDangling:
		p.dangling.Add(1)
	case finding.DNSVulnerable:
		p.vulnerable.Add(1)
	case finding.DNSError:
		p.failed.Add(1)
	}
}

func (p *dnsProgress) start() (stop func()) {
	if !p.active {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
	return func() { close(done) }
}

func (p *dnsProgress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\x1b[2Kplumb dns: %s names, %d vulnerable, %d dangling, %d errors",
		strconv.FormatInt(p.n.Load(), 10), p.vulnerable.Load(), p.dangling.Load(), p.failed.Load())
	p.drawn = true
}

func (p *dnsProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[2K")
	}
}
