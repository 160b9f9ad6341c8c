package authentication

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/plumbsec/plumb/internal/accounts"
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/spec"
)

// IDBruteForce is the rule BruteForce emits.
const IDBruteForce = "authentication.no-brute-force-protection"

// BruteAttempts is how many wrong values a burst sends.
const BruteAttempts = 12

// BruteForce sends a bounded burst of wrong passwords to the login
// operation and of wrong codes to PIN/one-time-code operations, aimed only
// at a throw-away account plumb registers (or, for the login, a name that
// does not exist), and reports when nothing pushes back.
type BruteForce struct{}

// Meta describes the check.
func (BruteForce) Meta() check.Meta {
	return check.Meta{
		ID: IDBruteForce, Title: "Login or PIN accepts unlimited guesses", Category: finding.CatAuthentication,
		OWASP: "API2:2023", CWE: "CWE-307", Severity: finding.High,
		Needs: check.NeedSpec | check.NeedWrites, Phase: check.PhaseWrites,
		Description: fmt.Sprintf("With --allow-writes only. Registers a throw-away account (plumb-<random>) and sends %d wrong "+
			"passwords for it to the login operation, then its right password; and, logged in as it, %d wrong codes to each "+
			"operation that checks a PIN or one-time code (a pin, otp, code or passcode property). Protected means a 429 or "+
			"423, a Retry-After or RateLimit header, a lockout or CAPTCHA message, or the right password refused after the "+
			"burst. The burst never names a real account: the target is the account plumb registered in this scan (or, "+
			"without a registration operation, a name that does not exist, for the login only; tentative then), never "+
			"identity A or B, and the account is deleted afterwards.", BruteAttempts, BruteAttempts),
		Remediation: bruteRemediation,
	}
}

// Run bursts the login, then the code operations.
func (c BruteForce) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	ops := accounts.Find(in.API)
	codeOps := codeOperations(in.API)
	if ops.Login == nil && len(codeOps) == 0 {
		return nil, nil
	}
	t, err := accounts.RegisterIfAble(ctx, in, IDBruteForce, nil)
	if err != nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	if t != nil {
		defer t.Close(ctx, in)
	}
	var fs []finding.Finding
	if ops.Login != nil {
		f, err := c.login(ctx, in, ops, t)
		if err != nil {
			return fs, err
		}
		if f != nil {
			fs = append(fs, *f)
		}
	}
	for _, cop := range codeOps {
		if t == nil || t.Client == nil {
			in.Coverage.Skip(cop.op, "a PIN burst needs a throw-away account's session (registration and login operations)")
			continue
		}
		f, err := c.codes(ctx, in, cop, t)
		if err != nil {
			return fs, err
		}
		if f != nil {
			fs = append(fs, *f)
		}
	}
	return fs, nil
}

// pushback says why an answer shows a limit, or "".
func pushback(resp *netx.Response) string {
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return "429 Too Many Requests"
	case http.StatusLocked:
		return "423 Locked"
	}
	for k := range resp.Header {
		if l := strings.ToLower(k); l == "retry-after" || strings.HasPrefix(l, "ratelimit") || strings.HasPrefix(l, "x-ratelimit") {
			return "a " + k + " header"
		}
	}
	if lockWords.Match(resp.Body) {
		return "a lockout or CAPTCHA message"
	}
	return ""
}

// lockWords are what a throttled or locked answer says.
var lockWords = regexp.MustCompile(`(?i)too many (?:attempts|requests|tries|failed)|(?:account|user) (?:is |has been )?(?:locked|blocked|suspended)|captcha|try again (?:later|in)|temporarily (?:locked|blocked)`)

// burst sends n requests made by next and stops at the first pushback.
func burst(ctx context.Context, c *netx.Client, n int, next func(i int) (*netx.Request, error)) (last *netx.Response, lastReq *netx.Request, why string, sent int, err error) {
	for i := range n {
		req, err := next(i)
		if err != nil {
			return last, lastReq, "", sent, err
		}
		resp, err := c.Do(ctx, req)
		if err != nil {
			return last, lastReq, "", sent, err
		}
		sent++
		last, lastReq = resp, req
		if why := pushback(resp); why != "" {
			return last, lastReq, why, sent, nil
		}
		if reqgen.OK2xx(resp) {
			return last, lastReq, "", sent, nil // a wrong value was accepted: stop
		}
	}
	return last, lastReq, "", sent, nil
}

