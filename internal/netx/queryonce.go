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
	o := r.exchange(ctx, ap.String(), fqdn, qtype, recursionDesired)
	if o.ans != nil {
		return o.ans, answerError(o.ans)
	}
	return r.failure(ctx, fqdn, qtype, []outcome{o})
}
