// Package engine runs a scan: it builds the network layer, loads or
// discovers the OpenAPI document, builds the host graph, runs the checks
// with bounded parallelism and scores the findings. It returns data and
// never prints, exits or reads flags.
package engine

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/plumbsec/plumb/internal/result"

	"golang.org/x/sync/errgroup"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/oob"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/scope"
	"github.com/plumbsec/plumb/internal/score"
	"github.com/plumbsec/plumb/internal/spec"
	"github.com/plumbsec/plumb/internal/suppress"
)

// Target is what to scan.
type Target struct {
	URL  string // base URL of the API
	Spec string // OpenAPI document: file path or URL; "" discovers it
}

// Options configure a scan. Scan fills defaults for the zero limits; the
// caller chooses the checks (a zero Checks runs none).
type Options struct {
	Resolvers                 []string
	ConnectTo                 []netx.ConnectTo
	AllowHost                 netx.HostPolicy
	Timeout                   time.Duration // per request
	MaxDuration               time.Duration // whole scan; 0 = DefaultMaxDuration(MaxRequests, Rate), <0 = none
	MaxHostFailures           int           // consecutive timeouts before a host is given up; 0 = netx default, <0 = never
	Rate                      float64       // requests per second per host
	Concurrency               int           // checks in parallel, and per-host connections
	MaxRequests               int
	MaxBodyBytes              int64
	Insecure                  bool
	RootCAs                   *x509.CertPool
	Credentials               http.Header
	CredentialsB              http.Header // identity B for cross-user checks
	Login, LoginB             *Login      // obtain identity A / B by logging in
	ExtraScope                []netx.Origin
	AllowPlainHTTPCredentials bool
	AllowWrites               bool
	Include, Exclude          []scope.Pattern // --include / --exclude: operations to send, operations never to send
	AllowRemoteRefs           bool
	JWTWordlist               []string // extra HMAC secrets for the JWT checks
	CallbackURL               string   // out-of-band listener for SSRF probes (--callback-url)
	// CallbackListen is HOST:PORT for plumb's own out-of-band listener,
	// served for the scan only (--callback-listen); CallbackURL, if set, is
	// then the public base its probe URLs carry.
	CallbackListen string
	Checks         []check.Check // what to run; the caller chooses (the CLI passes the catalog)
	Select         Selector      // which checks run and which findings are kept; nil: all
	Progress       func(Progress)
	Now            func() time.Time
	Version        string
	Ignore         *suppress.Config     // ignore entries (.plumb.yaml); nil: none
	DNSAudit       check.DNSAuditConfig // delegation walks of host audits (roots; empty: none)
	LLM            check.LLMOptions
	// AllowAddr vets every address the scan connects to (nil: any); plumb
	// serve uses it to refuse private targets and hosts.
	AllowAddr func(netip.Addr) error
}

// Selector narrows a scan to some rules (--only, --skip). A check it
// deselects is reported as skipped; findings of rules it does not select
// are dropped.
type Selector interface {
	Check(m check.Meta) bool
	Rule(id string) bool
}

// Deselected is the reason a check the Selector left out gives in the report.
const Deselected = "deselected by --only/--skip"

// Progress is reported while a scan runs.
type Progress struct {
	Stage string // "preflight", "spec", "checks", "hosts", "done"
	Done  int
	Total int
	Check string
}

func (o *Options) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Rate == 0 {
		o.Rate = 20
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 2 << 20
	}
	if o.MaxRequests == 0 {
		o.MaxRequests = 2000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Progress == nil {
		o.Progress = func(Progress) {}
	}
}

