package bearer

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
)

// SessionCookies finds session or token cookies set without Secure,
// HttpOnly or SameSite.
type SessionCookies struct{}

// Meta describes the check.
func (SessionCookies) Meta() check.Meta {
	return grouped(meta("authentication.session-cookie-flags", "Session or token cookie without Secure, HttpOnly or SameSite", finding.Medium,
		"CWE-614", check.NeedSpec,
		"Reads the Set-Cookie headers of the calibration responses. A cookie that carries a session or a token must be Secure "+
			"(never sent over http://), HttpOnly (out of reach of injected scripts) and SameSite (not sent by cross-site requests).", remedyCookie), finding.GroupHostParam)
}

// sessionNames are cookie-name fragments that mean "this is a credential".
var sessionNames = []string{"session", "sess", "sid", "token", "jwt", "auth", "access", "refresh", "remember", "login"}

func isSessionCookie(c *http.Cookie) bool {
	n := strings.ToLower(c.Name)
	for _, s := range sessionNames {
		if strings.Contains(n, s) {
			return true
		}
	}
	return jwtRE.MatchString(c.Value)
}

// Run reads the calibration: no requests of its own.
func (c SessionCookies) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cal, err := Calibrate(ctx, in)
	if err != nil {
		return nil, err
	}
	type seen struct {
		o       *Oracle
		ex      *Exchange
		missing []string
	}
	byName := map[string]seen{}
	for _, o := range cal.Oracles {
		for _, ex := range []*Exchange{o.Valid, o.None, o.Garbage, o.Recheck} {
			if ex == nil || ex.Resp == nil {
				continue
			}
			for _, line := range ex.Resp.Header.Values("Set-Cookie") {
				ck, err := http.ParseSetCookie(line)
				if err != nil || !isSessionCookie(ck) {
					continue
				}
				in.HTTP.Redactor().Add(ck.Value) // a session id is a credential
				if _, dup := byName[ck.Name]; dup {
					continue
				}
				if m := missingFlags(ck); len(m) > 0 {
					byName[ck.Name] = seen{o, ex, m}
				}
			}
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	var fs []finding.Finding
	for _, n := range names {
		s := byName[n]
		f := check.New(c.Meta(), fmt.Sprintf("Cookie %q is set without %s", n, strings.Join(s.missing, ", ")), location(in, s.o.Op))
		f.Location.Param = n
		f.Confidence = finding.Confirmed
		if len(s.missing) == 1 && s.missing[0] == "SameSite" {
			f.Severity = finding.Low
		}
		f.Evidence = finding.Evidence{
			Summary: fmt.Sprintf("%s %s set the session cookie %q without %s.", s.o.Op.Method, s.o.Op.Path, n, strings.Join(s.missing, ", ")),
			HTTP:    evidence(in, s.ex),
		}
		f.Remediation = remedyCookie
		fs = append(fs, f)
	}
	return fs, nil
}

func missingFlags(c *http.Cookie) []string {
	var m []string
	if !c.Secure {
		m = append(m, "Secure")
	}
	if !c.HttpOnly {
		m = append(m, "HttpOnly")
	}
	if c.SameSite == 0 || c.SameSite == http.SameSiteNoneMode && !c.Secure {
		m = append(m, "SameSite")
	}
	return m
}
