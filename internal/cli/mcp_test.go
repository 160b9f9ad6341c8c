package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/plumbsec/plumb/internal/code"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labscan"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/mcp"
	"github.com/plumbsec/plumb/internal/result"
)

// mcpLab is a lab and the plumb mcp flags and environment that reach it.
type mcpLab struct {
	w    *lab.World
	net  []string          // --resolver, --connect-to, --cacert, --dns-root, … as plumb demo --serve prints them
	dial []string          // only --resolver, --connect-to and --cacert (what plumb spec takes)
	env  map[string]string // the server's environment: the lab's tokens
}

func startMCPLab(t *testing.T) *mcpLab {
	t.Helper()
	w := labtest.Start(t)
	ca := filepath.Join(t.TempDir(), "lab-ca.pem")
	if err := os.WriteFile(ca, w.CACertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	l := &mcpLab{w: w, env: map[string]string{"LAB_TOKEN": w.Vuln.Token, "LAB_TOKEN_B": w.Vuln.TokenB, "OTHER_SECRET": "s3cr3t-not-allowed"}}
	l.dial = []string{"--resolver", w.DNSAddr, "--cacert", ca}
	for _, c := range w.ConnectTo {
		l.dial = append(l.dial, "--connect-to", c)
	}
	l.net = append(slices.Clone(l.dial), "--dns-root", w.RootAddr, "--dns-authority-port", w.AuthorityPort, "--rate", strconv.Itoa(labscan.Rate))
	return l
}

func (l *mcpLab) streams(stderr *bytes.Buffer) *Streams {
	return &Streams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: stderr, LookupEnv: func(k string) (string, bool) {
		v, ok := l.env[k]
		return v, ok
	}}
}

// mcpSession serves plumb mcp with args over an in-memory transport and
// connects the SDK's client to it. calls receives how each tools/call
// handler ended on the server side.
type mcpSession struct {
	cs       *sdk.ClientSession
	calls    chan error
	mu       sync.Mutex
	progress []*sdk.ProgressNotificationParams
}

func connectMCP(t *testing.T, st *Streams, args ...string) *mcpSession {
	t.Helper()
	f := &mcpFlags{}
	if err := f.command(st).ParseFlags(args); err != nil {
		t.Fatalf("flags %v: %v", args, err)
	}
	server, _, err := f.server(st)
	if err != nil {
		t.Fatalf("server: %v", err)
	}
	s := &mcpSession{calls: make(chan error, 16)}
	server.AddReceivingMiddleware(func(next sdk.MethodHandler) sdk.MethodHandler {
		return func(ctx context.Context, method string, req sdk.Request) (sdk.Result, error) {
			res, err := next(ctx, method, req)
			if method == "tools/call" {
				ended := err
				if r, ok := res.(*sdk.CallToolResult); ok && err == nil && r.IsError {
					ended = r.GetError()
				}
				s.calls <- ended
			}
			return res, err
		}
	})
	client := sdk.NewClient(&sdk.Implementation{Name: "plumb-test", Version: "1"}, &sdk.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, req *sdk.ProgressNotificationClientRequest) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.progress = append(s.progress, req.Params)
		},
	})
	ct, stt := sdk.NewInMemoryTransports()
	ctx := context.Background()
	ss, err := server.Connect(ctx, stt, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.cs, err = client.Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.cs.Close(); _ = ss.Wait() })
	return s
}

// call calls a tool; progressToken, if not nil, asks for progress.
func (s *mcpSession) call(ctx context.Context, t *testing.T, name string, args map[string]any, progressToken any) *sdk.CallToolResult {
	t.Helper()
	p := &sdk.CallToolParams{Name: name, Arguments: args}
	if progressToken != nil {
		p.Meta = sdk.Meta{"progressToken": progressToken}
	}
	res, err := s.cs.CallTool(ctx, p)
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	return res
}

func (s *mcpSession) notifications() []*sdk.ProgressNotificationParams {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.progress)
}

// structured decodes a result's structured content into a T.
func structured[T any](t *testing.T, res *sdk.CallToolResult) T {
	t.Helper()
	var v T
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("structured content: %v\n%s", err, b)
	}
	return v
}