// Scan scans one API. On a fatal problem it returns a *ScanError and, when
// anything was learned before it, a partial report.
func Scan(ctx context.Context, t Target, o Options) (*result.Report, error) {
	o.defaults()
	start := o.Now()
	target, err := ParseTarget(t.URL)
	if err != nil {
		return nil, fail(KindUsage, "give the API's base URL, e.g. https://api.example.com", err)
	}
	ctx, cancel := withTimeLimit(ctx, o)
	defer cancel()
	s, err := newScanner(target, o)
	if err != nil {
		return nil, err
	}
	rep := s.newReport(start)
	defer s.finish(ctx, rep, start)
	closeCallback, err := s.openCallback()
	if err != nil {
		return nil, err
	}
	defer closeCallback()

	o.Progress(Progress{Stage: "preflight"})
	if err := s.preflight(ctx); err != nil {
		rep.Partial = true
		rep.Errors = append(rep.Errors, result.Error{Stage: "preflight", Message: err.Error()})
		return rep, err
	}
	o.Progress(Progress{Stage: "spec"})
	if err := s.loadSpec(ctx, t.Spec, rep); err != nil {
		rep.Partial = true
		rep.Errors = append(rep.Errors, result.Error{Stage: "spec", Message: err.Error()})
		return rep, err
	}
	if err := s.identities(ctx, rep); err != nil {
		rep.Partial = true
		rep.Errors = append(rep.Errors, result.Error{Stage: "login", Message: err.Error()})
		return rep, err
	}
	s.applyScope(rep)
	s.seedHosts()
	s.runChecks(ctx, rep)
	return rep, nil
}

// openCallback opens the scan's out-of-band channel: plumb's own listener
// when asked for (closed when the scan ends), else the external listener.
func (s *scanner) openCallback() (func(), error) {
	switch {
	case s.opts.CallbackListen != "":
		l, err := oob.Listen(s.opts.CallbackListen, s.opts.CallbackURL)
		if err != nil {
			return nil, fail(KindUsage, "--callback-listen takes HOST:PORT plumb may bind, e.g. 10.0.0.5:8089", err)
		}
		s.callback = l
		return func() { _ = l.Close() }, nil
	case s.opts.CallbackURL != "":
		s.callback = oob.NewRemote(s.opts.CallbackURL, s.http)
	}
	return func() {}, nil
}

