package netx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"sort"
)

// DefaultMaxHostFailures is how many consecutive timeouts or connection
// failures make a Client give up on a host (see Config.MaxHostFailures).
const DefaultMaxHostFailures = 10

// ErrHostDown is returned, without sending anything, for requests to a host
// the client gave up on (errors.Is; the error is a *HostDownError).
var ErrHostDown = errors.New("host stopped answering")

// HostDownError says which host was given up on and why.
type HostDownError struct {
	Host   string // host:port
	Reason string
}

func (e *HostDownError) Error() string {
	return fmt.Sprintf("%s: not sent, %s stopped answering (%s)", ErrHostDown.Error(), e.Host, e.Reason)
}

// Is makes errors.Is(err, ErrHostDown) true.
func (e *HostDownError) Is(target error) bool { return target == ErrHostDown }

// breaker is a host's circuit breaker, like nuclei's host error cache:
// consecutive timeouts and connection failures add up, any answer resets
// the count, and at the limit the host is given up on for the rest of the
// scan. hostsMu guards it.
type breaker struct {
	fails int
	down  string // why the host was given up on; "" while it is up
}

// hostDown returns the error for a host given up on, or nil.
func (c *Client) hostDown(key string, hs *hostState) error {
	c.hostsMu.Lock()
	defer c.hostsMu.Unlock()
	if hs.br.down == "" {
		return nil
	}
	return &HostDownError{Host: key, Reason: hs.br.down}
}

// cutOff returns the host-down error of a request that failed because the
// host was given up on while it waited (its context was cancelled for it,
// not by the caller or the timeout), or nil.
func (c *Client) cutOff(ctx, hctx context.Context, key string, hs *hostState) error {
	cut := ctx.Err() == nil && hs.gone.Err() != nil && errors.Is(hctx.Err(), context.Canceled)
	if !cut {
		return nil
	}
	return c.hostDown(key, hs)
}

// noteHost feeds one exchange's outcome to the host's breaker. Outcomes
// that say nothing about the host (the scan stopping, the budget, a
// certificate that does not verify) leave it alone.
func (c *Client) noteHost(ctx context.Context, key string, hs *hostState, err error) {
	limit := c.cfg.MaxHostFailures
	if limit < 0 || ctx.Err() != nil || (err != nil && !hostFailure(err)) {
		return
	}
	c.hostsMu.Lock()
	defer c.hostsMu.Unlock()
	if err == nil {
		hs.br.fails = 0
		return
	}
	hs.br.fails++
	if hs.br.fails >= limit && hs.br.down == "" {
		hs.br.down = fmt.Sprintf("%d consecutive requests timed out or could not connect; last: %v", hs.br.fails, err)
		c.down[key] = hs.br.down
		hs.giveUpOn()
	}
}

// hostFailure: a timeout or a failure to connect or to read an answer,
// but not a certificate problem (the host answered).
func hostFailure(err error) bool {
	var ue x509.UnknownAuthorityError
	var he x509.HostnameError
	var ce x509.CertificateInvalidError
	var ve *tls.CertificateVerificationError
	return !errors.Is(err, ErrBudgetExhausted) && !errors.Is(err, ErrHostDown) && !isTLSAlert(err) &&
		!errors.As(err, &ue) && !errors.As(err, &he) && !errors.As(err, &ce) && !errors.As(err, &ve)
}

func isTLSAlert(err error) bool {
	var ae tls.AlertError
	return errors.As(err, &ae)
}

// DownHosts lists the hosts the client gave up on, with why, sorted.
func (c *Client) DownHosts() []HostDownError {
	c.hostsMu.Lock()
	defer c.hostsMu.Unlock()
	out := make([]HostDownError, 0, len(c.down))
	for h, r := range c.down {
		out = append(out, HostDownError{Host: h, Reason: r})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Host < out[j].Host })
	return out
}