func textOf(res *sdk.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// runJSON runs a plumb command in process and decodes its JSON output.
func (l *mcpLab) runJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	var errb bytes.Buffer
	st := l.streams(&errb)
	out := &bytes.Buffer{}
	st.Out = out
	if code := run(context.Background(), args, st); code != ExitOK && code != ExitGate {
		t.Fatalf("plumb %v exited %d: %s", args, code, errb.String())
	}
	if err := json.Unmarshal(out.Bytes(), v); err != nil {
		t.Fatalf("plumb %v: %v", args, err)
	}
}

type dnsVerdict struct {
	Name     string `json:"name"`
	Status   string `json:"status"`
	Service  string `json:"service"`
	Findings []struct {
		ID string `json:"id"`
	} `json:"findings"`
}

// Every tool, called through the SDK's client, answers with the JSON the
// matching command writes, against the lab.
func TestMCPToolsAgainstTheLab(t *testing.T) {
	t.Parallel()
	l := startMCPLab(t)
	var errb bytes.Buffer
	s := connectMCP(t, l.streams(&errb), append(slices.Clone(l.net), "--allow-target", "*.test", "--allow-env", "LAB_TOKEN*")...)
	ctx := context.Background()

	tools, err := s.cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range tools.Tools {
		names = append(names, tl.Name)
		if tl.InputSchema == nil || tl.OutputSchema == nil || tl.Description == "" {
			t.Errorf("tool %s lacks a schema or a description", tl.Name)
		}
	}
	slices.Sort(names)
	if want := []string{"analyse_spec", "audit_dns", "explain_finding", "scan_api", "scan_code"}; !slices.Equal(names, want) {
		t.Fatalf("tools %v, want %v", names, want)
	}

	t.Run("audit_dns", func(t *testing.T) {
		dnsNames := []string{"api.vulnshop.test", "legacy-api.vulnshop.test", "api.r53lame.test", "nothere.vulnshop.test"}
		res := s.call(ctx, t, "audit_dns", map[string]any{"names": dnsNames}, "dns-1")
		if res.IsError {
			t.Fatalf("audit_dns: %s", textOf(res))
		}
		got := structured[struct{ Results []dnsVerdict }](t, res).Results
		var cli []dnsVerdict
		l.runJSON(t, &cli, append(append([]string{"dns", "--format", "json"}, l.net...), dnsNames...)...)
		if len(got) != len(dnsNames) || len(cli) != len(dnsNames) {
			t.Fatalf("%d results over MCP, %d from plumb dns, for %d names", len(got), len(cli), len(dnsNames))
		}
		want := map[string]string{"api.vulnshop.test": "ok", "legacy-api.vulnshop.test": "vulnerable", "api.r53lame.test": "dangling", "nothere.vulnshop.test": "unresolved"}
		for i, r := range got {
			if r.Name != dnsNames[i] || r.Status != want[r.Name] {
				t.Errorf("result %d: %s %s, want %s %s", i, r.Name, r.Status, dnsNames[i], want[dnsNames[i]])
			}
			c := cli[slices.IndexFunc(cli, func(c dnsVerdict) bool { return c.Name == r.Name })]
			if r.Status != c.Status || r.Service != c.Service || len(r.Findings) != len(c.Findings) {
				t.Errorf("%s over MCP %+v, plumb dns %+v", r.Name, r, c)
			}
		}
		if txt := textOf(res); !strings.Contains(txt, "legacy-api.vulnshop.test: vulnerable") {
			t.Errorf("summary does not name the vulnerable name:\n%s", txt)
		}
		// The server's own resolver may be named.
		res = s.call(ctx, t, "audit_dns", map[string]any{"names": []string{"api.vulnshop.test"}, "resolver": l.w.DNSAddr}, nil)
		if r := structured[struct{ Results []dnsVerdict }](t, res).Results; res.IsError || len(r) != 1 || r[0].Status != "ok" {
			t.Errorf("audit_dns through the configured resolver: %s", textOf(res))
		}
		// Updates may be coalesced, but the last one always says all are done.
		if p := progressOf(s, "dns-1"); len(p) == 0 || p[len(p)-1].Progress != float64(len(dnsNames)) || p[len(p)-1].Total != float64(len(dnsNames)) {
			t.Errorf("progress notifications %+v for %d names", p, len(dnsNames))
		}
	})

	t.Run("analyse_spec", func(t *testing.T) {
		res := s.call(ctx, t, "analyse_spec", map[string]any{"path_or_url": l.w.Vuln.SpecURL}, nil)
		if res.IsError {
			t.Fatalf("analyse_spec: %s", textOf(res))
		}
		var cli map[string]any
		l.runJSON(t, &cli, append([]string{"spec", "--format", "json", l.w.Vuln.SpecURL}, l.dial...)...)
		got := structured[map[string]any](t, res)
		gb, _ := json.Marshal(got)
		cb, _ := json.Marshal(cli)
		if !bytes.Equal(gb, cb) {
			t.Errorf("analyse_spec differs from plumb spec --format json:\n%s\n%s", gb, cb)
		}
		if !strings.Contains(textOf(res), "Credentials flow to:") {
			t.Errorf("summary says nothing of where credentials flow:\n%s", textOf(res))
		}
		file := filepath.Join(t.TempDir(), "openapi.json")
		if err := os.WriteFile(file, l.w.Vuln.Spec, 0o600); err != nil {
			t.Fatal(err)
		}
		res = s.call(ctx, t, "analyse_spec", map[string]any{"path_or_url": file}, nil)
		if res.IsError || structured[result.SpecInfo](t, res).Operations == 0 {
			t.Errorf("analyse_spec of a file: %s", textOf(res))
		}
	})

	t.Run("explain_finding", func(t *testing.T) {
		res := s.call(ctx, t, "explain_finding", map[string]any{"id": "input.stack-trace"}, nil)
		out := structured[struct {
			ID, Kind, Markdown string
			Rule               *struct {
				Severity    string
				Remediation struct{ Summary string }
			}
			Check *struct{ ID string }
		}](t, res)
		if res.IsError || out.ID != "input-validation.stack-trace" || out.Kind != "rule" || out.Rule == nil ||
			out.Rule.Remediation.Summary == "" || out.Check == nil || !strings.HasPrefix(out.Markdown, "# input-validation.stack-trace") {
			t.Errorf("explain_finding of a former id: %+v", out)
		}
		res = s.call(ctx, t, "explain_finding", map[string]any{"id": "no.such-rule"}, nil)
		if !res.IsError || !strings.Contains(textOf(res), "not a rule or check id") {
			t.Errorf("unknown id: %v %s", res.IsError, textOf(res))
		}
	})

	t.Run("scan_api", func(t *testing.T) {
		res := s.call(ctx, t, "scan_api", map[string]any{"url": l.w.Vuln.BaseURL, "bearer_env": "LAB_TOKEN", "bearer_env_b": "LAB_TOKEN_B"}, "scan-1")
		if res.IsError {
			t.Fatalf("scan_api: %s", textOf(res))
		}
		rep := structured[result.Report](t, res)
		if rep.Mode != "read-only" || rep.Grade == "" || len(rep.Findings) == 0 || rep.Target != l.w.Vuln.BaseURL+"/" && rep.Target != l.w.Vuln.BaseURL {
			t.Errorf("report: mode %s grade %q, %d findings, target %s", rep.Mode, rep.Grade, len(rep.Findings), rep.Target)
		}
		// The same scan from the command line finds the same rules.
		var cli result.Report
		l.runJSON(t, &cli, append([]string{"scan", "--format", "json", l.w.Vuln.BaseURL, "--bearer-env", "LAB_TOKEN", "--bearer-env-b", "LAB_TOKEN_B"}, l.net...)...)
		if got, want := ruleIDs(&rep), ruleIDs(&cli); !slices.Equal(got, want) {
			t.Errorf("scan_api found %v\nplumb scan found %v", got, want)
		}
		prog := progressOf(s, "scan-1")
		if len(prog) < 3 {
			t.Fatalf("%d progress notifications", len(prog))
		}
		for i := 1; i < len(prog); i++ {
			if prog[i].Progress <= prog[i-1].Progress {
				t.Errorf("progress went from %v to %v", prog[i-1].Progress, prog[i].Progress)
			}
		}
		assertNoSecret(t, l, res, prog)
	})

	t.Run("scan_code", func(t *testing.T) {
		const dir = "../code/testdata/flask-vuln"
		res := s.call(ctx, t, "scan_code", map[string]any{"path": dir}, "code-1")
		if res.IsError {
			t.Fatalf("scan_code: %s", textOf(res))
		}
		got := structured[code.Report](t, res)
		var cli code.Report
		l.runJSON(t, &cli, append([]string{"code", "--format", "json", dir}, l.net...)...)
		if g, w := codeFindings(&got), codeFindings(&cli); !slices.Equal(g, w) || len(g) == 0 {
			t.Errorf("scan_code found %v\nplumb code found %v", g, w)
		}
		if g, w := codeHosts(&got), codeHosts(&cli); !slices.Equal(g, w) {
			t.Errorf("scan_code hosts %v\nplumb code hosts %v", g, w)
		}
		if h := codeHost(&got, "metrics.vulnshop.test"); h == nil || h.DNS.Status != "vulnerable" || !h.CarriesCredentials {
			t.Errorf("metrics host: %+v", h)
		}
		txt := textOf(res)
		if !strings.Contains(txt, "Credentials are sent to: ") || !strings.Contains(txt, "[critical] code.credentials-to-claimable-host") {
			t.Errorf("summary:\n%s", txt)
		}
		// The fixture's hard-coded token is reported by fingerprint only.
		if all, _ := json.Marshal(res); bytes.Contains(all, []byte("vs7Qm2Xr9Lp4Vt8Wz3Nb6Yc1Hd5Kf0Rj")) {
			t.Error("the fixture's hard-coded token appears in the result")
		}
		if p := progressOf(s, "code-1"); len(p) == 0 || p[len(p)-1].Total == 0 {
			t.Errorf("progress %+v: want the files read, then the hosts audited", p)
		}
		// A file, and offline.
		res = s.call(ctx, t, "scan_code", map[string]any{"path": dir + "/config.py", "no_dns": true}, nil)
		if r := structured[code.Report](t, res); res.IsError || r.DNSAudited || r.Files.Scanned != 1 || len(r.Hosts) == 0 {
			t.Errorf("scan_code of a file without DNS: %s", textOf(res))
		}
	})

	t.Run("scan_api of an allowed target that does not answer", func(t *testing.T) {
		res := s.call(ctx, t, "scan_api", map[string]any{"url": "https://nothere.vulnshop.test"}, nil)
		rep := structured[result.Report](t, res)
		if !res.IsError || !strings.Contains(textOf(res), "the scan could not run") || !rep.Partial || len(rep.Errors) == 0 {
			t.Errorf("error %v, partial %v, errors %+v: %s", res.IsError, rep.Partial, rep.Errors, textOf(res))
		}
	})
}

