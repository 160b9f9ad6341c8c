package netx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/safetext"
)

// ErrTimeout marks a request that hit Config.Timeout (errors.Is).
var ErrTimeout = errors.New("timed out")

// hopState is what changes from one redirect hop to the next.
type hopState struct {
	method   string
	u        *url.URL
	body     []byte
	header   http.Header // the check's extra headers
	stripped bool        // an origin change happened: sensitive extra headers are gone
}

// Do sends req, following redirects manually if asked. On error the
// Response is nil; a *RedirectError carries the hops received.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	resp, err := c.do(ctx, req)
	TallyFrom(ctx).Note(ctx, err)
	return resp, err
}

func (c *Client) do(ctx context.Context, req *Request) (*Response, error) {
	st, err := c.start(req)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	visited := map[string]bool{}
	var hops []Hop
	for {
		visited[st.method+" "+st.u.String()] = true
		resp, err := c.exchange(ctx, req.WithCredentials, st)
		if err != nil {
			if !errors.Is(err, ErrOutOfScope) {
				c.stats.errors.Add(1)
			}
			return nil, err
		}
		hops = append(hops, resp.Hops[0])
		next, status := redirectTarget(resp, st.u)
		if !req.FollowRedirects || next == nil || (next.Scheme != "http" && next.Scheme != "https") {
			resp.Hops, resp.Duration = hops, time.Since(t0)
			return resp, nil
		}
		method, body := redirectMethod(status, st.method, st.body)
		switch {
		case len(hops) > c.cfg.MaxRedirects:
			return nil, c.redirectErr(fmt.Sprintf("too many redirects (max %d)", c.cfg.MaxRedirects), next, hops)
		case visited[method+" "+next.String()]:
			return nil, c.redirectErr("redirect loop", next, hops)
		}
		if OriginOf(next) != OriginOf(st.u) {
			st.stripped = true
			st.header.Del("Host")
		}
		if method != st.method && body == nil {
			for _, h := range []string{"Content-Type", "Content-Length", "Content-Encoding"} {
				st.header.Del(h)
			}
		}
		st.method, st.body, st.u = method, body, next
	}
}

func (c *Client) start(req *Request) (*hopState, error) {
	method := strings.ToUpper(req.Method)
	if method == "" {
		method = http.MethodGet
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, fmt.Errorf("%s %s: bad URL", method, c.redactor.URL(req.URL))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s %s: want an absolute http(s) URL", method, c.redactor.URL(req.URL))
	}
	h := req.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	return &hopState{method: method, u: u, body: req.Body, header: h}, nil
}

func (c *Client) redirectErr(reason string, next *url.URL, hops []Hop) error {
	c.stats.errors.Add(1)
	return &RedirectError{Reason: reason, Next: c.redactor.URL(next.String()), Hops: hops}
}

// redirectTarget returns the Location of a redirect response, resolved
// against the request URL, or nil.
func redirectTarget(resp *Response, base *url.URL) (*url.URL, int) {
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil, 0
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil, 0
	}
	u, err := base.Parse(loc)
	if err != nil {
		return nil, 0
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Fragment, u.RawFragment = "", ""
	return u, resp.StatusCode
}

// redirectMethod follows the Fetch standard: 303 becomes GET (HEAD stays),
// 301/302 turn POST into GET, 307/308 keep method and body.
func redirectMethod(status int, method string, body []byte) (string, []byte) {
	switch {
	case status == http.StatusSeeOther && method != http.MethodHead:
		return http.MethodGet, nil
	case (status == http.StatusMovedPermanently || status == http.StatusFound) && method == http.MethodPost:
		return http.MethodGet, nil
	}
	return method, body
}

