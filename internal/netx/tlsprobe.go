package netx

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
)

// TLSHandshake connects to rawURL's host and port through the same pinned
// dialing as HTTP requests (connect-to, the scan's resolver, no second
// lookup), runs one TLS handshake with cfg and closes the connection. No
// HTTP is sent. It counts against the request budget and the host's rate
// and concurrency limits. cfg.ServerName defaults to the URL's host and
// cfg.RootCAs to the client's.
func (c *Client) TLSHandshake(ctx context.Context, rawURL string, cfg *tls.Config) (*tls.ConnectionState, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("tls handshake %s: bad URL", c.redactor.URL(rawURL))
	}
	o := OriginOf(u)
	hs := c.host(o.HostPort())
	select {
	case hs.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-hs.sem }()
	if err := c.waitRate(ctx, hs.lim); err != nil {
		return nil, err
	}
	if !c.takeBudget() {
		return nil, fmt.Errorf("tls handshake %s: %w", o, ErrBudgetExhausted)
	}
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = o.Host
	}
	if cfg.RootCAs == nil {
		cfg.RootCAs = c.cfg.RootCAs
	}
	hctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	d := &net.Dialer{Timeout: c.cfg.Timeout, Resolver: &net.Resolver{PreferGo: true,
		Dial: func(context.Context, string, string) (net.Conn, error) { return nil, errSystemResolver }}}
	raw, err := c.dial(hctx, d, "tcp", net.JoinHostPort(o.Host, strconv.Itoa(o.Port)))
	if err != nil {
		c.stats.errors.Add(1)
		return nil, fmt.Errorf("tls handshake %s: %w", o, err)
	}
	conn := tls.Client(raw, cfg)
	defer conn.Close()
	c.stats.countHost(o.HostPort())
	if err := conn.HandshakeContext(hctx); err != nil {
		var ae tls.AlertError
		if !errors.As(err, &ae) {
			c.stats.errors.Add(1)
		}
		return nil, fmt.Errorf("tls handshake %s: %w", o, err)
	}
	st := conn.ConnectionState()
	return &st, nil
}
