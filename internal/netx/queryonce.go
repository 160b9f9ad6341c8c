package netx

import (
	"context"
	"errors"
	"strings"

	"github.com/miekg/dns"
)

// QueryServerOnce is QueryServer with one attempt and no retry: an
// iterative walk asks the zone's other servers before retrying one.
func (r *Resolver) QueryServerOnce(ctx context.Context, server, name string, qtype uint16, recursionDesired bool) (*Answer, error) {
	ap, err := parseServer(server)
	if err != nil {
		return nil, err
	}
	fqdn := dns.Fqdn(strings.ToLower(name))
	if _, ok := dns.IsDomainName(fqdn); !ok {
		return nil, &DNSError{Name: fqdn, Qtype: typeString(qtype), Rcode: -1, Kind: KindOther, Err: errors.New("invalid domain name")}
	}
	r.budget.earn() // a first attempt earns retry budget like any question
	o := r.exchange(ctx, ap.String(), fqdn, qtype, recursionDesired)
	var ans *Answer
	if o.ans != nil {
		ans, err = o.ans, answerError(o.ans)
	} else {
		ans, err = r.failure(ctx, fqdn, qtype, []outcome{o}, 1)
	}
	if ans != nil {
		ans.Attempts = o.sent
	}
	TallyFrom(ctx).noteDNS(ctx, ans)
	return ans, withAttempts(err, o.sent)
}

// SpendRetry takes one retry from the resolver's budget (retry.go), for a
// caller that retries on its own (an iterative walk asking a failed server
// again); false means the budget is spent: do not retry.
func (r *Resolver) SpendRetry() bool { return r.budget.spend() }