// login bursts wrong passwords at the throw-away account (or an unknown
// name), then tries the right one.
func (c BruteForce) login(ctx context.Context, in *check.Input, ops accounts.Ops, t *accounts.Account) (*finding.Finding, error) {
	op := *ops.Login
	u, ok := in.OperationURL(op)
	if !ok {
		return nil, nil
	}
	name, whose := "plumb-"+accounts.Nonce(4)+"-nobody", "a name that does not exist"
	if t != nil {
		name, whose = t.LoginName(), "plumb's throw-away account "+t.Username
	}
	last, lastReq, why, sent, err := burst(ctx, in.HTTP, BruteAttempts, func(int) (*netx.Request, error) {
		body := reqgen.BodyFields(op)
		accounts.Fill(body, op, name, name, accounts.NewPassword(in))
		return reqgen.BodyRequest(op, op.Method, u, body, false)
	})
	if err != nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	if last != nil {
		in.Coverage.Requested(op, last.StatusCode)
	}
	if why != "" || last == nil || reqgen.OK2xx(last) || sent < BruteAttempts {
		return nil, nil
	}
	conf, after := finding.Tentative, "A per-account lockout cannot show for an account that does not exist; only a per-client limit could."
	ex := []finding.HTTPExchange{in.HTTP.Evidence(lastReq, last, nil)}
	if t != nil {
		_, rreq, rresp, err := t.LogIn(ctx, in, t.Password)
		if err != nil {
			return nil, reqgen.FatalOnly(ctx, err)
		}
		if !reqgen.OK2xx(rresp) || pushback(rresp) != "" {
			return nil, nil // locked out: protected
		}
		conf, after = finding.Firm, fmt.Sprintf("The right password was then accepted (%d): no lockout either. A limit above %d "+
			"attempts would not show.", rresp.StatusCode, BruteAttempts)
		ex = append(ex, in.HTTP.Evidence(rreq, rresp, nil))
	}
	f := check.New(c.Meta(), fmt.Sprintf("%s %s accepts unlimited password guesses", op.Method, op.Path),
		finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path})
	f.Severity, f.Confidence = finding.Medium, conf
	f.Evidence = finding.Evidence{Summary: fmt.Sprintf("%d wrong passwords for %s were all answered %d, with no 429, lockout, "+
		"Retry-After or RateLimit header. %s", BruteAttempts, whose, last.StatusCode, after), HTTP: ex}
	f.Remediation = bruteRemediation
	return &f, nil
}

// codeOp is an operation that checks a PIN or one-time code.
type codeOp struct {
	op     spec.Operation
	prop   string
	schema *spec.Schema
}

// codeProps are body properties that carry a secret code.
var codeProps = regexp.MustCompile(`(?i)^(?:pin|pin_?code|otp|otp_?code|code|passcode|totp|mfa_?code|2fa_?code|verification_?code|one_?time_?code|security_?code)$`)

// codeOperations lists POST/PUT operations whose body carries a code.
func codeOperations(api *spec.API) []codeOp {
	var out []codeOp
	for _, op := range api.Operations {
		if (op.Method != http.MethodPost && op.Method != http.MethodPut) || op.RequestBody == nil || op.RequestBody.Schema == nil {
			continue
		}
		for k, s := range op.RequestBody.Schema.Properties {
			if codeProps.MatchString(k) {
				out = append(out, codeOp{op: op, prop: k, schema: s})
				break
			}
		}
	}
	return out
}

// patternLen finds a fixed repetition in a pattern: ^[0-9]{4}$.
var patternLen = regexp.MustCompile(`\{(\d{1,2})\}`)

// codeValue is the i-th wrong code: digits of the length the schema asks
// for (4 by default), counting up from a random start.
func codeValue(s *spec.Schema, start, i int) string {
	n := 4
	if s != nil {
		if s.MinLength != nil && *s.MinLength > 0 && *s.MinLength <= 12 {
			n = int(*s.MinLength)
		}
		if m := patternLen.FindStringSubmatch(s.Pattern); m != nil {
			if v, err := strconv.Atoi(m[1]); err == nil && v > 0 && v <= 12 {
				n = v
			}
		}
	}
	v := fmt.Sprintf("%0*d", n, start+i)
	return v[len(v)-n:]
}

// codes bursts wrong codes at one operation in the throw-away account's
// session.
func (c BruteForce) codes(ctx context.Context, in *check.Input, cop codeOp, t *accounts.Account) (*finding.Finding, error) {
	u, ok := t.URL(in, cop.op)
	if !ok {
		return nil, nil
	}
	start := rand.IntN(9000)
	last, lastReq, why, sent, err := burst(ctx, t.Client, BruteAttempts, func(i int) (*netx.Request, error) {
		body := reqgen.BodyFields(cop.op)
		accounts.Fill(body, cop.op, t.Username, t.Email, t.Password)
		body[cop.prop] = codeValue(cop.schema, start, i)
		return reqgen.BodyRequest(cop.op, cop.op.Method, u, body, true)
	})
	if err != nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	if last != nil {
		in.Coverage.Requested(cop.op, last.StatusCode)
	}
	if why != "" || last == nil || sent < BruteAttempts {
		return nil, nil // limited, or a guess was right (a 1-in-800 chance the burst stops there)
	}
	f := check.New(c.Meta(), fmt.Sprintf("%s %s accepts unlimited %s guesses", cop.op.Method, cop.op.Path, cop.prop),
		finding.Location{Host: in.Target.Host, Method: cop.op.Method, Path: cop.op.Path, Param: cop.prop})
	f.Confidence = finding.Firm
	f.Evidence = finding.Evidence{Summary: fmt.Sprintf("Logged in as plumb's throw-away account %s, %d wrong values of %s were all "+
		"answered %d, with no 429, lockout, Retry-After or RateLimit header: a short code falls to a few thousand requests. "+
		"A limit above %d attempts would not show.", t.Username, BruteAttempts, cop.prop, last.StatusCode, BruteAttempts),
		HTTP: []finding.HTTPExchange{t.Client.Evidence(lastReq, last, nil)}}
	f.Remediation = bruteRemediation
	return &f, nil
}

// resetChange is the ledger entry of a reset e-mail sent to a real
// address.
func resetChange(op spec.Operation, addr string) result.Change {
	return result.Change{Check: IDEnumeration, Operation: op.Method + " " + op.Path, Object: "the account of " + addr,
		Change: "requested a password-reset e-mail (twice)"}
}
