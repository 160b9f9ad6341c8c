package input

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/spec"
)

// ReDoS bounds: parameters probed, baseline samples, the time a probe may
// take, and how much slower than its baseline a crafted input must be.
const (
	maxReDoSParams = 4
	redosBaseline  = 3
	redosTimeout   = 8 * time.Second
	redosMinGap    = 1500 * time.Millisecond
	redosFactor    = 10
)

// ReDoS sends a few inputs crafted to make a backtracking regular
// expression take exponential time to the query parameters the spec
// validates with a pattern or a format (e-mail, URL, host name), and
// compares their answer time with the parameter's own baseline.
type ReDoS struct{}

// Meta describes the check.
func (ReDoS) Meta() check.Meta {
	return check.Meta{
		ID: "input-validation.redos", Title: "Validator backtracks on crafted input (ReDoS)", Category: finding.CatInputValidation,
		OWASP: "API4:2023", CWE: "CWE-1333", Severity: finding.Medium, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: fmt.Sprintf("Read-only (GET). For up to %d query parameters of GET operations that the spec gives a "+
			"pattern or an e-mail, URL or host-name format (or whose name says e-mail, url or domain), sends the "+
			"parameter's valid value %d times (the baseline), then up to two 31-character inputs built to make nested "+
			"quantifiers backtrack (a run of letters that cannot match, e.g. 30 a's and a '!'), each with an %s timeout. "+
			"A crafted input at least %s and %d times slower than the baseline's median is sent once more; slow twice is "+
			"the finding. At most %d requests; on a vulnerable target each slow probe holds one of its workers for up to %s.",
			maxReDoSParams, redosBaseline, redosTimeout, redosMinGap, redosFactor, maxReDoSParams*(redosBaseline+3), redosTimeout),
		Remediation: redosRemediation,
	}
}

// validatedParam is a query parameter a regular expression likely checks.
type validatedParam struct {
	op    spec.Operation
	param spec.Param
}

// redosNames are parameter names that are usually validated by a regular
// expression even when the spec gives no pattern.
var redosNames = regexp.MustCompile(`(?i)e-?mail|^url$|_url$|^uri$|domain|hostname|website|homepage`)

// validatedParams lists the candidates, patterned ones first.
func validatedParams(api *spec.API) []validatedParam {
	var withPattern, others []validatedParam
	for _, op := range api.Operations {
		if op.Method != http.MethodGet {
			continue
		}
		for _, p := range op.Params {
			if p.In != "query" || (p.Schema != nil && p.Schema.Type != "" && p.Schema.Type != "string") {
				continue
			}
			s := p.Schema
			switch {
			case s != nil && s.Pattern != "":
				withPattern = append(withPattern, validatedParam{op, p})
			case s != nil && slices.Contains([]string{"email", "idn-email", "uri", "url", "hostname", "idn-hostname"}, s.Format),
				redosNames.MatchString(p.Name):
				others = append(others, validatedParam{op, p})
			}
		}
	}
	return append(withPattern, others...)
}

// redosInputs are the crafted inputs for a parameter.
func redosInputs(p spec.Param) []string {
	run := strings.Repeat("a", 30)
	if p.Schema != nil && (p.Schema.Format == "uri" || p.Schema.Format == "url") || strings.Contains(strings.ToLower(p.Name), "url") {
		return []string{"http://" + run + "!", "http://" + strings.Repeat("a.", 15) + "!"}
	}
	return []string{run + "!", strings.Repeat("a.", 15) + "!"}
}

// Run probes the candidates one at a time.
func (c ReDoS) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	var out []finding.Finding
	for i, vp := range validatedParams(in.API) {
		if i >= maxReDoSParams {
			in.Coverage.Skip(vp.op, fmt.Sprintf("ReDoS probes are limited to %d parameters", maxReDoSParams))
			continue
		}
		f, err := c.probe(ctx, in, vp)
		if err != nil {
			return out, err
		}
		if f != nil {
			out = append(out, *f)
		}
	}
	return out, nil
}

