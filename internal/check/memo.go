package check

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/plumbsec/plumb/internal/netx"
)

// Memo is what the checks of one scan share: values computed once (Once:
// identity A's corpus, identity B, the bearer calibration, cracked JWT
// secrets) and responses fetched once (Input.Fetch: the target root and
// any other identical read-only request). The engine makes one per scan and
// puts it in the Input, so nothing is shared across scans. Safe for
// concurrent use; a nil Memo shares nothing.
type Memo struct {
	mu     sync.Mutex
	cells  map[any]*cell
	cached int64 // response body bytes the probe cache holds
}

// NewMemo returns an empty memo for one scan.
func NewMemo() *Memo { return &Memo{cells: map[any]*cell{}} }

// cell is one memoized value; done is closed once v and err are final.
type cell struct {
	done  chan struct{}
	v     any
	err   error
	tally netx.TallyCounts // what computing it saw on the network (Once)
}

// Key names a value of type T in a Memo. Declare each key once, as a
// package-level variable: keys compare by identity, so two packages cannot
// collide, and the type parameter makes every read type-safe.
type Key[T any] struct{ name string }

// NewKey returns a key; name only appears in error messages.
func NewKey[T any](name string) *Key[T] { return &Key[T]{name: name} }

// errPanicked is the result of a computation that panicked: callers waiting
// for it get an error instead of waiting forever.
var errPanicked = errors.New("internal error: the shared computation panicked")

// Once returns compute's result for key, calling compute at most once per
// scan however many checks ask, concurrently or not; callers that arrive
// while it runs wait for it. Errors are kept too: they are the budget
// running out or the scan ending, which asking again cannot fix. With a
// nil Memo, compute runs on every call.
//
// What compute's requests became (netx.Tally) counts for every caller: a
// value built only from failures let none of its users assess anything,
// and one built from answers lets each of them.
func Once[T any](ctx context.Context, in *Input, key *Key[T], compute func(context.Context) (T, error)) (T, error) {
	m := in.Memo
	if m == nil {
		return compute(ctx)
	}
	c, leader := m.claim(key)
	if leader {
		func() {
			defer close(c.done)
			c.err = fmt.Errorf("%s: %w", key.name, errPanicked)
			t := &netx.Tally{}
			defer func() { c.tally = t.Counts() }()
			c.v, c.err = compute(netx.WithTally(ctx, t))
		}()
	} else {
		<-c.done
	}
	netx.TallyFrom(ctx).Add(c.tally)
	v, _ := c.v.(T)
	return v, c.err
}

// peek returns key's value if its computation has finished (whatever
// its error), without starting it.
func peek[T any](m *Memo, key *Key[T]) (T, bool) {
	var zero T
	if m == nil {
		return zero, false
	}
	m.mu.Lock()
	c, ok := m.cells[key]
	m.mu.Unlock()
	if !ok {
		return zero, false
	}
	select {
	case <-c.done:
		v, _ := c.v.(T)
		return v, true
	default:
		return zero, false
	}
}

// claim returns key's cell, creating it when absent; leader is true for
// the caller that created it and must fill it.
func (m *Memo) claim(key any) (c *cell, leader bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cells == nil {
		m.cells = map[any]*cell{}
	}
	if c, ok := m.cells[key]; ok {
		return c, false
	}
	c = &cell{done: make(chan struct{})}
	m.cells[key] = c
	return c, true
}

// forget drops key's cell if it is still c, so the next caller starts over.
func (m *Memo) forget(key any, c *cell) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cells[key] == c {
		delete(m.cells, key)
	}
}
