package netx

import (
	"context"
	"errors"
	"sync/atomic"
)

// Tally counts what became of the requests and DNS queries made under one
// context: a check's, say. The engine gives each check one, so it can tell
// a check that looked at the target from one that only saw failures,
// without the check saying anything. Safe for concurrent use; a nil *Tally
// counts nothing.
type Tally struct {
	answered, timedOut, failed, overBudget, hostDown, stopped atomic.Int64
	dnsAnswered, dnsFailed                                    atomic.Int64
}

// TallyCounts is a snapshot of a Tally.
type TallyCounts struct {
	Answered   int // HTTP requests that got a response (any status), TLS handshakes that got a reply
	TimedOut   int // no answer within the request timeout
	Failed     int // connection or protocol failures
	OverBudget int // not sent: the request budget was spent
	HostDown   int // not sent: the host had stopped answering (circuit breaker)
	Stopped    int // cut short: the scan's context ended (time limit, interrupt)

	DNSAnswered int // DNS questions some server replied to (SERVFAIL included)
	DNSFailed   int // DNS questions no server replied to
}

// Attempts is everything that was tried.
func (c TallyCounts) Attempts() int {
	return c.Answered + c.TimedOut + c.Failed + c.OverBudget + c.HostDown + c.Stopped + c.DNSAnswered + c.DNSFailed
}

// Observed reports whether anything answered: a request or a DNS question.
func (c TallyCounts) Observed() bool { return c.Answered+c.DNSAnswered > 0 }

type tallyKey struct{}

// WithTally returns a context under which Client and Resolver calls count
// into t (instead of any tally ctx already carries).
func WithTally(ctx context.Context, t *Tally) context.Context {
	return context.WithValue(ctx, tallyKey{}, t)
}

// TallyFrom returns the tally ctx carries, or nil.
func TallyFrom(ctx context.Context) *Tally {
	t, _ := ctx.Value(tallyKey{}).(*Tally)
	return t
}

// Counts returns a snapshot.
func (t *Tally) Counts() TallyCounts {
	if t == nil {
		return TallyCounts{}
	}
	return TallyCounts{
		Answered: int(t.answered.Load()), TimedOut: int(t.timedOut.Load()), Failed: int(t.failed.Load()),
		OverBudget: int(t.overBudget.Load()), HostDown: int(t.hostDown.Load()), Stopped: int(t.stopped.Load()),
		DNSAnswered: int(t.dnsAnswered.Load()), DNSFailed: int(t.dnsFailed.Load()),
	}
}

// Add counts c into t: a value computed once and shared by several checks
// (a baseline, a cached response) counts for each check that uses it.
func (t *Tally) Add(c TallyCounts) {
	if t == nil {
		return
	}
	t.answered.Add(int64(c.Answered))
	t.timedOut.Add(int64(c.TimedOut))
	t.failed.Add(int64(c.Failed))
	t.overBudget.Add(int64(c.OverBudget))
	t.hostDown.Add(int64(c.HostDown))
	t.stopped.Add(int64(c.Stopped))
	t.dnsAnswered.Add(int64(c.DNSAnswered))
	t.dnsFailed.Add(int64(c.DNSFailed))
}

// Note counts the outcome of one request made under ctx: err is what
// Client.Do or TLSHandshake returned.
func (t *Tally) Note(ctx context.Context, err error) {
	if t == nil {
		return
	}
	var re *RedirectError
	switch {
	case errors.Is(err, ErrOutOfScope):
		// Never sent, by the scan's own decision (read-only, --exclude):
		// neither an answer nor a failure of the target.
	case err == nil, errors.As(err, &re), isTLSAlert(err):
		t.answered.Add(1)
	case ctx.Err() != nil:
		t.stopped.Add(1)
	case errors.Is(err, ErrBudgetExhausted):
		t.overBudget.Add(1)
	case errors.Is(err, ErrHostDown):
		t.hostDown.Add(1)
	case errors.Is(err, ErrTimeout):
		t.timedOut.Add(1)
	default:
		t.failed.Add(1)
	}
}

// noteDNS counts one DNS question: answered when some server replied.
func (t *Tally) noteDNS(ctx context.Context, ans *Answer) {
	switch {
	case t == nil:
	case ans != nil:
		t.dnsAnswered.Add(1)
	case ctx.Err() != nil:
		t.stopped.Add(1)
	default:
		t.dnsFailed.Add(1)
	}
}