// timed sends op with param set to v and returns how long the answer
// took. A probe that times out (after limit, when it is not 0, or at the
// client's own timeout) counts as that slow, with no answer.
func timed(ctx context.Context, in *check.Input, op spec.Operation, param, v string, limit time.Duration) (time.Duration, *netx.Request, *netx.Response, error) {
	b, why := reqgen.Build(in.BaseURL(), op, map[string]string{param: v}, nil)
	if why != "" {
		return 0, nil, nil, errors.New(why)
	}
	req := &netx.Request{Method: http.MethodGet, URL: b.URL, WithCredentials: true}
	pctx := ctx
	if limit > 0 {
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	t0 := time.Now()
	resp, err := in.HTTP.Do(pctx, req)
	d := time.Since(t0)
	if err != nil {
		if ctx.Err() == nil && (pctx.Err() != nil || errors.Is(err, netx.ErrTimeout)) {
			return d, req, nil, nil // timed out: as slow as it gets
		}
		return d, req, nil, err
	}
	in.Coverage.Requested(op, resp.StatusCode)
	return resp.Duration, req, resp, nil
}

// slowAnswer is a value that answered slowly twice: both times and the
// first exchange (resp is nil when it timed out).
type slowAnswer struct {
	d1, d2 time.Duration
	req    *netx.Request
	resp   *netx.Response
}

// slowTwice sends v as vp (each request bounded as timed says) and, when
// isSlow says the answer was slow, sends it once more: nil unless both
// were slow.
func slowTwice(ctx context.Context, in *check.Input, vp validatedParam, v string, limit time.Duration, isSlow func(time.Duration) bool) (*slowAnswer, error) {
	d1, req, resp, err := timed(ctx, in, vp.op, vp.param.Name, v, limit)
	if err != nil || !isSlow(d1) {
		return nil, err
	}
	d2, _, _, err := timed(ctx, in, vp.op, vp.param.Name, v, limit)
	if err != nil || !isSlow(d2) {
		return nil, err
	}
	return &slowAnswer{d1, d2, req, resp}, nil
}

func (c ReDoS) probe(ctx context.Context, in *check.Input, vp validatedParam) (*finding.Finding, error) {
	valid := reqgen.ParamValue(vp.param)
	var base []time.Duration
	var bReq *netx.Request
	var bResp *netx.Response
	for range redosBaseline {
		d, req, resp, err := timed(ctx, in, vp.op, vp.param.Name, valid, redosTimeout)
		if err != nil {
			return nil, reqgen.FatalOnly(ctx, err)
		}
		base, bReq, bResp = append(base, d), req, resp
	}
	b := medianDur(base)
	for _, v := range redosInputs(vp.param) {
		s, err := slowTwice(ctx, in, vp, v, redosTimeout, func(d time.Duration) bool { return slow(d, b) })
		if err != nil {
			return nil, reqgen.FatalOnly(ctx, err)
		}
		if s == nil {
			continue
		}
		f := check.New(c.Meta(), fmt.Sprintf("%s %s: parameter %s takes seconds on a crafted %d-character input", vp.op.Method, vp.op.Path, vp.param.Name, len(v)),
			finding.Location{Host: in.Target.Host, Method: vp.op.Method, Path: vp.op.Path, Param: vp.param.Name})
		f.Confidence = finding.Firm
		ex := []finding.HTTPExchange{in.HTTP.Evidence(bReq, bResp, nil)}
		if s.resp != nil {
			ex = append(ex, in.HTTP.Evidence(s.req, s.resp, nil))
		}
		f.Evidence = finding.Evidence{Summary: fmt.Sprintf("The valid value %q answered in %s (median of %d); the crafted %q took %s and, "+
			"sent again, %s (timeout %s). A backtracking regular expression validates %s: a few such requests in parallel "+
			"hold the API's workers.", valid, b.Round(time.Millisecond), redosBaseline, v, s.d1.Round(time.Millisecond),
			s.d2.Round(time.Millisecond), redosTimeout, vp.param.Name), HTTP: ex}
		f.Remediation = redosRemediation
		return &f, nil
	}
	return nil, nil
}

// slow reports whether d is well beyond the baseline b.
func slow(d, b time.Duration) bool { return d >= b+redosMinGap && d >= redosFactor*b }

func medianDur(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

var redosRemediation = finding.Remediation{
	Summary: "Validate with a regular-expression engine that cannot backtrack (RE2, Go's regexp, Rust's regex, the re2 " +
		"bindings for Python and Node), or rewrite the pattern without nested quantifiers, cap the input's length before " +
		"matching, and put a time limit on validation.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `import re2  # pip install google-re2: linear time, no backtracking
EMAIL = re2.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}$")
email = request.args.get("email", "")
if len(email) > 254 or not EMAIL.match(email):
    abort(400)`},
		{Lang: "go", Code: `// Go's regexp is RE2: linear in the input, whatever the pattern.
var email = regexp.MustCompile(` + "`" + `^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}$` + "`" + `)
if v := r.URL.Query().Get("email"); len(v) > 254 || !email.MatchString(v) {
	http.Error(w, "invalid email", http.StatusBadRequest)
	return
}`},
		{Lang: "node-express", Code: `const RE2 = require("re2");
const email = new RE2("^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\\.[A-Za-z]{2,24}$");
if (req.query.email.length > 254 || !email.test(req.query.email)) return res.sendStatus(400);`},
	},
	References: []string{
		"https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS",
		"https://cwe.mitre.org/data/definitions/1333.html",
	},
}
