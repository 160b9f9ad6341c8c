// Package bearer holds checks of how an API handles Bearer tokens (RFC
// 6750): where it accepts them, how it rejects bad ones, whether it echoes
// them, and the cookies that carry sessions. Every check reads one shared
// calibration of the API's secured operations, made once per scan.
package bearer

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/spec"
)

// MaxOracles bounds how many secured GET operations are calibrated (4
// requests each).
const MaxOracles = 32

// Exchange is one request and what came back.
type Exchange struct {
	Req  *netx.Request
	Resp *netx.Response // nil when Err is set
	Err  error
}

// Status is the response status, 0 when the request failed.
func (e *Exchange) Status() int {
	if e == nil || e.Resp == nil {
		return 0
	}
	return e.Resp.StatusCode
}

func is2xx(code int) bool { return code >= 200 && code < 300 }

// Oracle is the calibration of one secured operation: how it answers the
// user's token, no token and a garbage token, and the user's token again
// afterwards (a lockout must not read as a rejection).
type Oracle struct {
	Op      spec.Operation
	URL     string
	Valid   *Exchange // nil without a credential
	None    *Exchange
	Garbage *Exchange
	Recheck *Exchange // nil without a credential
}

// Usable reports whether the operation tells tokens apart: the user's
// token is accepted (before and after), none and garbage are not.
func (o *Oracle) Usable() bool {
	return o.Valid != nil && o.Recheck != nil && is2xx(o.Valid.Status()) && is2xx(o.Recheck.Status()) &&
		o.None.Status() != 0 && !is2xx(o.None.Status()) && o.Garbage.Status() != 0 && !is2xx(o.Garbage.Status())
}

// Rejects reports whether the operation refuses a request without a token.
func (o *Oracle) Rejects() bool { return o.None.Status() >= 400 && o.None.Status() < 500 }

// Accepts reports whether resp is the answer the user's token gets: 2xx
// with a body like the valid one. It is Confirmed when the bodies are
// identical, Firm when only their shape matches.
func (o *Oracle) Accepts(resp *netx.Response) (bool, finding.Confidence) {
	if !o.Usable() || resp == nil || !is2xx(resp.StatusCode) {
		return false, finding.Tentative
	}
	a, b := bytes.TrimSpace(o.Valid.Resp.Body), bytes.TrimSpace(resp.Body)
	switch {
	case bytes.Equal(a, b):
		return true, finding.Confirmed
	case sameJSONKeys(a, b) || similarLength(a, b):
		return true, finding.Firm
	}
	return false, finding.Tentative
}

func sameJSONKeys(a, b []byte) bool {
	var ma, mb map[string]json.RawMessage
	if json.Unmarshal(a, &ma) != nil || json.Unmarshal(b, &mb) != nil || len(ma) != len(mb) || len(ma) == 0 {
		return false
	}
	for k := range ma {
		if _, ok := mb[k]; !ok {
			return false
		}
	}
	return true
}

func similarLength(a, b []byte) bool {
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return false
	}
	return float64(min(la, lb))/float64(max(la, lb)) >= 0.9
}

// Calibration is the per-scan calibration every bearer and JWT check reads.
type Calibration struct {
	Oracles  []*Oracle
	Canary   string   // the garbage token: unique, never a real credential
	Seen     []string // JWTs the API handed out in authenticated responses (redacted everywhere)
	Requests int
}

var calibrationKey = check.NewKey[*Calibration]("bearer calibration")

// Calibrate returns the scan's calibration, computing it on first use.
func Calibrate(ctx context.Context, in *check.Input) (*Calibration, error) {
	return check.Once(ctx, in, calibrationKey, func(ctx context.Context) (*Calibration, error) { return calibrate(ctx, in) })
}

// Oracles returns the usable oracles.
func (c *Calibration) Usable() []*Oracle {
	var out []*Oracle
	for _, o := range c.Oracles {
		if o.Usable() {
			out = append(out, o)
		}
	}
	return out
}

