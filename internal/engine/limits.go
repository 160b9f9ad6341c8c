package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrTimeLimit means the scan's time limit ran out (errors.Is on the cause
// of the scan's context, and on what checks saw).
var ErrTimeLimit = errors.New("time limit reached")

// timeLimit is the cause of a scan context that ran out of time.
type timeLimit struct {
	d    time.Duration
	auto bool // the default, derived from the budget
}

func (e *timeLimit) Error() string {
	if e.auto {
		return fmt.Sprintf("the scan's time limit of %s ran out (the default for its request budget and rate; set --max-time to change it)", e.d)
	}
	return fmt.Sprintf("the scan's time limit (--max-time %s) ran out", e.d)
}

func (e *timeLimit) Is(target error) bool { return target == ErrTimeLimit }

// DefaultMaxDuration is the time limit of a scan without one: a minute,
// plus three times what the request budget takes at the per-host rate
// (2000 requests at 20/s: 60 s + 3 × 100 s = 6 min). A healthy target
// finishes well inside it; a target that slows every answer to just
// under the timeout does not hold the scan for hours. An unlimited rate
// (library use) counts as 20/s.
func DefaultMaxDuration(maxRequests int, rate float64) time.Duration {
	if rate <= 0 {
		rate = 20
	}
	return time.Minute + time.Duration(3*float64(maxRequests)/rate*float64(time.Second))
}

// withTimeLimit bounds ctx by the scan's time limit.
func withTimeLimit(ctx context.Context, o Options) (context.Context, context.CancelFunc) {
	d, auto := o.MaxDuration, false
	switch {
	case d < 0:
		return context.WithCancel(ctx)
	case d == 0:
		d, auto = DefaultMaxDuration(o.MaxRequests, o.Rate), true
	}
	return context.WithTimeoutCause(ctx, d, &timeLimit{d: d, auto: auto})
}

// stopReason says why ctx ended: the time limit or an interrupt.
func stopReason(ctx context.Context) string {
	if errors.Is(context.Cause(ctx), ErrTimeLimit) {
		return context.Cause(ctx).Error()
	}
	return "the scan was interrupted"
}
