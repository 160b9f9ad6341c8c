package dnsaudit

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

// ErrAllResolversRewrite means every configured resolver invented an
// answer for a name that cannot exist, so none can be trusted (and there
// were no root servers to resolve from instead).
var ErrAllResolversRewrite = errors.New("every configured resolver rewrites NXDOMAIN")

// ErrNoResolver means no configured resolver answered usefully (and there
// were no root servers to resolve from instead).
var ErrNoResolver = errors.New("no DNS resolver answered")

// ErrNoRoots means iterative resolution was asked for without root servers.
var ErrNoRoots = errors.New("iterative resolution needs root servers (--dns-root)")

// IDResolverDropped is the finding a scan reports for a resolver notice.
const IDResolverDropped = "dns.resolver-dropped"

// Notice kinds.
const (
	NoticeResolverDropped = "resolver-dropped" // a configured resolver is not used: it lies or fails
	NoticeIterative       = "iterative"        // names are resolved from the root servers instead
)

// Notice tells the user something about the whole run: a resolver set
// aside (with the answer that convicted it) or a change of method. `plumb
// dns` prints notices on stderr and as lines of their own in the output;
// a scan reports them as findings of the DNS check.
type Notice struct {
	Kind     string              `json:"notice" jsonschema:"enum=resolver-dropped,enum=iterative"`
	Server   string              `json:"server,omitempty"`
	Reason   string              `json:"reason"`
	Evidence []finding.DNSAnswer `json:"dns,omitempty"`
}

// Text is the notice as one line for people: which resolver was dropped
// and why, or the change of method.
func (n Notice) Text() string {
	if n.Kind == NoticeResolverDropped {
		return fmt.Sprintf("resolver %s dropped: it %s", n.Server, n.Reason)
	}
	return n.Reason
}

// Notices returns what the user must be told about this run.
func (a *Auditor) Notices() []Notice { return append([]Notice(nil), a.notices...) }

// Iterative reports whether names are resolved from the root servers.
func (a *Auditor) Iterative() bool { return a.iterative }

// Distrusted lists resolvers set aside because they rewrite NXDOMAIN.
func (a *Auditor) Distrusted() []string { return append([]string(nil), a.distrust...) }

// probeResolvers asks each resolver for a random label under the probe
// zone (a second time if it fails: a transient failure does not convict
// it). NXDOMAIN keeps it; an address (a rewrite), SERVFAIL, REFUSED or
// silence drops it with a notice.
func (a *Auditor) probeResolvers(ctx context.Context) error {
	var (
		rewrote, failed []string
		lastErr         error
	)
	for _, srv := range a.res.Servers() {
		qname := randomLabel() + "." + a.opts.ProbeZone
		ans, err := a.res.QueryServer(ctx, srv, qname, dns.TypeA, true)
		a.queries.Add(int64(netx.Attempts(ans, err)))
		if ctx.Err() == nil && (ans == nil || ans.Rcode != dns.RcodeSuccess && ans.Rcode != dns.RcodeNameError) {
			ans, err = a.res.QueryServer(ctx, srv, qname, dns.TypeA, true)
			a.queries.Add(int64(netx.Attempts(ans, err)))
		}
		if ctx.Err() != nil {
			return fmt.Errorf("dns audit stopped while checking the resolvers: %w", context.Cause(ctx))
		}
		n := Notice{Kind: NoticeResolverDropped, Server: srv}
		switch {
		case ans != nil && ans.Rcode == dns.RcodeSuccess && len(ans.Msg.Answer) > 0:
			a.distrust, rewrote = append(a.distrust, srv), append(rewrote, srv)
			n.Reason = fmt.Sprintf("rewrites NXDOMAIN: it answered %s, a random name that cannot exist, with an address", trimDot(qname))
			n.Evidence = []finding.DNSAnswer{ans.Evidence()}
		case ans != nil && (ans.Rcode == dns.RcodeSuccess || ans.Rcode == dns.RcodeNameError):
			a.servers = append(a.servers, srv)
			continue
		case ans != nil:
			failed = append(failed, srv)
			n.Reason = fmt.Sprintf("fails: it answered %s to %s (twice)", rcodeName(ans.Rcode), trimDot(qname))
			n.Evidence = []finding.DNSAnswer{ans.Evidence()}
		default:
			failed, lastErr = append(failed, srv), err
			n.Reason = fmt.Sprintf("fails: no answer to %s (%s)", trimDot(qname), kindString(err))
			if de, ok := asDNSError(err); ok {
				n.Evidence = []finding.DNSAnswer{de.Evidence()}
			}
		}
		a.notices = append(a.notices, n)
	}
	if len(a.servers) > 0 {
		return nil
	}
	if len(a.opts.Roots) > 0 {
		a.iterative = true
		reason := "every configured resolver was dropped; resolving each name from the root servers instead"
		if a.opts.HTTP != nil {
			a.opts.HTTP = nil // it would connect through the dropped resolvers
			reason += " (HTTP fingerprints are off: they would look names up through the dropped resolvers)"
		}
		a.notices = append(a.notices, Notice{Kind: NoticeIterative, Reason: reason})
		return nil
	}
	if len(failed) == 0 {
		return fmt.Errorf("%w (%s answered a random label under %s)", ErrAllResolversRewrite, strings.Join(rewrote, ", "), a.opts.ProbeZone)
	}
	if lastErr == nil {
		lastErr = errors.New(a.notices[len(a.notices)-1].Reason)
	}
	return fmt.Errorf("%w: %w", ErrNoResolver, lastErr)
}
