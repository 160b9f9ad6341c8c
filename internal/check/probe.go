package check

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/spec"
)

// maxCachedBytes bounds the response bodies the probe cache keeps per scan;
// past it, responses are still shared with callers already waiting for
// them but not kept for later ones.
const maxCachedBytes = 32 << 20

// probeKey says when two requests are the same request: the same client
// (each identity is its own client, and the key holding the pointer keeps
// it alive, so an address is never reused for another identity), method,
// URL, extra headers, credential choice and redirect choice.
type probeKey struct {
	client      *netx.Client
	method, url string
	header      string
	credentials bool
	follow      bool
}

// probeKeyOf returns req's key; ok is false for requests that must always
// be sent: anything but GET or HEAD, or one with a body.
func probeKeyOf(c *netx.Client, req *netx.Request) (k probeKey, ok bool) {
	method := strings.ToUpper(req.Method)
	if method == "" {
		method = http.MethodGet
	}
	if (method != http.MethodGet && method != http.MethodHead) || len(req.Body) > 0 {
		return probeKey{}, false
	}
	return probeKey{client: c, method: method, url: req.URL, header: headerKey(req.Header),
		credentials: req.WithCredentials, follow: req.FollowRedirects}, true
}

// headerKey encodes headers unambiguously: names sorted as given (two
// spellings of one name make two keys, which only costs a request), each
// value length-prefixed.
func headerKey(h http.Header) string {
	if len(h) == 0 {
		return ""
	}
	names := make([]string, 0, len(h))
	for n := range h {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%d:%s", len(n), n)
		for _, v := range h[n] {
			fmt.Fprintf(&b, ",%d:%s", len(v), v)
		}
		b.WriteByte(';')
	}
	return b.String()
}

// probe is the outcome of one shared request.
type probe struct {
	resp      *netx.Response
	cancelled bool        // the sender's context ended: not an answer from the target
	recorded  atomic.Bool // coverage has counted it
}

// Fetch sends req through c, unless the identical request (see probeKey)
// was already sent in this scan: then it returns a copy of that response,
// and callers that arrive while it is in flight wait for it. Only GET and
// HEAD without a body are shared; anything else is sent every time. Use it
// for requests whose answer any check may reuse — never for one whose
// point is to be sent again (a rate-limit burst, a re-check after an
// attack).
//
// Failures are not kept: callers waiting on a failed request share its
// error (as if each had sent its own at that moment), and the next caller
// sends again. The request counts once in the budget (it is sent once)
// and once in coverage, for the first caller that names its operation.
func (in *Input) Fetch(ctx context.Context, c *netx.Client, req *netx.Request, op *spec.Operation) (*netx.Response, error) {
	resp, p, err := in.Memo.fetch(ctx, c, req)
	if op != nil && in.Coverage != nil && p.recorded.CompareAndSwap(false, true) {
		st := 0
		if resp != nil {
			st = resp.StatusCode
		}
		in.Coverage.Requested(*op, st)
	}
	return resp, err
}

// Fetch is Input.Fetch for the engine's own requests before the checks
// run (no coverage).
func (m *Memo) Fetch(ctx context.Context, c *netx.Client, req *netx.Request) (*netx.Response, error) {
	resp, _, err := m.fetch(ctx, c, req)
	return resp, err
}

// fetch returns the response and the probe it belongs to, which callers
// share when they shared the request.
func (m *Memo) fetch(ctx context.Context, c *netx.Client, req *netx.Request) (*netx.Response, *probe, error) {
	key, ok := probeKeyOf(c, req)
	if m == nil || !ok {
		resp, err := c.Do(ctx, req)
		return resp, &probe{}, err
	}
	var prev *cell
	for {
		cl, leader := m.claim(key)
		if cl == prev { // a cancelled send that stayed cached: never spin on it
			return nil, &probe{}, cl.err
		}
		prev = cl
		if leader {
			p, err := m.send(ctx, c, req, key, cl)
			return copyResponse(p.resp), p, err
		}
		select {
		case <-cl.done:
		case <-ctx.Done():
			return nil, &probe{}, ctx.Err()
		}
		p, _ := cl.v.(*probe)
		if p == nil {
			p = &probe{}
		}
		if p.cancelled && cl.err != nil && ctx.Err() == nil {
			continue // the sender's scan ended, not ours: send it ourselves
		}
		// The shared answer counts for this caller as if it had sent the
		// request itself (the sender's own Do counted for the sender).
		netx.TallyFrom(ctx).Note(ctx, cl.err)
		if cl.err == nil {
			return copyResponse(p.resp), p, nil
		}
		return nil, p, cl.err
	}
}

// send sends req as the leader of cl and settles it. A failure, or a
// response past the cache's size bound, is forgotten before its waiters
// wake, so the next caller sends again.
func (m *Memo) send(ctx context.Context, c *netx.Client, req *netx.Request, key probeKey, cl *cell) (*probe, error) {
	p := &probe{}
	cl.v, cl.err = p, errPanicked
	keep := false
	defer func() {
		if !keep {
			m.forget(key, cl)
		}
		close(cl.done)
	}()
	resp, err := c.Do(ctx, req)
	p.resp, p.cancelled, cl.err = resp, err != nil && ctx.Err() != nil, err
	if err == nil {
		m.mu.Lock()
		if keep = m.cached+int64(len(resp.Body)) <= maxCachedBytes; keep {
			m.cached += int64(len(resp.Body))
		}
		m.mu.Unlock()
	}
	return p, err
}

// copyResponse gives each caller its own headers, body and hops, so no
// check can change what another one reads.
func copyResponse(r *netx.Response) *netx.Response {
	if r == nil {
		return nil
	}
	cp := *r
	cp.Header = r.Header.Clone()
	cp.Body = slices.Clone(r.Body)
	cp.Hops = slices.Clone(r.Hops)
	return &cp
}
