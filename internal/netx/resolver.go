package netx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"

	"github.com/plumbsec/plumb/internal/finding"
)

// ednsUDPSize is the DNS Flag Day 2020 recommended EDNS0 buffer size.
const ednsUDPSize = 1232

// ResolverConfig configures a Resolver.
type ResolverConfig struct {
	// Servers are "ip:port" addresses (IPv6 in brackets). Empty means the
	// nameservers of /etc/resolv.conf. Host names are rejected: resolving
	// the resolver would need a resolver.
	Servers       []string
	Timeout       time.Duration // per query attempt; default 2s
	Retries       int           // extra attempts per server on timeout/SERVFAIL; default 2, <0 means none
	RatePerServer float64       // queries per second per server; 0 = unlimited
	// RatePerAuthority bounds the queries per second to each server that
	// is not one of Servers — the zones' own nameservers, asked directly
	// by delegation checks and iterative resolution; 0 = unlimited. A
	// bulk audit may send thousands of names into one provider's zone.
	RatePerAuthority float64
}

// Resolver asks configured DNS servers directly (never the system
// resolver) and caches LookupHost results for its lifetime, one scan.
type Resolver struct {
	servers  []string
	timeout  time.Duration
	retries  int
	limiters map[string]*rate.Limiter
	tcp      *dns.Client

	authRate float64
	authMu   sync.Mutex
	authLim  map[string]*rate.Limiter
	pool     udpPool // UDP sockets, reused (udppool.go)
	budget   *retryBudget

	flight singleflight.Group
	mu     sync.Mutex
	cache  map[string]hostEntry
}

// NewResolver validates cfg and returns a Resolver.
func NewResolver(cfg ResolverConfig) (*Resolver, error) {
	servers := cfg.Servers
	if len(servers) == 0 {
		cc, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil {
			return nil, fmt.Errorf("resolver: no servers configured and %w", err)
		}
		for _, s := range cc.Servers {
			servers = append(servers, net.JoinHostPort(s, cc.Port))
		}
	}
	r := &Resolver{
		timeout:  cfg.Timeout,
		retries:  cfg.Retries,
		limiters: make(map[string]*rate.Limiter),
		authRate: cfg.RatePerAuthority,
		authLim:  make(map[string]*rate.Limiter),
		cache:    make(map[string]hostEntry),
		budget:   newRetryBudget(),
	}
	if r.timeout <= 0 {
		r.timeout = 2 * time.Second
	}
	if r.retries == 0 {
		r.retries = 2
	} else if r.retries < 0 {
		r.retries = 0
	}
	for _, s := range servers {
		ap, err := parseServer(s)
		if err != nil {
			return nil, err
		}
		addr := ap.String()
		r.servers = append(r.servers, addr)
		if cfg.RatePerServer > 0 {
			r.limiters[addr] = rate.NewLimiter(rate.Limit(cfg.RatePerServer), 1)
		}
	}
	if len(r.servers) == 0 {
		return nil, errors.New("resolver: no DNS servers configured")
	}
	r.tcp = &dns.Client{Net: "tcp", Timeout: r.timeout}
	return r, nil
}

func parseServer(s string) (netip.AddrPort, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		hint := ""
		if _, perr := netip.ParseAddr(strings.Trim(s, "[]")); perr == nil {
			hint = fmt.Sprintf(" (did you mean %s?)", net.JoinHostPort(strings.Trim(s, "[]"), "53"))
		}
		return netip.AddrPort{}, fmt.Errorf("resolver %q: not ip:port%s", s, hint)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("resolver %q: host must be an IP address, not a name", s)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || p == 0 {
		return netip.AddrPort{}, fmt.Errorf("resolver %q: bad port %q", s, port)
	}
	return netip.AddrPortFrom(ip.Unmap(), uint16(p)), nil
}

// Servers returns the servers queried, in order.
func (r *Resolver) Servers() []string { return append([]string(nil), r.servers...) }

// Answer is one DNS reply and where it came from.
type Answer struct {
	Name   string // the question name, fully qualified
	Qtype  uint16
	Server string
	Rcode  int
	Msg    *dns.Msg
	RTT    time.Duration
	ViaTCP bool
	// Attempts is how many exchanges the query took (see Attempts).
	Attempts int
}

// Evidence renders the answer as a DNS evidence record.
func (a *Answer) Evidence() finding.DNSAnswer {
	ev := finding.DNSAnswer{Name: a.Name, Type: typeString(a.Qtype), Server: a.Server, Rcode: rcodeString(a.Rcode)}
	if a.Msg != nil {
		for _, rr := range a.Msg.Answer {
			ev.Answer = append(ev.Answer, rr.String())
		}
	}
	return ev
}