// ParseTarget validates a target base URL.
func ParseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("target %q is not a URL: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("target %q: scheme must be http or https", raw)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("target %q has no host", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("target %q: put credentials in --header or --bearer-env, not in the URL", u.Redacted())
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

type scanner struct {
	opts   Options
	target *url.URL
	dns    *netx.Resolver
	http   *netx.Client
	httpB  *netx.Client  // identity B, nil without one
	base   *netx.Client  // no identity; the one logins go through
	memo   *check.Memo   // what the checks share; the preflight's root response seeds it
	ledger *check.Ledger // what writes probes changed on the target
	api    *spec.API
	graph  *hosts.Graph
	cov    *check.Coverage
	plan   *scope.Plan // what the checks may send (applyScope)
	notes  check.Notes // what the checks want the report to say
	logins map[string]reqgen.Identity
	// callback is the scan's out-of-band channel (nil: none).
	callback oob.Sink
}

func newScanner(target *url.URL, o Options) (*scanner, error) {
	res, client, err := newNet(o, append([]netx.Origin{netx.OriginOf(target)}, o.ExtraScope...))
	if err != nil {
		return nil, err
	}
	// Coverage exists without a spec too: checks may import operations
	// at run time (a GraphQL schema); useSpec replaces it.
	return &scanner{opts: o, target: target, dns: res, http: client, base: client, graph: hosts.New(), memo: check.NewMemo(), ledger: &check.Ledger{}, cov: check.NewCoverage(0)}, nil
}

// newNet builds the resolver and the one HTTP client of a scan.
func newNet(o Options, scope []netx.Origin) (*netx.Resolver, *netx.Client, error) {
	res, err := netx.NewResolver(netx.ResolverConfig{Servers: o.Resolvers})
	if err != nil {
		return nil, nil, fail(KindUsage, "--resolver takes HOST:PORT, e.g. 127.0.0.1:53", err)
	}
	client, err := netx.NewClient(netx.Config{
		Resolver:                  res,
		ConnectTo:                 o.ConnectTo,
		AllowHost:                 o.AllowHost,
		Timeout:                   o.Timeout,
		Rate:                      o.Rate,
		PerHostConcurrency:        o.Concurrency,
		MaxRequests:               o.MaxRequests,
		MaxBodyBytes:              o.MaxBodyBytes,
		MaxHostFailures:           o.MaxHostFailures,
		Insecure:                  o.Insecure,
		RootCAs:                   o.RootCAs,
		Credentials:               o.Credentials,
		Scope:                     scope,
		AllowPlainHTTPCredentials: o.AllowPlainHTTPCredentials,
		UserAgent:                 "plumb/" + o.Version + " (+security scanner)",
		AllowAddr:                 o.AllowAddr,
	})
	if err != nil {
		return nil, nil, fail(KindUsage, "", err)
	}
	return res, client, nil
}

func (s *scanner) newReport(start time.Time) *result.Report {
	mode := "read-only"
	if s.opts.AllowWrites {
		mode = "writes"
	}
	return &result.Report{
		SchemaVersion: result.SchemaVersion,
		Tool:          result.Tool{Name: "plumb", Version: s.opts.Version},
		Target:        s.target.String(),
		StartedAt:     start.UTC(),
		Mode:          mode,
		Insecure:      s.opts.Insecure,
		Findings:      []finding.Finding{},
		Hosts:         []hosts.Host{},
		Checks:        []result.CheckRun{},
		Errors:        []result.Error{},
		Notes:         []result.Note{},
		Identities:    []result.IdentityInfo{},
	}
}

// preflight proves the target answers before anything else runs, so an
// unreachable target or a dead resolver is one clear error.
func (s *scanner) preflight(ctx context.Context) error {
	_, err := s.memo.Fetch(ctx, s.http, &netx.Request{Method: http.MethodGet, URL: s.target.String(), WithCredentials: true})
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fail(KindTarget, "", fmt.Errorf("target %s did not answer before %s", s.target, stopReason(ctx)))
	}
	var de *netx.DNSError
	if errors.As(err, &de) {
		host := s.target.Hostname()
		switch de.Kind {
		case netx.KindTimeout, netx.KindUnreachable, netx.KindServFail, netx.KindRefused:
			return fail(KindResolver, "check --resolver, or the network", fmt.Errorf("resolve %s: %w", host, de))
		}
		return fail(KindTarget, "check the target URL (and --resolver, --connect-to)", fmt.Errorf("resolve %s: %w", host, de))
	}
	hint := "check the URL, --connect-to and that the API is up"
	if isTLSError(err) {
		hint = "the certificate did not verify; --cacert adds a CA, --insecure scans anyway and reports it"
	}
	return fail(KindTarget, hint, fmt.Errorf("target %s unreachable: %w", s.target, err))
}

func isTLSError(err error) bool {
	var ue x509.UnknownAuthorityError
	var he x509.HostnameError
	var ce x509.CertificateInvalidError
	return errors.As(err, &ue) || errors.As(err, &he) || errors.As(err, &ce) || strings.Contains(err.Error(), "tls:")
}

func (s *scanner) seedHosts() {
	s.graph.Add(s.target.Hostname(), hosts.RoleTarget, "target URL", true)
	if s.api == nil {
		return
	}
	for _, h := range s.api.Hosts() {
		for _, r := range h.Roles {
			s.graph.Add(h.Host, hosts.Role(r), strings.Join(h.Where, ", "), h.CarriesCredentials)
		}
	}
}