// codeFindings lists a plumb code report's findings as id file:line severity.
func codeFindings(r *code.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s %s:%d %s", f.ID, f.Location.File, f.Location.Line, f.Severity))
	}
	slices.Sort(out)
	return out
}

// codeHosts lists a plumb code report's hosts with their link and DNS status.
func codeHosts(r *code.Report) []string {
	var out []string
	for _, h := range r.Hosts {
		out = append(out, fmt.Sprintf("%s %s %s", h.Name, h.Link, h.DNS.Status))
	}
	return out
}

func codeHost(r *code.Report, name string) *code.Host {
	for i := range r.Hosts {
		if r.Hosts[i].Name == name {
			return &r.Hosts[i]
		}
	}
	return nil
}

func ruleIDs(r *result.Report) []string {
	var ids []string
	for _, f := range r.Findings {
		if !slices.Contains(ids, f.ID) {
			ids = append(ids, f.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func progressOf(s *mcpSession, token string) []*sdk.ProgressNotificationParams {
	var out []*sdk.ProgressNotificationParams
	for _, p := range s.notifications() {
		if p.ProgressToken == token {
			out = append(out, p)
		}
	}
	return out
}

// assertNoSecret fails if a token from the server's environment appears
// in a tool result (text or structured) or a progress notification.
func assertNoSecret(t *testing.T, l *mcpLab, res *sdk.CallToolResult, prog []*sdk.ProgressNotificationParams) {
	t.Helper()
	all, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range prog {
		all = append(all, p.Message...)
	}
	for name, v := range l.env {
		if bytes.Contains(all, []byte(v)) {
			t.Errorf("the value of %s appears in the tool's output", name)
		}
	}
}

// A server started for one host refuses every other target, a write-mode
// scan, a credential from a variable it was not told about and a resolver
// it does not know; the refused target gets no request, and no secret of
// the environment leaks into the refusal.
func TestMCPRefusals(t *testing.T) {
	t.Parallel()
	l := startMCPLab(t)
	var errb bytes.Buffer
	s := connectMCP(t, l.streams(&errb), append(slices.Clone(l.net), "--allow-target", "api.vulnshop.test", "--allow-env", "LAB_TOKEN")...)
	ctx := context.Background()
	for _, tc := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"scan_api", map[string]any{"url": l.w.Clean.BaseURL}, `target "api.cleanshop.test:443" refused`},
		{"scan_api", map[string]any{"url": l.w.Vuln.BaseURL, "allow_writes": true}, "--allow-writes"},
		{"scan_api", map[string]any{"url": l.w.Vuln.BaseURL, "bearer_env": "OTHER_SECRET"}, `environment variable "OTHER_SECRET" refused`},
		{"scan_api", map[string]any{"url": l.w.Vuln.BaseURL, "spec": l.w.Clean.SpecURL}, "api.cleanshop.test:443"},
		{"scan_api", map[string]any{"url": "http://169.254.169.254/latest/meta-data/"}, "169.254.169.254:80"},
		{"audit_dns", map[string]any{"names": []string{"api.vulnshop.test", "legacy-api.vulnshop.test"}}, `name "legacy-api.vulnshop.test" refused`},
		{"audit_dns", map[string]any{"names": []string{"api.vulnshop.test"}, "resolver": "127.0.0.1:53"}, `resolver "127.0.0.1:53" refused`},
		{"analyse_spec", map[string]any{"path_or_url": l.w.Clean.SpecURL}, "api.cleanshop.test:443"},
	} {
		res := s.call(ctx, t, tc.tool, tc.args, nil)
		if !res.IsError || !strings.Contains(textOf(res), tc.want) {
			t.Errorf("%s %v: error %v, %q; want a refusal saying %q", tc.tool, tc.args, res.IsError, textOf(res), tc.want)
		}
		if err := <-s.calls; !errors.Is(err, mcp.ErrNotAllowed) {
			t.Errorf("%s %v: the handler ended with %v, want ErrNotAllowed", tc.tool, tc.args, err)
		}
		assertNoSecret(t, l, res, nil)
	}
	if n := len(l.w.Clean.Methods.Records()); n != 0 {
		t.Errorf("the refused clean API received %d requests", n)
	}
	// explain_finding needs no target.
	if res := s.call(ctx, t, "explain_finding", map[string]any{"id": "dns.dangling-cname"}, nil); res.IsError {
		t.Errorf("explain_finding: %s", textOf(res))
	}
	if err := <-s.calls; err != nil {
		t.Errorf("explain_finding ended with %v", err)
	}
}

// Without --allow-target, every tool that reaches the network refuses and
// says how the user allows a target.
func TestMCPRefusesEverythingByDefault(t *testing.T) {
	t.Parallel()
	l := startMCPLab(t)
	var errb bytes.Buffer
	s := connectMCP(t, l.streams(&errb), l.net...)
	res := s.call(context.Background(), t, "audit_dns", map[string]any{"names": []string{"api.vulnshop.test"}}, nil)
	if !res.IsError || !strings.Contains(textOf(res), "started without --allow-target") {
		t.Errorf("audit_dns with no allow-list: %q", textOf(res))
	}
	if err := <-s.calls; !errors.Is(err, mcp.ErrNotAllowed) {
		t.Errorf("the handler ended with %v, want ErrNotAllowed", err)
	}
}

// Connections a scan makes on its own (to hosts its documents name) obey
// the allow-list too, and the report says which were refused.
func TestMCPScanStaysInsideTheAllowList(t *testing.T) {
	t.Parallel()
	l := startMCPLab(t)
	var errb bytes.Buffer
	s := connectMCP(t, l.streams(&errb), append(slices.Clone(l.net), "--allow-target", "api.vulnshop.test")...)
	res := s.call(context.Background(), t, "scan_api", map[string]any{"url": l.w.Vuln.BaseURL}, nil)
	if res.IsError {
		t.Fatalf("scan_api: %s", textOf(res))
	}
	if err := <-s.calls; err != nil {
		t.Errorf("scan_api ended with %v", err)
	}
	rep := structured[result.Report](t, res)
	i := slices.IndexFunc(rep.Errors, func(e result.Error) bool { return e.Stage == "allow-target" })
	if i < 0 {
		t.Fatalf("no allow-target entry in the report's errors: %+v", rep.Errors)
	}
	t.Logf("%s", rep.Errors[i].Message)
	if msg := rep.Errors[i].Message; strings.Contains(msg, "api.vulnshop.test:") || !strings.Contains(msg, ".test:") {
		t.Errorf("refused: %s", msg)
	}
	if n := len(l.w.Clean.Methods.Records()); n != 0 {
		t.Errorf("the clean API, outside the allow-list, received %d requests", n)
	}
}

// scan_code reads the code whatever --allow-target says, and audits the
// DNS only of the hosts it allows: the others are listed as not audited
// and none of their DNS makes a finding. A path that cannot be read is a
// tool error that names it.
func TestMCPScanCodeAuditsOnlyAllowedHosts(t *testing.T) {
	t.Parallel()
	l := startMCPLab(t)
	const dir = "../code/testdata/flask-vuln"
	for _, tc := range []struct {
		name    string
		allow   []string
		audited []string // hosts whose DNS is audited
	}{
		{"one host allowed", []string{"--allow-target", "billing.vulnshop.test"}, []string{"billing.vulnshop.test"}},
		{"no --allow-target", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var errb bytes.Buffer
			s := connectMCP(t, l.streams(&errb), append(slices.Clone(l.net), tc.allow...)...)
			res := s.call(context.Background(), t, "scan_code", map[string]any{"path": dir}, nil)
			if err := <-s.calls; err != nil || res.IsError {
				t.Fatalf("scan_code ended with %v: %s", err, textOf(res))
			}
			rep := structured[code.Report](t, res)
			skipped := 0
			for _, h := range rep.Hosts {
				switch {
				case slices.Contains(tc.audited, h.Name):
					if h.DNS.Status == "skipped" {
						t.Errorf("%s is allowed but not audited: %+v", h.Name, h.DNS)
					}
				case h.DNS.Status != "skipped":
					t.Errorf("%s is outside --allow-target but audited: %+v", h.Name, h.DNS)
				case strings.HasSuffix(h.Name, ".test"):
					skipped++
					if h.DNS.Detail != "not audited: outside the server's --allow-target" {
						t.Errorf("%s: %q", h.Name, h.DNS.Detail)
					}
				}
			}
			for _, f := range rep.Findings {
				if f.Location.Host != "" && !slices.Contains(tc.audited, f.Location.Host) && f.ID == code.RuleCredentialsToClaimable {
					t.Errorf("a DNS finding for a host not audited: %s %s", f.ID, f.Location.Host)
				}
			}
			if want := fmt.Sprintf("DNS not audited for %d host(s) outside the server's --allow-target", skipped); skipped == 0 || !strings.Contains(textOf(res), want) {
				t.Errorf("%d skipped; summary:\n%s", skipped, textOf(res))
			}
		})
	}
	t.Run("paths that cannot be read", func(t *testing.T) {
		t.Parallel()
		var errb bytes.Buffer
		s := connectMCP(t, l.streams(&errb), l.net...)
		missing := filepath.Join(t.TempDir(), "no-such-checkout")
		for path, want := range map[string]string{missing: `cannot read "` + missing + `"`, "  ": "path is empty"} {
			res := s.call(context.Background(), t, "scan_code", map[string]any{"path": path}, nil)
			if !res.IsError || !strings.Contains(textOf(res), want) {
				t.Errorf("scan_code %q: %v %q, want an error saying %q", path, res.IsError, textOf(res), want)
			}
			if err := <-s.calls; err == nil || errors.Is(err, mcp.ErrNotAllowed) {
				t.Errorf("scan_code %q ended with %v", path, err)
			}
		}
	})
}

// Cancelling scan_code stops it: the handler returns with a cancellation
// error while the DNS audit of hosts whose nameservers never answer would
// still be waiting.
func TestMCPCancelStopsTheCodeScan(t *testing.T) {
	t.Parallel()
	l := startMCPLab(t)
	dir := t.TempDir()
	var src strings.Builder
	src.WriteString("import requests\n\nUPSTREAMS = [\n")
	for i := range 64 {
		name := fmt.Sprintf("slow%d.vulnshop.test", i)
		l.w.DNS.SetBehaviour(name+".", lab.BehaviourTimeout)
		fmt.Fprintf(&src, "    \"https://%s/v1\",\n", name)
	}
	src.WriteString("]\n")
	if err := os.WriteFile(filepath.Join(dir, "upstreams.py"), []byte(src.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	s := connectMCP(t, l.streams(&errb), append(slices.Clone(l.net), "--allow-target", "*.test")...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, err := s.cs.CallTool(ctx, &sdk.CallToolParams{Name: "scan_code", Arguments: map[string]any{"path": dir},
			Meta: sdk.Meta{"progressToken": "slow-code"}})
		errc <- err
	}()
	waitFor(t, "a progress notification", func() bool { return len(progressOf(s, "slow-code")) > 0 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("client: %v, want context.Canceled", err)
	}
	select {
	case err := <-s.calls:
		if err == nil || !strings.Contains(err.Error(), "scan_code cancelled") {
			t.Errorf("the handler ended with %v, want a cancellation", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the code scan went on after the call was cancelled")
	}
}

// Cancelling a call stops the scan: the server's handler returns with a
// cancellation error long before the throttled scan could have finished.
func TestMCPCancelStopsTheScan(t *testing.T) {
	t.Parallel()
	l := startMCPLab(t)
	var errb bytes.Buffer
	// One request a second: the whole scan would take many minutes.
	args := append(slices.Clone(l.net), "--allow-target", "*.test", "--rate", "1")
	s := connectMCP(t, l.streams(&errb), args...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, err := s.cs.CallTool(ctx, &sdk.CallToolParams{Name: "scan_api", Arguments: map[string]any{"url": l.w.Vuln.BaseURL},
			Meta: sdk.Meta{"progressToken": "slow"}})
		errc <- err
	}()
	waitFor(t, "a progress notification", func() bool { return len(progressOf(s, "slow")) > 0 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("client: %v, want context.Canceled", err)
	}
	select {
	case err := <-s.calls:
		if err == nil || !strings.Contains(err.Error(), "cancelled") {
			t.Errorf("the handler ended with %v, want a cancellation", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the scan went on after the call was cancelled")
	}
}

// waitFor polls cond until it holds, failing the test after a minute (a
// liveness bound, not a measurement).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within a minute", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lockedBuffer is a bytes.Buffer safe for a subprocess and a test to share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The real binary, started as an MCP client starts it (a subprocess
// speaking MCP on its standard input and output), serves every tool
// against the lab, refuses what it must and survives a cancelled call.
func TestMCPStdioSubprocess(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the plumb binary")
	}
	bin := filepath.Join(t.TempDir(), "plumb")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/plumb").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	l := startMCPLab(t)
	cmd := exec.Command(bin, append([]string{"mcp", "--allow-target", "*.vulnshop.test", "--allow-env", "LAB_TOKEN*"}, l.net...)...)
	for k, v := range l.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	s := &mcpSession{}
	client := sdk.NewClient(&sdk.Implementation{Name: "plumb-test", Version: "1"}, &sdk.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, req *sdk.ProgressNotificationClientRequest) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.progress = append(s.progress, req.Params)
		},
	})
	ctx := context.Background()
	var err error
	s.cs, err = client.Connect(ctx, &sdk.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connect: %v\n%s", err, stderr.String())
	}
	defer func() {
		if err := s.cs.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		if out := stderr.String(); !strings.Contains(out, "serving MCP on standard input and output") || strings.Contains(out, l.w.Vuln.Token) {
			t.Errorf("stderr:\n%s", out)
		}
	}()

	tools, err := s.cs.ListTools(ctx, nil)
	if err != nil || len(tools.Tools) != 5 {
		t.Fatalf("list tools: %v, %d tools", err, len(tools.Tools))
	}
	res := s.call(ctx, t, "audit_dns", map[string]any{"names": []string{"legacy-api.vulnshop.test"}}, nil)
	if r := structured[struct{ Results []dnsVerdict }](t, res).Results; res.IsError || len(r) != 1 || r[0].Status != "vulnerable" {
		t.Errorf("audit_dns: %s", textOf(res))
	}
	res = s.call(ctx, t, "analyse_spec", map[string]any{"path_or_url": l.w.Vuln.SpecURL}, nil)
	if res.IsError || structured[result.SpecInfo](t, res).Operations == 0 {
		t.Errorf("analyse_spec: %s", textOf(res))
	}
	codeDir, err := filepath.Abs("../code/testdata/node-vuln")
	if err != nil {
		t.Fatal(err)
	}
	res = s.call(ctx, t, "scan_code", map[string]any{"path": codeDir}, "code")
	if rep := structured[code.Report](t, res); res.IsError || len(rep.Findings) == 0 || codeHost(&rep, "metrics.vulnshop.test") == nil ||
		codeHost(&rep, "metrics.vulnshop.test").DNS.Status != "vulnerable" {
		t.Errorf("scan_code: %s", textOf(res))
	}
	if len(progressOf(s, "code")) == 0 {
		t.Error("no scan_code progress notification over stdio")
	}
	res = s.call(ctx, t, "explain_finding", map[string]any{"id": "dns.dangling-cname"}, nil)
	if res.IsError || !strings.Contains(textOf(res), "## How to fix") {
		t.Errorf("explain_finding: %s", textOf(res))
	}
	res = s.call(ctx, t, "scan_api", map[string]any{"url": l.w.Vuln.BaseURL, "bearer_env": "LAB_TOKEN", "bearer_env_b": "LAB_TOKEN_B"}, "scan")
	if rep := structured[result.Report](t, res); res.IsError || len(rep.Findings) == 0 || len(rep.Identities) == 0 {
		t.Errorf("scan_api: %s", textOf(res))
	}
	assertNoSecret(t, l, res, progressOf(s, "scan"))
	if len(progressOf(s, "scan")) == 0 {
		t.Error("no progress notification over stdio")
	}
	for _, args := range []map[string]any{
		{"url": l.w.Clean.BaseURL},
		{"url": l.w.Vuln.BaseURL, "allow_writes": true},
	} {
		if res := s.call(ctx, t, "scan_api", args, nil); !res.IsError || !strings.Contains(textOf(res), "refused") {
			t.Errorf("scan_api %v: %q, want a refusal", args, textOf(res))
		}
	}

	// A cancelled call returns at once and the server goes on serving.
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		_, err := s.cs.CallTool(cctx, &sdk.CallToolParams{Name: "scan_api", Arguments: map[string]any{"url": l.w.Vuln.BaseURL},
			Meta: sdk.Meta{"progressToken": "cancel-me"}})
		errc <- err
	}()
	waitFor(t, "a progress notification", func() bool { return len(progressOf(s, "cancel-me")) > 0 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled call: %v", err)
	}
	if res := s.call(ctx, t, "explain_finding", map[string]any{"id": "dns.lame-delegation"}, nil); res.IsError {
		t.Errorf("after a cancelled call: %s", textOf(res))
	}
}

// --http serves streamable HTTP on loopback; the SDK's client uses it, and
// the server stops when its context ends.
func TestMCPStreamableHTTP(t *testing.T) {
	t.Parallel()
	l := startMCPLab(t)
	var stderr lockedBuffer
	st := l.streams(nil)
	st.Err = &stderr
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	codec := make(chan int, 1)
	go func() {
		codec <- run(ctx, append([]string{"mcp", "--http", ":0", "--allow-target", "*.vulnshop.test"}, l.net...), st)
	}()
	const prefix = "serving MCP (streamable HTTP) at "
	var endpoint string
	waitFor(t, "the HTTP address on stderr", func() bool {
		_, rest, ok := strings.Cut(stderr.String(), prefix)
		endpoint, _, _ = strings.Cut(rest, "\n")
		return ok && strings.HasSuffix(endpoint, "/mcp")
	})
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") || strings.Contains(stderr.String(), "warning") {
		t.Errorf("endpoint %s; stderr:\n%s", endpoint, stderr.String())
	}
	client := sdk.NewClient(&sdk.Implementation{Name: "plumb-test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: endpoint}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &mcpSession{cs: cs}
	res := s.call(ctx, t, "audit_dns", map[string]any{"names": []string{"api.vulnshop.test"}}, nil)
	if r := structured[struct{ Results []dnsVerdict }](t, res).Results; res.IsError || len(r) != 1 || r[0].Status != "ok" {
		t.Errorf("audit_dns over HTTP: %s", textOf(res))
	}
	_ = cs.Close()
	cancel()
	if code := <-codec; code != ExitOK {
		t.Errorf("plumb mcp --http exited %d: %s", code, stderr.String())
	}
}

// Bad flags are usage errors at start, before any client connects.
func TestMCPUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"mcp", "--allow-target", "a b"},
		{"mcp", "--allow-target", "host:99999"},
		{"mcp", "--allow-env", "A=B"},
		{"mcp", "--cacert", filepath.Join(t.TempDir(), "missing.pem")},
		{"mcp", "--callback-url", "not-a-url"},
		{"mcp", "extra-argument"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, &Streams{In: strings.NewReader(""), Out: &out, Err: &errb, LookupEnv: os.LookupEnv})
		if code != ExitUsage || out.Len() != 0 {
			t.Errorf("plumb %v: exit %d, stdout %q, stderr %q", args, code, out.String(), errb.String())
		}
	}
}
