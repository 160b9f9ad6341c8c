package input

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/spec"
)

// Command injection bounds.
const (
	maxCmdParams     = 6               // parameters probed with output markers
	maxCmdTimeParams = 3               // of those, probed with a delay
	cmdDelay         = 3 * time.Second // the injected sleep
	cmdMinGap        = cmdDelay * 4 / 5
)

// CommandInjection appends shell syntax to query parameters that look
// like they reach a command line (host, ip, domain, file, cmd, …): first
// commands whose output is a marker that is not in the input, then, when
// no marker came back, a short sleep timed against the parameter's
// baseline and confirmed once.
type CommandInjection struct{}

// Meta describes the check.
func (CommandInjection) Meta() check.Meta {
	return check.Meta{
		ID: "input-validation.command-injection", Title: "OS command injection", Category: finding.CatInputValidation,
		OWASP: "API8:2023", CWE: "CWE-78", Severity: finding.Critical, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: fmt.Sprintf("Read-only (GET). For up to %d string query parameters of GET operations whose name "+
			"suggests a command argument (host, ip, domain, target, file, path, cmd, name, …), sends the parameter's valid "+
			"value followed by `;printf %%s plmb NONCE`, the same after | and &&, inside $(…) and inside backticks: the "+
			"output plmbNONCE (which the input does not contain) in the answer confirms the injection. Without a marker, "+
			"for up to %d of them: two baseline requests, then `;sleep %d` and $(sleep %d); an answer at least %s slower "+
			"than the baseline is sent once more and must be slow again. The commands only print a marker or sleep; at "+
			"most %d requests.", maxCmdParams, maxCmdTimeParams, int(cmdDelay.Seconds()), int(cmdDelay.Seconds()), cmdMinGap,
			maxCmdParams*5+maxCmdTimeParams*5),
		Remediation: cmdRemediation,
	}
}

// cmdNames are parameter names that usually end up on a command line.
var cmdNames = regexp.MustCompile(`(?i)^(?:host|hostname|ip|ip_?addr(?:ess)?|addr|address|domain|dns|target|server|cmd|command|exec|run|file|filename|path|dir|directory|folder|ping|name|query|arg|args|options?)$`)

// cmdParams lists the candidates.
func cmdParams(api *spec.API) []validatedParam {
	var out []validatedParam
	for _, op := range api.Operations {
		if op.Method != http.MethodGet {
			continue
		}
		for _, p := range op.Params {
			if p.In == "query" && (p.Schema == nil || p.Schema.Type == "" || p.Schema.Type == "string") && len(enumOf(p)) == 0 && cmdNames.MatchString(p.Name) {
				out = append(out, validatedParam{op, p})
			}
		}
	}
	return out
}

func enumOf(p spec.Param) []any {
	if p.Schema == nil {
		return nil
	}
	return p.Schema.Enum
}

// Run probes with markers, then with delays.
func (c CommandInjection) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	var out []finding.Finding
	var timing []validatedParam
	for i, vp := range cmdParams(in.API) {
		if i >= maxCmdParams {
			in.Coverage.Skip(vp.op, fmt.Sprintf("command-injection probes are limited to %d parameters", maxCmdParams))
			continue
		}
		f, err := c.markers(ctx, in, vp)
		if err != nil {
			return out, err
		}
		if f != nil {
			out = append(out, *f)
		} else if len(timing) < maxCmdTimeParams {
			timing = append(timing, vp)
		}
	}
	for _, vp := range timing {
		f, err := c.delays(ctx, in, vp)
		if err != nil {
			return out, err
		}
		if f != nil {
			out = append(out, *f)
		}
	}
	return out, nil
}

// markerPayloads are the ways to run a command after (or inside) a value.
func markerPayloads(valid, cmd string) []string {
	return []string{valid + ";" + cmd, valid + "|" + cmd, valid + "&&" + cmd, valid + "$(" + cmd + ")", valid + "`" + cmd + "`"}
}

