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
	st, replied, err := c.tlsHandshake(ctx, rawURL, cfg)
	if replied {
		TallyFrom(ctx).Note(ctx, nil) // a refused version or cipher is the server's answer
	} else {
		TallyFrom(ctx).Note(ctx, err)
	}
	return st, err
}

// tlsHandshake also reports whether the server replied: it took the
// connection and answered the handshake without timing out, even if only
// to refuse it.
func (c *Client) tlsHandshake(ctx context.Context, rawURL string, cfg *tls.Config) (*tls.ConnectionState, bool, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, false, fmt.Errorf("tls handshake %s: bad URL", c.redactor.URL(rawURL))
	}
	o := OriginOf(u)
	hs := c.host(o.HostPort())
	select {
	case hs.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	defer func() { <-hs.sem }()
	if err := c.waitRate(ctx, hs.lim); err != nil {
		return nil, false, err
	}
	if err := c.hostDown(o.HostPort(), hs); err != nil {
		return nil, false, fmt.Errorf("tls handshake %s: %w", o, err)
	}
	if !c.takeBudget() {
		return nil, false, fmt.Errorf("tls handshake %s: %w", o, ErrBudgetExhausted)
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
		err = c.timeoutErr(hctx, ctx, err)
		c.noteHost(ctx, o.HostPort(), hs, err)
		return nil, false, fmt.Errorf("tls handshake %s: %w", o, err)
	}
	conn := tls.Client(raw, cfg)
	defer conn.Close()
	c.stats.countHost(o.HostPort())
	if err := conn.HandshakeContext(hctx); err != nil {
		err = remoteErr(err)
		if !isTLSAlert(err) {
			c.stats.errors.Add(1)
			err = c.timeoutErr(hctx, ctx, err)
		}
		// A refused protocol version or cipher is what these probes look
		// for: only silence counts against the host.
		silent := errors.Is(err, ErrTimeout) || ctx.Err() != nil
		if silent {
			c.noteHost(ctx, o.HostPort(), hs, err)
		}
		return nil, !silent, fmt.Errorf("tls handshake %s: %w", o, err)
	}
	c.noteHost(ctx, o.HostPort(), hs, nil)
	st := conn.ConnectionState()
	return &st, true, nil
}
