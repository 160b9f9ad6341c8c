// Package dnsaudit is plumb's DNS truth: it walks a name's CNAME chain
// (through resolvers it has checked for lying, or iteratively from the root
// servers), reads delegations from the parent zone's referral, asks every
// authoritative server of every zone the answer depends on, audits the
// names MX, NS, SRV, SPF, DMARC and CAA records point at, and turns what it
// sees into verdicts with evidence (query, server, rcode, answer) that keep
// "dangling" (a fact) apart from "vulnerable" (anyone can claim it).
// Timeouts and SERVFAIL are never read as "does not exist", nor as lame.
package dnsaudit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"sync/atomic"

	"github.com/miekg/dns"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

// Options configures an Auditor.
type Options struct {
	// Resolver holds the recursive resolvers; each configured server is
	// probed for NXDOMAIN rewriting and used for second opinions.
	Resolver *netx.Resolver
	// Roots are root server addresses ("ip:port") where delegation walks
	// start. Empty disables every direct-to-authority check (lame
	// delegations, registrability, authoritative NXDOMAIN confirmation).
	Roots []string
	// AuthorityPort is a TESTING knob: the port of direct-to-authority
	// queries (glue and nameserver addresses), 53 when zero. The lab serves
	// its root, TLD and provider servers on 127.0.0.x at one shared port.
	AuthorityPort uint16
	// Fingerprints identifies services; nil uses the embedded database (DefaultFingerprints).
	Fingerprints Fingerprints
	// HTTP, if set, fetches the victim name to match the HTTP fingerprint
	// of a service its DNS chain identified. Nil skips HTTP fingerprints.
	HTTP *netx.Client
	// OwnedNets turns on inventory mode: addresses outside them are
	// reported as possibly released cloud addresses.
	OwnedNets []netip.Prefix
	// IgnoreInternal suppresses internal-address findings (a scan of a
	// local or staging target, where internal addresses are expected).
	IgnoreInternal bool
	// ProbeZone is where a random label is asked to detect resolvers that
	// rewrite NXDOMAIN; default "com".
	ProbeZone string
	// SearchDomains are the resolver search list of the clients (e.g. from
	// /etc/resolv.conf): a single-label name, or one under no public
	// suffix that does not exist, is tried with each to find what it
	// reaches (reported as dns.ambiguous-name).
	SearchDomains []string
	// Types are the record types audited per name; zero means DefaultTypes.
	Types RecordTypes
	// Iterative resolves every name from Roots (the zones' own servers)
	// instead of through the resolvers, which are then not used for DNS
	// audits at all.
	Iterative bool
	// CacheSize bounds the zone/delegation cache; default 20000 entries.
	CacheSize int
}

// Auditor audits names. Safe for concurrent use; share one per run so the
// delegation cache is shared.
type Auditor struct {
	opts      Options
	res       *netx.Resolver
	servers   []string // trusted recursive servers
	distrust  []string // servers that rewrote NXDOMAIN
	notices   []Notice
	fp        Fingerprints
	cache     *zoneCache
	health    serverHealth
	iterative bool // resolve from the roots instead of through resolvers
	queries   atomic.Int64
	down      error // no resolver can be used: every Audit is error with it
}

// New checks the resolvers (one random-label query each) and returns an
// Auditor over those that answer NXDOMAIN honestly. Resolvers that rewrite
// NXDOMAIN or fail are dropped, each with a Notice; when none is left and
// root servers are configured, the Auditor resolves iteratively from the
// roots (with a Notice), else New fails. Options.Iterative skips the
// resolvers altogether.
//
// When it fails because no resolver can be used (ErrNoResolver,
// ErrAllResolversRewrite), New also returns an Auditor that audits
// nothing: each Audit is error with that reason, and Notices says what
// each resolver did. A caller with work that needs no DNS (plumb code's
// findings, the rest of a report) keeps it and marks the DNS part failed
// instead of losing everything.
func New(ctx context.Context, opts Options) (*Auditor, error) {
	if opts.Resolver == nil {
		return nil, errors.New("dnsaudit: no resolver")
	}
	if opts.Fingerprints == nil {
		db, err := DefaultFingerprints()
		if err != nil {
			return nil, err
		}
		opts.Fingerprints = db
	}
	if opts.ProbeZone == "" {
		opts.ProbeZone = "com"
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = 20000
	}
	if opts.Types == 0 {
		opts.Types = DefaultTypes
	}
	a := &Auditor{opts: opts, res: opts.Resolver, fp: opts.Fingerprints, cache: newZoneCache(opts.CacheSize)}
	if opts.Iterative {
		if len(opts.Roots) == 0 {
			return nil, ErrNoRoots
		}
		a.iterative = true
		return a, nil
	}
	if err := a.probeResolvers(ctx); err != nil {
		if errors.Is(err, ErrNoResolver) || errors.Is(err, ErrAllResolversRewrite) {
			a.down = err
			return a, err
		}
		return nil, err
	}
	return a, nil
}

