package check

import (
	"sync"

	"github.com/plumbsec/plumb/internal/result"
)

// Ledger records the state changes writes probes make on the target, so
// the report can list every one plumb did not undo. A check records a
// change before it makes it and marks it undone once it has put the
// target back; a change still pending when the scan ends (the check
// failed, the budget ran out, the undo was refused) is reported. Safe for
// concurrent use; a nil Ledger records nothing.
type Ledger struct {
	mu      sync.Mutex
	pending []*Pending
}

// Pending is one recorded change.
type Pending struct {
	l  *Ledger
	c  result.Change
	ok bool // undone
}

// notUndoneYet is the reason of a change whose check ended before it
// said how the undo went.
const notUndoneYet = "the probe stopped before plumb could undo it (the scan ended, the budget ran out, or the check failed)"

// Made records a change about to be made.
func (l *Ledger) Made(c result.Change) *Pending {
	if l == nil {
		return &Pending{c: c}
	}
	if c.Reason == "" {
		c.Reason = notUndoneYet
	}
	p := &Pending{l: l, c: c}
	l.mu.Lock()
	l.pending = append(l.pending, p)
	l.mu.Unlock()
	return p
}

// Undone says the change was put back.
func (p *Pending) Undone() {
	if p == nil || p.l == nil {
		return
	}
	p.l.mu.Lock()
	p.ok = true
	p.l.mu.Unlock()
}

// Failed says why the change could not be put back.
func (p *Pending) Failed(reason string) {
	if p == nil || p.l == nil {
		return
	}
	p.l.mu.Lock()
	p.ok, p.c.Reason = false, reason
	p.l.mu.Unlock()
}

// Describe updates what the change was, once it is known (the id of an
// object created, the value set).
func (p *Pending) Describe(object, change string) {
	if p == nil || p.l == nil {
		return
	}
	p.l.mu.Lock()
	if object != "" {
		p.c.Object = object
	}
	if change != "" {
		p.c.Change = change
	}
	p.l.mu.Unlock()
}

// NotUndone returns the changes still pending, in the order they were made.
func (l *Ledger) NotUndone() []result.Change {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []result.Change
	for _, p := range l.pending {
		if !p.ok {
			out = append(out, p.c)
		}
	}
	return out
}
