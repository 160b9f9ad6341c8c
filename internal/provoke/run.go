// Package provoke pushes an API to disclose what it hides: per parameter
// of each operation a small, fixed set of values that break naive
// validation (wrong type, out of range, empty, very long, unicode, a query
// parameter as an object), plus an unexpected Accept/Content-Type, and —
// only with --allow-writes — a malformed JSON body. Read-only: GET
// requests (the cached probe path), bounded per parameter, per operation
// and per scan, spread across resources. The responses are computed once
// per scan and read by every check that looks for what error pages leak.
package provoke

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/netx"
)

// Exchange is one sent probe and what came back.
type Exchange struct {
	Probe
	Resp *netx.Response // nil when the request failed
	Err  error
}

// Result is a scan's provocation.
type Result struct {
	Exchanges []Exchange
	Planned   int // probes the full plan had (more than were sent when the cap applied)
}

var key = check.NewKey[*Result]("provocation")

// errStalled is the error of a probe not sent because another probe of
// the same operation timed out.
var errStalled = errors.New("not sent: another probe of this operation timed out")

// parallel is how many probes are in flight at once; the network layer's
// per-host limits still apply.
const parallel = 4

// Run sends the scan's provocation probes once and returns the same
// result to every check that asks.
func Run(ctx context.Context, in *check.Input) (*Result, error) {
	return check.Once(ctx, in, key, func(ctx context.Context) (*Result, error) { return run(ctx, in) })
}

func run(ctx context.Context, in *check.Input) (*Result, error) {
	limit := MaxPerScan
	if left, limited := in.HTTP.BudgetLeft(); limited {
		limit = min(limit, left/budgetShare)
	}
	probes, total := Plan(in, limit)
	res := &Result{Planned: total, Exchanges: make([]Exchange, len(probes))}
	var mu sync.Mutex
	stalled := map[string]bool{} // operations that timed out: their other probes would wait as long
	var g errgroup.Group
	g.SetLimit(parallel)
	for i, p := range probes {
		g.Go(func() error {
			op := p.Op
			key := check.OpKey(op)
			mu.Lock()
			skip := stalled[key]
			mu.Unlock()
			if skip {
				res.Exchanges[i] = Exchange{Probe: p, Err: errStalled}
				return nil
			}
			resp, err := in.Fetch(ctx, in.HTTP, p.Req, &op)
			res.Exchanges[i] = Exchange{Probe: p, Resp: resp, Err: err}
			if errors.Is(err, netx.ErrTimeout) {
				mu.Lock()
				stalled[key] = true
				mu.Unlock()
			}
			if err != nil && (errors.Is(err, netx.ErrBudgetExhausted) || ctx.Err() != nil) {
				return err
			}
			return nil
		})
	}
	_ = g.Wait() // a spent budget leaves a partial result; the report says the budget ran out
	return res, ctx.Err()
}

func itoa(n int) string { return strconv.Itoa(n) }

func quote(s string) string { return strconv.Quote(s) }