// Query asks the configured servers, in order, one question (RD=1, EDNS0
// with a 1232-byte UDP size, TCP when the UDP reply is truncated). Timeouts
// and SERVFAIL are retried with backoff; NXDOMAIN and NOERROR are final.
//
// The Answer is non-nil whenever some server replied, even with an error,
// so callers can keep it as evidence. The error is nil only for NOERROR
// with a non-empty answer section; otherwise it is a *DNSError.
func (r *Resolver) Query(ctx context.Context, name string, qtype uint16) (*Answer, error) {
	ans, err := r.query(ctx, r.servers, name, qtype, true)
	TallyFrom(ctx).noteDNS(ctx, ans)
	return ans, err
}

// QueryServer asks one specific server ("ip:port"), e.g. an authoritative
// server with recursionDesired=false. Same retry and error rules as Query.
func (r *Resolver) QueryServer(ctx context.Context, server, name string, qtype uint16, recursionDesired bool) (*Answer, error) {
	ap, err := parseServer(server)
	if err != nil {
		return nil, err
	}
	ans, err := r.query(ctx, []string{ap.String()}, name, qtype, recursionDesired)
	TallyFrom(ctx).noteDNS(ctx, ans)
	return ans, err
}

// outcome of one exchange with one server.
type outcome struct {
	ans  *Answer
	kind DNSErrorKind // KindOther with ans != nil and final = definitive reply
	err  error
	sent int // messages sent: 2 with a TCP fallback
}

func (r *Resolver) query(ctx context.Context, servers []string, name string, qtype uint16, rd bool) (*Answer, error) {
	fqdn := dns.Fqdn(strings.ToLower(name))
	if _, ok := dns.IsDomainName(fqdn); !ok {
		return nil, &DNSError{Name: fqdn, Qtype: typeString(qtype), Rcode: -1, Kind: KindOther, Err: errors.New("invalid domain name")}
	}
	r.budget.earn()
	done := make([]bool, len(servers)) // server gave a final non-retryable reply
	var last []outcome
	sent, rounds := 0, 0
	for attempt := 0; attempt <= r.retries; attempt++ {
		if attempt > 0 {
			if !r.budget.spend() {
				break
			}
			if err := sleepCtx(ctx, r.backoff(attempt)); err != nil {
				break
			}
		}
		rounds++
		last = last[:0]
		for i, srv := range servers {
			if done[i] {
				continue
			}
			o := r.exchange(ctx, srv, fqdn, qtype, rd)
			sent += o.sent
			if o.ans != nil && (o.ans.Rcode == dns.RcodeSuccess || o.ans.Rcode == dns.RcodeNameError) {
				o.ans.Attempts = sent
				return o.ans, withAttempts(answerError(o.ans), sent)
			}
			if o.ans != nil && o.ans.Rcode != dns.RcodeServerFailure {
				done[i] = true // REFUSED, FORMERR, NOTIMP: asking again will not help
			}
			last = append(last, o)
			if ctx.Err() != nil {
				break
			}
		}
		if ctx.Err() != nil || allDone(done) {
			break
		}
	}
	ans, err := r.failure(ctx, fqdn, qtype, last, rounds)
	if ans != nil {
		ans.Attempts = sent
	}
	return ans, withAttempts(err, sent)
}

func withAttempts(err error, n int) error {
	var de *DNSError
	if errors.As(err, &de) {
		de.Attempts = n
	}
	return err
}

func allDone(done []bool) bool {
	for _, d := range done {
		if !d {
			return false
		}
	}
	return true
}

