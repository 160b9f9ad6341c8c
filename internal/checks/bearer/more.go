package bearer

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

// MalformedToken finds operations that crash (5xx) or let a request in
// (2xx) on a garbage or malformed token.
type MalformedToken struct{}

// Meta describes the check.
func (MalformedToken) Meta() check.Meta {
	return grouped(meta("authentication.bearer-malformed-token", "Garbage or malformed token crashes or passes", finding.Critical, "CWE-287",
		check.NeedSpec,
		"Sends a random token, \"Bearer a b\" and an 8 KiB token to each secured operation that refuses requests without a token. "+
			"2xx means any string is a credential (critical); 5xx means the token parser crashes (medium: stack traces, denial of service).", remedyChallenge), finding.GroupHostParam)
}

// malformedVariants are Authorization values besides the calibration's
// random token.
func malformedVariants(canary string) []string {
	return []string{"Bearer a b", "Bearer " + canary + strings.Repeat("A", 8<<10)}
}

// Run reads the calibration's garbage answer and sends two malformed tokens.
func (c MalformedToken) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cal, err := Calibrate(ctx, in)
	if err != nil {
		return nil, err
	}
	var fs []finding.Finding
	for _, o := range cal.Oracles {
		if !o.Rejects() {
			continue
		}
		exs := []*Exchange{o.Garbage}
		for _, v := range malformedVariants(cal.Canary) {
			req := &netx.Request{URL: o.URL, Header: http.Header{"Authorization": {v}}}
			resp, err := in.HTTP.Do(ctx, req)
			if fe := fatal(&Exchange{Err: err}); fe != nil {
				return fs, fe
			}
			exs = append(exs, &Exchange{Req: req, Resp: resp, Err: err})
		}
		if f := c.judge(in, o, exs); f != nil {
			fs = append(fs, *f)
		}
	}
	return fs, nil
}

func (c MalformedToken) judge(in *check.Input, o *Oracle, exs []*Exchange) *finding.Finding {
	names := []string{"a random token", `"Bearer a b"`, "an 8 KiB token"}
	for i, e := range exs {
		st := e.Status()
		switch {
		case is2xx(st):
			loc := location(in, o.Op)
			loc.Param = "accepts-garbage"
			f := check.New(c.Meta(), fmt.Sprintf("%s %s accepts %s", o.Op.Method, o.Op.Path, names[i]), loc)
			f.Confidence = finding.Confirmed
			f.Evidence = finding.Evidence{Summary: fmt.Sprintf("Without a token the operation answers HTTP %d; with %s it answers HTTP %d.",
				o.None.Status(), names[i], st), HTTP: evidence(in, e, o.None)}
			f.Remediation = remedyChallenge
			return &f
		case st >= 500:
			loc := location(in, o.Op)
			loc.Param = "parser-crash"
			f := check.New(c.Meta(), fmt.Sprintf("%s %s fails with HTTP %d on %s", o.Op.Method, o.Op.Path, st, names[i]), loc)
			f.Severity, f.Confidence = finding.Medium, finding.Confirmed
			f.Evidence = finding.Evidence{Summary: fmt.Sprintf("Without a token the operation answers HTTP %d; with %s it fails with HTTP %d: "+
				"the token parser does not handle bad input.", o.None.Status(), names[i], st), HTTP: evidence(in, e, o.None)}
			f.Remediation = remedyChallenge
			return &f
		}
	}
	return nil
}

// Reflected finds responses that echo the token sent.
type Reflected struct{}

// Meta describes the check.
func (Reflected) Meta() check.Meta {
	return grouped(meta("authentication.bearer-token-reflected", "Bearer token reflected in the response", finding.Medium, "CWE-532",
		check.NeedSpec,
		"Looks for the calibration's unique garbage token (a canary, never the real one) in the bodies and headers of the "+
			"responses to it. An API that echoes tokens into error pages leaks them to logs, caches and injected scripts.", remedyReflect), finding.GroupHost)
}

// Run reads the calibration: no requests of its own.
func (c Reflected) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cal, err := Calibrate(ctx, in)
	if err != nil {
		return nil, err
	}
	var fs []finding.Finding
	for _, o := range cal.Oracles {
		if o.Garbage == nil || !contains(o.Garbage.Resp, cal.Canary) {
			continue
		}
		f := check.New(c.Meta(), fmt.Sprintf("%s %s echoes the bearer token in its HTTP %d response", o.Op.Method, o.Op.Path, o.Garbage.Status()),
			location(in, o.Op))
		f.Confidence = finding.Confirmed
		f.Evidence = finding.Evidence{
			Summary: fmt.Sprintf("The canary token %s sent in Authorization came back in the response (Content-Type %q).",
				cal.Canary, o.Garbage.Resp.Header.Get("Content-Type")),
			HTTP: evidence(in, o.Garbage),
		}
		f.Remediation = remedyReflect
		fs = append(fs, f)
	}
	return fs, nil
}
