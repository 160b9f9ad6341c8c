package netx

import (
	"errors"
	"fmt"
	"net/url"
	"sync/atomic"
)

// ErrOutOfScope marks a request the scan's own scope refused to send: an
// operation whose name says it changes state in a read-only scan, or one
// the user excluded. errors.Is(err, ErrOutOfScope) tells it from a failure
// of the target.
var ErrOutOfScope = errors.New("refused by the scan's scope")

// Guard decides, before anything is sent, whether a request may go out:
// it returns "" to allow it, else why not. It sees every hop, so a
// redirect cannot lead a scan to a refused URL either.
type Guard func(method string, u *url.URL) string

// guardState is the guard every identity of a scan shares, and how many
// requests it refused.
type guardState struct {
	fn      atomic.Pointer[Guard]
	refused atomic.Int64
}

// SetGuard installs g for this client and every client that shares its
// budget (WithIdentity); nil removes it. The engine installs it once the
// API's operations are known.
func (c *Client) SetGuard(g Guard) {
	if g == nil {
		c.guard.fn.Store(nil)
		return
	}
	c.guard.fn.Store(&g)
}

// refuse returns a non-nil error when the guard refuses the hop.
func (c *Client) refuse(method string, u *url.URL) error {
	g := c.guard.fn.Load()
	if g == nil {
		return nil
	}
	if why := (*g)(method, u); why != "" {
		c.guard.refused.Add(1)
		return fmt.Errorf("%w: %s", ErrOutOfScope, why)
	}
	return nil
}