// Down is why this Auditor audits nothing (see New), or nil.
func (a *Auditor) Down() error { return a.down }

// Queries is the number of DNS queries sent so far.
func (a *Auditor) Queries() int64 { return a.queries.Load() }

func randomLabel() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "plumb-nx-" + hex.EncodeToString(b)
}

// Link is one step of a name's resolution, as evidence.
type Link struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Value  string `json:"value,omitempty"`
	Rcode  string `json:"rcode"`
	Server string `json:"server,omitempty"`
}

// Result is the audit of one name. Its JSON is the documented line of
// `plumb dns` (see MarshalJSON).
type Result struct {
	Name    string
	Status  finding.DNSStatus // ok, dangling, vulnerable, unresolved or error
	Service string
	// Findings are the verdicts as report findings: Location.Host is the
	// audited name and Location.Param the zone, nameserver or CNAME target
	// a verdict is about; Evidence.Summary explains it, Evidence.DNS holds
	// every answer it rests on (query, server, rcode), Evidence.HTTP any
	// page fetched.
	Findings []finding.Finding
	Chain    []Link
	Addrs    []netip.Addr
	Error    string
	Queries  int

	claimable map[verdictKey]bool
}

// verdictKey names a finding within a result: an id is reported at most
// once per subject.
type verdictKey struct{ id, subject string }

// Claimable reports whether f, one of r's findings, establishes that
// anyone can take the name (a takeover, not only a dangling record).
func (r *Result) Claimable(f finding.Finding) bool {
	return r.claimable[verdictKey{f.ID, f.Location.Param}]
}

// Finding ids. They are stable: reports and suppressions key on them.
const (
	IDDanglingCNAME      = "dns.dangling-cname"
	IDUnregisteredDomain = "dns.unregistered-domain"
	IDLameDelegation     = "dns.lame-delegation"
	IDPartiallyLame      = "dns.partially-lame-delegation"
	IDUnclaimedService   = "dns.unclaimed-service"
	IDInternalAddress    = "dns.internal-address"
	IDUnownedAddress     = "dns.unowned-address"
	IDHostNXDomain       = "dns.host-nxdomain"
	IDLookupFailed       = "dns.lookup-failed"
	IDResolverDisagree   = "dns.resolvers-disagree"
	IDNameserverFailed   = "dns.nameserver-failed"
)

// run is the state of one name's audit.
type run struct {
	a       *Auditor
	res     *Result
	queries int
	depth   int           // nested iterative resolutions (nameserver addresses)
	lastCut *delegation   // the zone whose servers gave the last iterative answer
	cuts    []*delegation // the zone cuts the name's answer depends on
	order   []string      // the trusted resolvers, starting at this name's (resolverOrder)
}

func (rn *run) count(n int) {
	rn.queries += n
	rn.a.queries.Add(int64(n))
}

// add records a verdict about the audited name; claimable says it
// establishes a takeover.
func (rn *run) add(f finding.Finding, claimable bool) {
	f.Category = finding.CatDNS
	f.Location.Host = rn.res.Name
	rn.res.Findings = append(rn.res.Findings, f)
	if claimable {
		if rn.res.claimable == nil {
			rn.res.claimable = map[verdictKey]bool{}
		}
		rn.res.claimable[verdictKey{f.ID, f.Location.Param}] = true
	}
}

