package ssrfprobe

import (
	"context"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/oob"
)

// Callback is an out-of-band probe and what reached the sink for it.
type Callback struct {
	ID, URL string
	Req     *netx.Request
	Resp    *netx.Response
	Hits    []oob.Interaction
}

// OutOfBand points the input at a fresh sink URL and waits up to wait for
// the target to fetch it. A callback with no hits is returned too: the
// request was sent and nothing came.
func OutOfBand(ctx context.Context, send Sender, sink oob.Sink, wait time.Duration) (*Callback, error) {
	id, u, err := sink.New()
	if err != nil {
		return nil, err
	}
	req, resp, err := send(ctx, u)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	cb := &Callback{ID: id, URL: u, Req: req, Resp: resp}
	hits, err := sink.Interactions(ctx, id, wait)
	if err != nil {
		return cb, err
	}
	cb.Hits = hits
	return cb, nil
}

// Forwarding says what credentials the callbacks carried: the scan's own
// (carries reports whether a text holds one), or some other Authorization
// header (the service's own credential, say).
type Forwarding struct {
	ScanCredential bool
	Authorization  bool   // any Authorization header at all
	Header         string // the header that carried the scan's credential (or Authorization)
	Value          string // its value, not redacted: callers must redact before showing it
}

// Credentials reads the callbacks' headers.
func (cb *Callback) Credentials(carries func(string) bool) Forwarding {
	var f Forwarding
	for _, h := range cb.Hits {
		for k, vs := range h.Header {
			for _, v := range vs {
				switch {
				case carries(v):
					return Forwarding{ScanCredential: true, Authorization: f.Authorization || strings.EqualFold(k, "Authorization"),
						Header: k, Value: v}
				case strings.EqualFold(k, "Authorization") && !f.Authorization:
					f = Forwarding{Authorization: true, Header: k, Value: v}
				}
			}
		}
	}
	return f
}
