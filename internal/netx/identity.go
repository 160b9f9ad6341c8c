package netx

import (
	"fmt"
	"maps"
	"net/http"
	"sync"
	"sync/atomic"

	"golang.org/x/net/http/httpguts"
)

// shared is the per-scan state every identity of a scan draws from: one
// request budget, one rate limiter and concurrency slot per host, one set
// of counters and one request log. A second identity must not double the
// load a scan puts on the target.
type shared struct {
	hostsMu sync.Mutex
	hosts   map[string]*hostState
	down    map[string]string // host:port → why the client gave up on it

	sent      atomic.Int64
	exhausted atomic.Bool
	stats     statsRec
	log       *requestLog
	guard     guardState
	seen      headerLog // watched response headers of the whole scan
}

// WithIdentity returns a client that sends creds instead of c's
// credentials, under the same scope, resolver, connect-to rules, TLS
// settings, budget, rate limits and request log. The redactor is shared
// and learns creds, so either identity's secrets are masked in the
// evidence of both. Empty creds give an anonymous client.
func (c *Client) WithIdentity(creds http.Header) (*Client, error) {
	for name, vs := range creds {
		if !httpguts.ValidHeaderFieldName(name) {
			return nil, fmt.Errorf("netx: credential header name %q is invalid", name)
		}
		for _, v := range vs {
			if !httpguts.ValidHeaderFieldValue(v) {
				return nil, fmt.Errorf("netx: credential header %s has an invalid value", name)
			}
		}
	}
	cfg := c.cfg
	cfg.Credentials = creds.Clone()
	d := &Client{
		cfg:       cfg,
		resolver:  c.resolver,
		redactor:  c.redactor,
		scope:     c.scope,
		sensitive: maps.Clone(c.sensitive),
		hc:        c.hc,
		transport: c.transport,
		shared:    c.shared,
		now:       c.now,
		sleep:     c.sleep,
	}
	for name, vs := range creds {
		ck := http.CanonicalHeaderKey(name)
		d.sensitive[ck] = true
		for _, v := range vs {
			c.redactor.addCredential(name, v)
		}
	}
	return d, nil
}

// HasCredentials reports whether the client has an identity to send.
func (c *Client) HasCredentials() bool { return len(c.cfg.Credentials) > 0 }