// markers tries the output-marker payloads.
func (c CommandInjection) markers(ctx context.Context, in *check.Input, vp validatedParam) (*finding.Finding, error) {
	valid := reqgen.ParamValue(vp.param)
	nonce := nonce()
	want := "plmb" + nonce
	for _, v := range markerPayloads(valid, "printf %s plmb "+nonce) {
		b, why := reqgen.Build(in.BaseURL(), vp.op, map[string]string{vp.param.Name: v}, nil)
		if why != "" {
			return nil, nil
		}
		req := &netx.Request{Method: http.MethodGet, URL: b.URL, WithCredentials: true}
		resp, err := in.HTTP.Do(ctx, req)
		if err != nil {
			if e := reqgen.FatalOnly(ctx, err); e != nil {
				return nil, e
			}
			continue
		}
		in.Coverage.Requested(vp.op, resp.StatusCode)
		if !strings.Contains(string(resp.Body), want) {
			continue
		}
		f := c.finding(in, vp, fmt.Sprintf("%s %s runs shell commands from parameter %s", vp.op.Method, vp.op.Path, vp.param.Name),
			fmt.Sprintf("plumb sent %s=%q; the answer contains %q, the output of the injected printf, which the request "+
				"does not contain (it has the two words apart): the value reaches a shell.", vp.param.Name, v, want), finding.Confirmed,
			in.HTTP.Evidence(req, resp, nil))
		return &f, nil
	}
	return nil, nil
}

// delays times a sleep against the baseline, confirming once.
func (c CommandInjection) delays(ctx context.Context, in *check.Input, vp validatedParam) (*finding.Finding, error) {
	valid := reqgen.ParamValue(vp.param)
	var base []time.Duration
	for range 2 {
		d, _, _, err := timed(ctx, in, vp.op, vp.param.Name, valid, 0)
		if err != nil {
			return nil, reqgen.FatalOnly(ctx, err)
		}
		base = append(base, d)
	}
	b := max(base[0], base[1])
	secs := fmt.Sprint(int(cmdDelay.Seconds()))
	for _, v := range []string{valid + ";sleep " + secs, valid + "$(sleep " + secs + ")"} {
		s, err := slowTwice(ctx, in, vp, v, 0, func(d time.Duration) bool { return d >= b+cmdMinGap })
		if err != nil {
			return nil, reqgen.FatalOnly(ctx, err)
		}
		if s == nil {
			continue
		}
		var ex []finding.HTTPExchange
		if s.resp != nil {
			ex = append(ex, in.HTTP.Evidence(s.req, s.resp, nil))
		}
		f := c.finding(in, vp, fmt.Sprintf("%s %s runs shell commands from parameter %s (blind)", vp.op.Method, vp.op.Path, vp.param.Name),
			fmt.Sprintf("The value %q answered within %s (slower of two); %s=%q took %s and, sent again, %s: the injected sleep "+
				"of %s ran. No output comes back, so this is blind command injection.", valid, b.Round(time.Millisecond),
				vp.param.Name, v, s.d1.Round(time.Millisecond), s.d2.Round(time.Millisecond), cmdDelay), finding.Firm, ex...)
		return &f, nil
	}
	return nil, nil
}

func (c CommandInjection) finding(in *check.Input, vp validatedParam, title, summary string, conf finding.Confidence, ex ...finding.HTTPExchange) finding.Finding {
	f := check.New(c.Meta(), title, finding.Location{Host: in.Target.Host, Method: vp.op.Method, Path: vp.op.Path, Param: vp.param.Name})
	f.Confidence = conf
	f.Evidence = finding.Evidence{Summary: summary, HTTP: ex}
	f.Remediation = cmdRemediation
	return f
}

var cmdRemediation = finding.Remediation{
	Summary: "Never build a shell command line from input: call the program with an argument vector (no shell), validate " +
		"the value against a strict allow-list (a host-name pattern), and prefer a library to an external program.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
host = request.args.get("host", "")
if not HOST.match(host):
    abort(400)
out = subprocess.run(["ping", "-c", "1", "--", host], capture_output=True, timeout=5)  # no shell=True`},
		{Lang: "go", Code: `if !hostRE.MatchString(host) {
	http.Error(w, "invalid host", http.StatusBadRequest)
	return
}
out, err := exec.CommandContext(ctx, "ping", "-c", "1", "--", host).Output() // no "sh -c"`},
		{Lang: "node-express", Code: `const { execFile } = require("child_process");
if (!/^[A-Za-z0-9.-]{1,253}$/.test(req.query.host)) return res.sendStatus(400);
execFile("ping", ["-c", "1", "--", req.query.host], { timeout: 5000 }, (err, out) => res.json({ out }));`},
	},
	References: []string{
		"https://cheatsheetseries.owasp.org/cheatsheets/OS_Command_Injection_Defense_Cheat_Sheet.html",
		"https://cwe.mitre.org/data/definitions/78.html",
	},
}
