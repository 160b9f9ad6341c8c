package jwt

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/bearer"
	"github.com/plumbsec/plumb/internal/finding"
)

// tokens returns the JWTs to analyse: the user's, then those the API
// handed out in calibration responses.
func tokens(ctx context.Context, in *check.Input) ([]*Token, error) {
	var out []*Token
	if t, err := Parse(in.HTTP.BearerToken()); err == nil {
		t.Source = "credential"
		out = append(out, t)
	}
	if in.API == nil {
		return out, nil
	}
	cal, err := bearer.Calibrate(ctx, in)
	if err != nil {
		return nil, err
	}
	for i, raw := range cal.Seen {
		if t, err := Parse(raw); err == nil {
			t.Source = fmt.Sprintf("response-%d", i+1)
			out = append(out, t)
		}
	}
	return out, nil
}

// Claims reports weaknesses visible in a token without sending anything.
type Claims struct{}

// Meta describes the check.
func (Claims) Meta() check.Meta {
	return check.Meta{
		ID: "authentication.jwt-claims", Title: "JWT claims weaken the token", Category: finding.CatAuthentication,
		OWASP: "API2:2023", CWE: "CWE-613", Severity: finding.Medium,
		Description: "Decodes the user's JWT and JWTs the API hands out: no exp (medium), a lifetime over 24 h (medium) or " +
			"over 1 h (low, RFC 6750 §5.3), no aud or iss (low, RFC 8725 §3.8-3.9), secrets or personal data in the readable " +
			"payload (medium/low), key URLs in the header (jku, x5u, jwk: info, RFC 8725 §3.10).",
		Remediation: remedyClaims,
	}
}

// Run is passive.
func (c Claims) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	toks, err := tokens(ctx, in)
	if err != nil {
		return nil, err
	}
	var fs []finding.Finding
	for _, t := range toks {
		for _, p := range claimProblems(t) {
			f := check.New(c.Meta(), fmt.Sprintf("The %s JWT %s", t.Source, p.title), finding.Location{Host: in.Target.Host, Param: t.Source + "/" + p.key})
			f.Severity, f.Confidence = p.sev, finding.Confirmed
			f.Evidence.Summary = fmt.Sprintf("%s Header %s, claims %s.", p.detail, t.HeaderJSON(), safeClaims(t))
			f.Remediation = remedyClaims
			fs = append(fs, f)
		}
	}
	return fs, nil
}

type problem struct {
	key, title, detail string
	sev                finding.Severity
}

func claimProblems(t *Token) []problem {
	var ps []problem
	exp, hasExp := t.NumericClaim("exp")
	iat, hasIat := t.NumericClaim("iat")
	switch {
	case !hasExp:
		ps = append(ps, problem{"exp", "never expires (no exp claim)", "A stolen token works forever.", finding.Medium})
	case hasIat && exp > iat:
		life := time.Duration(exp-iat) * time.Second
		if life > 24*time.Hour {
			ps = append(ps, problem{"lifetime", fmt.Sprintf("lives %s (over 24 h)", human(life)), "exp - iat = " + human(life) + ".", finding.Medium})
		} else if life > time.Hour {
			ps = append(ps, problem{"lifetime", fmt.Sprintf("lives %s (over 1 h)", human(life)), "exp - iat = " + human(life) + ".", finding.Low})
		}
	}
	var missing []string
	for _, k := range []string{"aud", "iss"} {
		if _, ok := t.Claims[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		ps = append(ps, problem{"aud-iss", "has no " + strings.Join(missing, " or ") + " claim",
			"Without them a token minted for another service or by another issuer with the same key is accepted.", finding.Low})
	}
	if keys, sev := sensitiveClaims(t.Claims); len(keys) > 0 {
		ps = append(ps, problem{"sensitive", "carries sensitive data in its readable payload: " + strings.Join(keys, ", "),
			"JWS payloads are base64url, not encrypted: anyone holding the token reads them.", sev})
	}
	var urls []string
	for _, k := range []string{"jku", "x5u", "jwk", "x5c"} {
		if v, ok := t.Header[k]; ok {
			urls = append(urls, fmt.Sprintf("%s=%v", k, v))
		}
	}
	if len(urls) > 0 {
		ps = append(ps, problem{"key-urls", "names its own verification key (" + strings.Join(keyNames(t.Header), ", ") + ")",
			"A validator that follows " + strings.Join(urls, ", ") + " lets whoever controls that location mint tokens; " +
				"validators must use an allowlist of keys.", finding.Info})
	}
	return ps
}

func keyNames(h map[string]any) []string {
	var out []string
	for _, k := range []string{"jku", "x5u", "jwk", "x5c"} {
		if _, ok := h[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

func human(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	}
	return d.Round(time.Minute).String()
}

var (
	secretClaim = regexp.MustCompile(`(?i)pass(word|wd)?|secret|ssn|card|cvv|api_?key|private|hash|pin$`)
	personClaim = regexp.MustCompile(`(?i)e-?mail|phone|mobile|address|birth|dob`)
)

// sensitiveClaims lists claim names that look like secrets (medium) or
// personal data (low), sorted.
func sensitiveClaims(claims map[string]any) ([]string, finding.Severity) {
	var keys []string
	sev := finding.Info
	for k := range claims {
		switch {
		case secretClaim.MatchString(k):
			keys, sev = append(keys, k), finding.Medium
		case personClaim.MatchString(k):
			keys = append(keys, k)
			sev = max(sev, finding.Low)
		}
	}
	sort.Strings(keys)
	return keys, sev
}

// safeClaims renders claims for evidence with sensitive values masked:
// the report must not become the leak.
func safeClaims(t *Token) string {
	m := make(map[string]any, len(t.Claims))
	for k, v := range t.Claims {
		if secretClaim.MatchString(k) || personClaim.MatchString(k) {
			v = "****"
		}
		if s, ok := v.(string); ok && len(s) > 200 {
			v = s[:200] + "…"
		}
		m[k] = v
	}
	return compactJSON(m)
}

// sameOriginURL reports whether raw is an https URL on the target's origin.
func sameOriginURL(in *check.Input, raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "https" && strings.EqualFold(u.Host, in.Target.Host)
}