// backoff before retry attempt n (1-based): 50ms, 100ms, ... capped at a
// quarter of the timeout so a dead resolver fails within its bound.
func (r *Resolver) backoff(n int) time.Duration {
	d := 50 * time.Millisecond << (n - 1)
	if limit := r.timeout / 4; d > limit {
		d = limit
	}
	return d
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// answerError turns a definitive reply into nil or a *DNSError.
func answerError(a *Answer) error {
	e := &DNSError{Name: a.Name, Qtype: typeString(a.Qtype), Server: a.Server, Rcode: a.Rcode}
	switch {
	case a.Rcode == dns.RcodeNameError:
		e.Kind = KindNXDomain
	case a.Rcode == dns.RcodeSuccess && len(a.Msg.Answer) == 0:
		e.Kind = KindNoData
	case a.Rcode == dns.RcodeSuccess:
		return nil
	case a.Rcode == dns.RcodeServerFailure:
		e.Kind = KindServFail
	case a.Rcode == dns.RcodeRefused:
		e.Kind = KindRefused
	default:
		e.Kind = KindOther
	}
	return e
}

// failure picks the most telling error when no server answered
// definitively: a reply (SERVFAIL, REFUSED, ...) beats silence.
func (r *Resolver) failure(ctx context.Context, fqdn string, qtype uint16, outs []outcome, rounds int) (*Answer, error) {
	var best *outcome
	rank := func(o *outcome) int {
		switch {
		case o.ans != nil && o.ans.Rcode == dns.RcodeServerFailure:
			return 4
		case o.ans != nil:
			return 3
		case o.kind == KindTimeout:
			return 2
		default:
			return 1
		}
	}
	var servers []string
	for i := range outs {
		if best == nil || rank(&outs[i]) > rank(best) {
			best = &outs[i]
		}
	}
	if best != nil && best.ans != nil {
		return best.ans, answerError(best.ans)
	}
	e := &DNSError{Name: fqdn, Qtype: typeString(qtype), Rcode: -1, Kind: KindOther}
	if best != nil {
		e.Kind, e.Err = best.kind, best.err
	}
	if ctx.Err() != nil {
		// The caller stopped waiting (a scan's time limit, an interrupt):
		// that says nothing about the servers.
		e.Kind, e.Err = KindOther, fmt.Errorf("stopped before a DNS server answered: %w", context.Cause(ctx))
	}
	for _, o := range outs {
		if o.ans == nil {
			servers = append(servers, serverOf(o.err))
		}
	}
	e.Server = strings.Join(dedupe(servers), ",")
	if e.Kind == KindTimeout || e.Kind == KindUnreachable {
		e.Err = fmt.Errorf("no DNS server answered (tried %d server(s), %d attempt(s) each, %s timeout): %w",
			len(dedupe(servers)), rounds, r.timeout, e.Err)
	}
	return nil, e
}

// serverErr carries which server an exchange error came from.
type serverErr struct {
	server string
	err    error
}

func (e *serverErr) Error() string { return e.server + ": " + e.err.Error() }
func (e *serverErr) Unwrap() error { return e.err }

func serverOf(err error) string {
	var se *serverErr
	if errors.As(err, &se) {
		return se.server
	}
	return ""
}

func dedupe(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := ss[:0:0]
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// limiter is server's rate limiter: a configured server's, else (with
// RatePerAuthority) one made for that authoritative server on first use.
func (r *Resolver) limiter(server string) *rate.Limiter {
	if r.authRate <= 0 || slices.Contains(r.servers, server) {
		return r.limiters[server]
	}
	r.authMu.Lock()
	defer r.authMu.Unlock()
	lim := r.authLim[server]
	if lim == nil {
		lim = rate.NewLimiter(rate.Limit(r.authRate), 1)
		r.authLim[server] = lim
	}
	return lim
}

// exchange sends one question to one server, falling back to TCP when the
// UDP reply is truncated.
func (r *Resolver) exchange(ctx context.Context, server, fqdn string, qtype uint16, rd bool) outcome {
	if lim := r.limiter(server); lim != nil {
		if err := lim.Wait(ctx); err != nil {
			return outcome{kind: KindOther, err: &serverErr{server, err}}
		}
	}
	m := new(dns.Msg)
	m.SetQuestion(fqdn, qtype)
	m.RecursionDesired = rd
	m.SetEdns0(ednsUDPSize, false)

	resp, rtt, err := r.udpExchange(ctx, m, server)
	sent, viaTCP := 1, false
	if resp != nil && resp.Truncated {
		m.Id = dns.Id()
		resp, rtt, err = roundTrip(ctx, r.tcp, m, server)
		sent, viaTCP = 2, true
	}
	if err != nil {
		return outcome{kind: classifyNetErr(err), err: &serverErr{server, err}, sent: sent}
	}
	return outcome{ans: &Answer{Name: fqdn, Qtype: qtype, Server: server, Rcode: resp.Rcode, Msg: resp, RTT: rtt, ViaTCP: viaTCP}, sent: sent}
}

func classifyNetErr(err error) DNSErrorKind {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return KindTimeout
	case errors.Is(err, context.Canceled):
		return KindOther
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return KindUnreachable
	}
	return KindOther
}