// verdict is a finding about subject (the zone, nameserver or CNAME target
// a verdict is about); detail explains it and ev is the DNS evidence.
func verdict(id string, sev finding.Severity, conf finding.Confidence, subject, title, detail string, ev []finding.DNSAnswer) finding.Finding {
	return finding.Finding{ID: id, Title: title, Severity: sev, Confidence: conf,
		Location: finding.Location{Param: subject}, Evidence: finding.Evidence{Summary: detail, DNS: ev}}
}

// Audit audits one name. It never returns an error: what could not be
// determined is finding.DNSError with a reason.
func (a *Auditor) Audit(ctx context.Context, name string) *Result {
	name = normName(name)
	rn := &run{a: a, res: &Result{Name: name, Findings: []finding.Finding{}, Chain: []Link{}}}
	defer func() { rn.res.Queries = rn.queries }()
	if !validName(name) {
		rn.res.Status, rn.res.Error = finding.DNSError, "not a valid domain name"
		return rn.res
	}
	if a.down != nil {
		rn.res.Status, rn.res.Error = finding.DNSError, "not audited: "+a.down.Error()
		return rn.res
	}
	if ip, err := netip.ParseAddr(name); err == nil {
		rn.res.Status, rn.res.Addrs = finding.DNSOK, []netip.Addr{ip}
		rn.checkAddrs()
		return rn.res
	}
	rn.audit(ctx)
	return rn.res
}

func (rn *run) audit(ctx context.Context) {
	if d := rn.a.knownLame(rn.res.Name); d != nil {
		rn.res.Chain = append(rn.res.Chain, Link{Name: rn.res.Name, Type: "NS", Value: d.zone, Rcode: "LAME", Server: d.parentServer})
		rn.reportLame(d, d.lame)
		rn.nsDomainChecks(ctx, d)
		rn.finish()
		return
	}
	if !strings.Contains(rn.res.Name, ".") {
		rn.singleLabel(ctx)
		return
	}
	ch := rn.walkChain(ctx, rn.res.Name)
	rn.res.Chain = ch.links
	if ch.loop {
		rn.res.Status, rn.res.Error = finding.DNSError, "CNAME loop or chain too long"
		return
	}
	last := ch.last()
	rn.identifyChain(ch)
	switch {
	case ch.final == nil || (ch.final.Rcode != dns.RcodeSuccess && ch.final.Rcode != dns.RcodeNameError):
		rn.failed(ctx, ch, last)
	case ch.final.Rcode == dns.RcodeNameError:
		rn.nxdomain(ctx, ch, last)
	default:
		rn.resolved(ctx, ch)
		rn.records(ctx, ch)
	}
	rn.noteCutsOf(ctx, ch)
	rn.zoneChecks(ctx)
	rn.finish()
}

// validName accepts host names (letters, digits, '-', '_', a leading '*'
// label) and IP literals; URLs, spaces and oversize names are rejected.
func validName(name string) bool {
	if _, ok := dns.IsDomainName(name); !ok || name == "" || len(name) > 253 {
		return false
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return true
	}
	for _, r := range name {
		ok := r == '.' || r == '-' || r == '_' || r == '*' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// finish derives the status from the findings when a verdict stage did not
// already decide it.
func (rn *run) finish() {
	if rn.res.Status == finding.DNSError {
		return
	}
	for _, f := range rn.res.Findings {
		switch {
		case rn.res.Claimable(f):
			rn.res.Status = finding.DNSVulnerable
			return
		case danglingID(f.ID):
			rn.res.Status = finding.DNSDangling
		}
	}
	if rn.res.Status == finding.DNSUnknown {
		rn.res.Status = finding.DNSOK
	}
	// Failures stay failures (notassessed.go): a step that could not be
	// done keeps the name from reading ok or merely unresolved.
	if rn.res.Status == finding.DNSOK || rn.res.Status == finding.DNSUnresolved {
		if why := rn.notAssessedReason(); why != "" {
			rn.res.Status, rn.res.Error = finding.DNSError, why
		}
	}
}

func danglingID(id string) bool {
	switch id {
	case IDDanglingCNAME, IDUnregisteredDomain, IDLameDelegation, IDPartiallyLame, IDUnclaimedService,
		IDDanglingMX, IDDanglingNS, IDDanglingSRV, IDDanglingSPF, IDDanglingDMARC, IDDanglingCAA:
		return true
	}
	return false
}
