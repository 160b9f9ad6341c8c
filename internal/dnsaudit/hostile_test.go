package dnsaudit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/netx"
)

// A reply whose header counts an answer record it does not hold is a
// failure to look the name up, not a name without addresses.
func TestTruncatedReplyIsAnError(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	a, err := labAuditor(t, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := a.Audit(context.Background(), "lying.hostile.test")
	if r.Status != finding.DNSError {
		t.Errorf("status %s, want error (chain %+v, err %q)", r.Status, r.Chain, r.Error)
	}
}

// A result's queries count every exchange the server saw: retries and TCP
// fallbacks included.
func TestQueriesCountRetries(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	a, err := labAuditor(t, w, func(o *Options, rc *netx.ResolverConfig) { rc.Retries, o.Roots = 2, nil })
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"servfail.vulnshop.test", "api.vulnshop.test", "nothere.vulnshop.test"} {
		before := w.DNS.Queries()
		r := a.Audit(context.Background(), name)
		if seen := w.DNS.Queries() - before; int64(r.Queries) != seen {
			t.Errorf("%s: result says %d queries, the server saw %d", name, r.Queries, seen)
		}
	}
}

// Retries are budgeted across a run: a list where every name fails does
// not triple its queries.
func TestRetriesAreBudgeted(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	const n = 400
	for i := range n {
		w.DNS.SetBehaviour(fmt.Sprintf("sf%d.vulnshop.test", i), lab.BehaviourServfail)
	}
	a, err := labAuditor(t, w, func(o *Options, rc *netx.ResolverConfig) { rc.Retries, o.Roots = 2, nil })
	if err != nil {
		t.Fatal(err)
	}
	before := w.DNS.Queries()
	var total atomic.Int64
	var wg sync.WaitGroup
	names := make(chan string)
	for range 64 { // as plumb dns does: the budget is shared by workers
		wg.Go(func() {
			for name := range names {
				r := a.Audit(context.Background(), name)
				if r.Status != finding.DNSError {
					t.Errorf("%s: %s", r.Name, r.Status)
				}
				total.Add(int64(r.Queries))
			}
		})
	}
	for i := range n {
		names <- fmt.Sprintf("sf%d.vulnshop.test", i)
	}
	close(names)
	wg.Wait()
	seen := w.DNS.Queries() - before
	if total.Load() != seen {
		t.Errorf("results count %d queries, the server saw %d", total.Load(), seen)
	}
	if max := int64(n*1.3) + 40; seen > max {
		t.Errorf("%d SERVFAIL names took %d queries, want at most %d (retries budgeted)", n, seen, max)
	}
}

// An audit whose context is done says it was stopped; it does not blame
// the resolvers.
func TestStoppedAuditDoesNotBlameTheResolver(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	ctx, cancel := context.WithTimeoutCause(context.Background(), time.Nanosecond, errors.New("time limit of the test"))
	defer cancel()
	<-ctx.Done()
	res, err := netx.NewResolver(netx.ResolverConfig{Servers: []string{w.DNSAddr}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(ctx, Options{Resolver: res, ProbeZone: "test"})
	if err == nil || errors.Is(err, ErrNoResolver) || !strings.Contains(err.Error(), "time limit of the test") {
		t.Errorf("New after the deadline: %v", err)
	}
}