func (s *scanner) input() *check.Input {
	api := s.api
	if s.plan != nil {
		api = s.plan.Read
	}
	return &check.Input{
		Target:         s.target,
		API:            api,
		Hosts:          s.graph,
		HTTP:           s.http,
		HTTPB:          s.httpB,
		Memo:           s.memo,
		Changes:        s.ledger,
		DNS:            s.dns,
		HasCredentials: s.http.HasCredentials(),
		Logins:         s.logins,
		AllowWrites:    s.opts.AllowWrites,
		Insecure:       s.opts.Insecure,
		RootCAs:        s.opts.RootCAs,
		Coverage:       s.cov,
		Notes:          &s.notes,
		Now:            s.opts.Now,
		JWTWordlist:    s.opts.JWTWordlist,
		CallbackURL:    s.opts.CallbackURL,
		Callback:       s.callback,
		DNSAudit:       s.opts.DNSAudit,
		LLM:            s.opts.LLM,
	}
}

// runChecks runs every check, probes first and host audits after, each
// phase with at most Concurrency checks at once. A failing check is an
// entry in the report, never the end of the scan.
func (s *scanner) runChecks(ctx context.Context, rep *result.Report) {
	checks := s.opts.Checks
	in := s.input()
	var mu sync.Mutex
	var all []finding.Finding
	done := 0
	for _, phase := range []check.Phase{check.PhaseProbe, check.PhaseHosts, check.PhaseWrites} {
		if phase == check.PhaseWrites && s.plan != nil {
			s.plan.EnterWrites()
			w := *in
			w.API = s.plan.Write
			in = &w
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(s.opts.Concurrency)
		if phase == check.PhaseWrites {
			// Writes probes read a record, change it and put it back: two
			// at once could restore each other's changes.
			g.SetLimit(1)
		}
		for _, c := range checks {
			m := c.Meta()
			if m.Phase != phase {
				continue
			}
			if reason := s.unmet(m); reason != "" {
				mu.Lock()
				rep.Checks = append(rep.Checks, result.CheckRun{ID: m.ID, Status: statusSkipped, Reason: reason})
				done++
				mu.Unlock()
				continue
			}
			g.Go(func() error {
				run := result.CheckRun{ID: m.ID}
				var fs []finding.Finding
				if gctx.Err() != nil {
					run.Status, run.Reason = statusNotAssessed, "not run: "+stopReason(gctx)
				} else {
					t, t0 := &netx.Tally{}, time.Now()
					var err error
					fs, err = runOne(netx.WithTally(gctx, t), c, in)
					fs = s.selected(fs)
					run.Findings, run.DurationMS = len(fs), time.Since(t0).Milliseconds()
					s.judge(gctx, &run, err, t.Counts())
				}
				mu.Lock()
				defer mu.Unlock()
				if run.Status == statusError {
					rep.Errors = append(rep.Errors, result.Error{Stage: "check " + m.ID, Message: run.Reason})
				}
				all = append(all, fs...)
				rep.Checks = append(rep.Checks, run)
				done++
				s.opts.Progress(Progress{Stage: "checks", Done: done, Total: len(checks), Check: m.ID})
				return nil
			})
		}
		_ = g.Wait()
	}
	redactLate(all, s.http.Redactor())
	rep.Findings = finding.Normalize(finding.Group(all, s.grouping()))
	rep.ChangesNotUndone = redactChanges(s.ledger.NotUndone(), s.http.Redactor())
	for _, w := range in.AuthWarnings() {
		rep.Errors = append(rep.Errors, result.Error{Stage: "auth", Message: w})
	}
	rep.Notes = append(rep.Notes, s.notes.List()...)
	learned := in.Identities()
	for i, info := range rep.Identities {
		if id, ok := learned[info.Name]; ok && (id.ID != "" || id.Username != "" || id.Email != "" || id.Role != "") {
			r := s.http.Redactor() // a login body's values (the username too) stay masked
			rep.Identities[i].User = &result.UserInfo{ID: r.String(id.ID), Name: r.String(id.Username), Email: r.String(id.Email),
				Role: r.String(id.Role), From: id.From}
		}
	}
}

// grouping returns each rule's grouping, as the checks of the scan declare
// it.
func (s *scanner) grouping() func(id string) finding.GroupBy {
	by := map[string]finding.GroupBy{}
	for _, c := range s.opts.Checks {
		for _, r := range c.Meta().Emits() {
			by[r.ID] = r.Group
		}
	}
	return func(id string) finding.GroupBy { return by[id] }
}

// runOne runs a check, turning a bug in it into an error rather than a
// crash of the whole scan.
func runOne(ctx context.Context, c check.Check, in *check.Input) (fs []finding.Finding, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error (please report): %v\n%s", r, debug.Stack())
		}
	}()
	return c.Run(ctx, in)
}