func calibrate(ctx context.Context, in *check.Input) (*Calibration, error) {
	canary, err := randomToken()
	if err != nil {
		return nil, err
	}
	cal := &Calibration{Canary: canary}
	if in.API == nil {
		return cal, nil
	}
	for _, op := range in.API.Operations {
		if len(cal.Oracles) == MaxOracles {
			break
		}
		if !op.RequiresAuth() || op.Method != http.MethodGet {
			continue
		}
		if u, ok := in.OperationURL(op); ok {
			cal.Oracles = append(cal.Oracles, &Oracle{Op: op, URL: u})
		}
	}
	withToken := in.HasCredentials && in.HTTP.CanCarryCredential(in.Target.String())
	var (
		g  errgroup.Group
		mu sync.Mutex
	)
	g.SetLimit(4)
	// shared: the user's token and no token ask what the corpus and the
	// unauthenticated check ask too, so those answers are fetched once.
	send := func(req *netx.Request, shared bool, op *spec.Operation) *Exchange {
		var resp *netx.Response
		var err error
		if shared {
			resp, err = in.Fetch(ctx, in.HTTP, req, op)
		} else {
			resp, err = in.HTTP.Do(ctx, req)
		}
		mu.Lock()
		cal.Requests++
		mu.Unlock()
		return &Exchange{Req: req, Resp: resp, Err: err}
	}
	for _, o := range cal.Oracles {
		g.Go(func() error {
			if withToken {
				o.Valid = send(&netx.Request{URL: o.URL, WithCredentials: true}, true, nil)
			}
			o.None = send(&netx.Request{URL: o.URL}, true, &o.Op)
			o.Garbage = send(&netx.Request{URL: o.URL, Header: bearerHeader(canary)}, false, nil)
			return fatal(o.Valid, o.None, o.Garbage)
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if withToken {
		// Re-send the user's token after every rejection, so a lockout or
		// revocation triggered by the garbage requests shows up as an
		// unusable oracle instead of as "forgery rejected".
		for _, o := range cal.Oracles {
			g.Go(func() error {
				o.Recheck = send(&netx.Request{URL: o.URL, WithCredentials: true}, false, nil) // sent again on purpose
				return fatal(o.Recheck)
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
	}
	for _, o := range cal.Oracles {
		cal.Seen = append(cal.Seen, seenTokens(o.Valid)...)
	}
	cal.Seen = dedupe(cal.Seen)
	in.HTTP.Redactor().Add(cal.Seen...)
	return cal, nil
}

// fatal passes on the errors that end the check (budget, cancellation);
// one failing operation only makes its oracle unusable.
func fatal(exs ...*Exchange) error {
	for _, e := range exs {
		if e != nil && e.Err != nil && (errors.Is(e.Err, netx.ErrBudgetExhausted) || errors.Is(e.Err, context.Canceled)) {
			return e.Err
		}
	}
	return nil
}

// jwtRE matches a compact JWS whose header and payload are JSON objects.
var jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`)

// seenTokens returns JWTs in an authenticated response's cookies and body.
func seenTokens(e *Exchange) []string {
	if e == nil || e.Resp == nil {
		return nil
	}
	var out []string
	for _, c := range e.Resp.Header.Values("Set-Cookie") {
		out = append(out, jwtRE.FindAllString(c, -1)...)
	}
	return append(out, jwtRE.FindAllString(string(e.Resp.Body), 8)...)
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// bearerHeader is an Authorization header that overrides the user's.
func bearerHeader(tok string) http.Header {
	return http.Header{"Authorization": {"Bearer " + tok}}
}

// randomToken is a unique garbage token that doubles as a canary: it
// appearing in a response means the API echoed the token.
func randomToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "plumbcanary" + hex.EncodeToString(b), nil
}

// evidence renders exchanges that completed, in order.
func evidence(in *check.Input, exs ...*Exchange) []finding.HTTPExchange {
	var out []finding.HTTPExchange
	for _, e := range exs {
		if e != nil {
			out = append(out, in.HTTP.Evidence(e.Req, e.Resp, e.Err))
		}
	}
	return out
}

func location(in *check.Input, op spec.Operation) finding.Location {
	return finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path}
}

// contains reports whether needle occurs in the body or any header value.
func contains(resp *netx.Response, needle string) bool {
	if resp == nil {
		return false
	}
	if strings.Contains(string(resp.Body), needle) {
		return true
	}
	for _, vs := range resp.Header {
		for _, v := range vs {
			if strings.Contains(v, needle) {
				return true
			}
		}
	}
	return false
}
