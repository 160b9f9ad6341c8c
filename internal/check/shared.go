package check

import (
	"context"
	"sync"

	"github.com/plumbsec/plumb/internal/netx"
)

// sharedValues memoizes values several checks need but that must be
// computed once per scan (e.g. the bearer-token calibration). It lives in
// the Input, so nothing is shared across scans.
type sharedValues struct {
	mu sync.Mutex
	m  map[any]*sharedEntry
}

type sharedEntry struct {
	once  sync.Once
	v     any
	err   error
	tally netx.TallyCounts // what computing it saw on the network
}

// Shared returns the result of compute for key, calling compute at most
// once per Input however many checks ask, concurrently or not. Callers
// that arrive while it runs wait for it. Use an unexported key type per
// package to avoid collisions. What compute's requests became counts for
// every check that uses the value (see netx.Tally): a value built from
// failures did not let any of them assess anything.
func (in *Input) Shared(ctx context.Context, key any, compute func(context.Context) (any, error)) (any, error) {
	in.shared.mu.Lock()
	if in.shared.m == nil {
		in.shared.m = map[any]*sharedEntry{}
	}
	e, ok := in.shared.m[key]
	if !ok {
		e = &sharedEntry{}
		in.shared.m[key] = e
	}
	in.shared.mu.Unlock()
	e.once.Do(func() {
		t := &netx.Tally{}
		e.v, e.err = compute(netx.WithTally(ctx, t))
		e.tally = t.Counts()
	})
	netx.TallyFrom(ctx).Add(e.tally)
	return e.v, e.err
}
