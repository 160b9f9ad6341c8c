package netx

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"
)

// errSystemResolver guards against any code path reaching the system
// resolver through our dialer: every dial must already be an IP literal.
var errSystemResolver = errors.New("netx: system resolver disabled; names must go through netx.Resolver")

func newTransport(c *Client) *http.Transport {
	dialer := &net.Dialer{
		Timeout:   c.cfg.Timeout,
		KeepAlive: 30 * time.Second,
		Resolver: &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
			return nil, errSystemResolver
		}},
	}
	return &http.Transport{
		Proxy: nil, // never HTTP_PROXY from the environment
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return c.dial(ctx, dialer, network, addr)
		},
		TLSClientConfig: &tls.Config{
			RootCAs:            c.cfg.RootCAs,
			InsecureSkipVerify: c.cfg.Insecure, //nolint:gosec // user opt-in (--insecure)
		},
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    min(c.cfg.Timeout, 10*time.Second),
		ResponseHeaderTimeout:  c.cfg.Timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    c.cfg.PerHostConcurrency,
		MaxConnsPerHost:        c.cfg.PerHostConcurrency,
		IdleConnTimeout:        30 * time.Second,
	}
}

// dial applies connect-to, resolves the target once through the Resolver
// (cached for the scan) and dials the resolved addresses in order. The
// TLS layer above still verifies against the URL's host name.
func (c *Client) dial(ctx context.Context, d *net.Dialer, network, addr string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: bad port", addr)
	}
	if c.cfg.AllowHost != nil {
		if err := c.cfg.AllowHost(host, port); err != nil {
			return nil, fmt.Errorf("connect to %s: %w", addr, err)
		}
	}
	host, port = applyConnectTo(c.cfg.ConnectTo, host, port)
	res, err := c.resolver.LookupHost(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	var errs []error
	for _, a := range res.Addrs {
		if c.cfg.AllowAddr != nil {
			if err := c.cfg.AllowAddr(a); err != nil {
				errs = append(errs, fmt.Errorf("connect to %s (%s): %w", host, a, err))
				continue
			}
		}
		target := netip.AddrPortFrom(a, uint16(port)).String()
		conn, err := d.DialContext(ctx, network, target)
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("dial %s: no addresses", host)
	}
	return nil, errors.Join(errs...)
}