// selected drops the findings of rules the Selector leaves out.
func (s *scanner) selected(fs []finding.Finding) []finding.Finding {
	if s.opts.Select == nil {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		if s.opts.Select.Rule(f.ID) {
			out = append(out, f)
		}
	}
	return out
}

// unmet says why a check cannot or must not run, "" when it runs.
func (s *scanner) unmet(m check.Meta) string {
	n := m.Needs
	switch {
	case s.opts.Select != nil && !s.opts.Select.Check(m):
		return Deselected
	case n&check.NeedSpec != 0 && s.api == nil:
		return "needs an OpenAPI document (--spec)"
	case n&check.NeedCredential != 0 && !s.http.HasCredentials():
		return "needs a credential (--header or --bearer-env)"
	case n&check.NeedWrites != 0 && !s.opts.AllowWrites:
		return "needs --allow-writes"
	}
	return ""
}

// finish fills what is known at the end, whatever happened before.
func (s *scanner) finish(ctx context.Context, rep *result.Report, start time.Time) {
	rep.DurationMS = s.opts.Now().Sub(start).Milliseconds()
	rep.Hosts = s.graph.List()
	rep.Coverage = s.cov.Summary(s.api)
	st := s.http.Stats()
	rep.Requests = result.RequestStats{HTTP: int(st.Requests), Errors: int(st.Errors), Refused: int(st.Refused), Budget: s.opts.MaxRequests, BudgetReached: st.BudgetExhausted}
	s.partial(ctx, rep, st)
	annotateSources(rep.Findings, s.api)
	rep.Suppressions = s.opts.Ignore.Apply(rep.Findings, s.opts.Now())
	assessed, why := categoryCoverage(rep.Checks, s.opts.Checks)
	sc := score.Compute(finding.Active(rep.Findings), assessed, why)
	rep.Score, rep.Grade, rep.CappedBy, rep.Categories = sc.Score, sc.Grade, sc.CappedBy, sc.Categories
	rep.GradeBasis = rep.Basis()
	sortChecks(rep.Checks)
}

// partial marks the report partial, with one error per reason: the request
// budget, the time limit or an interrupt, hosts that stopped answering.
func (s *scanner) partial(ctx context.Context, rep *result.Report, st netx.Stats) {
	var reasons []result.Error
	if st.BudgetExhausted {
		reasons = append(reasons, result.Error{Stage: result.StageBudget, Message: fmt.Sprintf("request budget of %d exhausted; raise --max-requests for a complete scan", s.opts.MaxRequests)})
	}
	if ctx.Err() != nil {
		stage := result.StageInterrupted
		if errors.Is(context.Cause(ctx), ErrTimeLimit) {
			stage = result.StageTimeLimit
		}
		reasons = append(reasons, result.Error{Stage: stage, Message: stopReason(ctx) + "; checks still running were stopped and what they had not assessed is marked not assessed"})
	}
	for _, h := range s.http.DownHosts() {
		reasons = append(reasons, result.Error{Stage: result.StageHostDown, Message: fmt.Sprintf("%s stopped answering and was given up on: %s; later requests to it were not sent", h.Host, h.Reason)})
	}
	if len(reasons) > 0 {
		rep.Partial = true
		rep.Errors = append(rep.Errors, reasons...)
	}
}

func sortChecks(runs []result.CheckRun) {
	slices.SortFunc(runs, func(a, b result.CheckRun) int { return strings.Compare(a.ID, b.ID) })
}