// exchange sends one hop under the per-host concurrency and rate limits,
// the budget and the timeout, and reads the capped body.
func (c *Client) exchange(ctx context.Context, withCreds bool, st *hopState) (*Response, error) {
	origin := OriginOf(st.u)
	hs := c.host(origin.HostPort())
	rurl := c.redactor.URL(st.u.String())
	fail := func(err error) error {
		err = fmt.Errorf("%s %s: %w", st.method, rurl, err)
		c.log.add(Exchange{Time: time.Now(), Method: st.method, URL: rurl, Err: c.redactor.String(err.Error())})
		return err
	}
	if err := c.refuse(st.method, st.u); err != nil {
		return nil, fail(err)
	}
	// A host given up on refuses at once: no slot, no rate-limit wait.
	if err := c.hostDown(origin.HostPort(), hs); err != nil {
		return nil, fail(err)
	}
	select {
	case hs.sem <- struct{}{}:
	case <-hs.gone.Done():
		return nil, fail(c.hostDown(origin.HostPort(), hs))
	case <-ctx.Done():
		return nil, fail(ctx.Err())
	}
	defer func() { <-hs.sem }()
	if err := c.waitRate(ctx, hs.lim); err != nil {
		return nil, fail(err)
	}
	if err := c.hostDown(origin.HostPort(), hs); err != nil {
		return nil, fail(err)
	}
	if !c.takeBudget() {
		return nil, fail(ErrBudgetExhausted)
	}
	hctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	// Requests in flight when the host is given up on end then: they are
	// waiting on the same silence.
	defer context.AfterFunc(hs.gone, cancel)()
	hreq, credsSent, withheld, err := c.buildRequest(hctx, withCreds, origin, st)
	if err != nil {
		return nil, fail(err)
	}
	var remote string
	hreq = hreq.WithContext(httptrace.WithClientTrace(hctx, &httptrace.ClientTrace{
		GotConn: func(ci httptrace.GotConnInfo) { remote = ci.Conn.RemoteAddr().String() },
	}))
	t0 := time.Now()
	c.stats.countHost(origin.HostPort())
	hresp, err := c.hc.Do(hreq)
	if err != nil {
		if down := c.cutOff(ctx, hctx, origin.HostPort(), hs); down != nil {
			return nil, fail(down)
		}
		err = c.timeoutErr(hctx, ctx, remoteErr(unwrapURLError(err)))
		c.noteHost(ctx, origin.HostPort(), hs, err)
		return nil, fail(err)
	}
	defer hresp.Body.Close()
	body, truncated, err := readCapped(hresp.Body, c.cfg.MaxBodyBytes)
	c.stats.bytes.Add(int64(len(body)))
	if err == nil && !truncated && hctx.Err() != nil {
		// A body cut by the deadline can end in a clean EOF (the server
		// sees the cancel and finishes); it is still a timeout, not a body.
		err = hctx.Err()
	}
	if err != nil {
		if down := c.cutOff(ctx, hctx, origin.HostPort(), hs); down != nil {
			return nil, fail(down)
		}
		err = c.timeoutErr(hctx, ctx, fmt.Errorf("reading body: %w", remoteErr(err)))
		c.noteHost(ctx, origin.HostPort(), hs, err)
		return nil, fail(err)
	}
	c.noteHost(ctx, origin.HostPort(), hs, nil)
	hop := Hop{Method: st.method, URL: rurl, Status: hresp.StatusCode, RemoteAddr: remote, CredentialsSent: credsSent, CredentialsWithheld: withheld}
	c.log.add(Exchange{Time: t0, Method: st.method, URL: rurl, Status: hresp.StatusCode, Duration: time.Since(t0), CredentialsSent: credsSent})
	c.noteHeaders(origin, st.method, rurl, hresp.StatusCode, hresp.Header, len(body))
	return &Response{
		StatusCode: hresp.StatusCode, Header: hresp.Header, Body: body, Truncated: truncated,
		URL: st.u.String(), Hops: []Hop{hop}, TLS: hresp.TLS, Duration: time.Since(t0),
		CredentialsSent: credsSent, CredentialsWithheld: withheld, method: st.method, sent: hreq.Header,
	}, nil
}

// buildRequest assembles the hop's headers: the check's extra headers
// (minus sensitive ones after an origin change), then credentials if this
// origin may have them, then the User-Agent.
func (c *Client) buildRequest(ctx context.Context, withCreds bool, o Origin, st *hopState) (*http.Request, bool, string, error) {
	var body io.Reader
	if st.body != nil {
		body = bytes.NewReader(st.body)
	}
	hreq, err := http.NewRequestWithContext(ctx, st.method, st.u.String(), body)
	if err != nil {
		return nil, false, "", err
	}
	for k, vs := range st.header {
		if st.stripped && c.sensitive[http.CanonicalHeaderKey(k)] {
			continue
		}
		hreq.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if h := hreq.Header.Get("Host"); h != "" {
		hreq.Host = h
		hreq.Header.Del("Host")
	}
	sent, withheld := c.credentialDecision(o, withCreds)
	if sent {
		for k, vs := range c.cfg.Credentials {
			ck := http.CanonicalHeaderKey(k)
			if _, clash := hreq.Header[ck]; !clash {
				hreq.Header[ck] = append([]string(nil), vs...)
			}
		}
	}
	if hreq.Header.Get("User-Agent") == "" {
		hreq.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	return hreq, sent, withheld, nil
}

// timeoutErr makes a hop deadline read as what it is.
func (c *Client) timeoutErr(hctx, parent context.Context, err error) error {
	var ne net.Error
	timedOut := errors.Is(hctx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
	if timedOut && parent.Err() == nil {
		return fmt.Errorf("%w after %s: %w", ErrTimeout, c.cfg.Timeout, err)
	}
	return err
}

// remoteError shows an error that may quote what a server sent (net/http
// quotes a malformed status line whole, kilobytes of it) escaped and cut;
// errors.Is and errors.As still see the original.
type remoteError struct{ err error }

func (e remoteError) Error() string { return safetext.Quote(e.err.Error(), maxRemoteErr) }
func (e remoteError) Unwrap() error { return e.err }

// maxRemoteErr is how much of a transport error's text a message keeps.
const maxRemoteErr = 300

func remoteErr(err error) error {
	if err == nil {
		return nil
	}
	return remoteError{err}
}

// unwrapURLError drops net/http's *url.Error, whose message holds the
// unredacted URL; callers add the redacted one.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// readCapped reads at most max bytes of the (already decompressed) body
// and reports whether there was more.
func readCapped(r io.Reader, limit int64) ([]byte, bool, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(b)) > limit {
		return b[:limit], true, nil
	}
	return b, false, err
}
