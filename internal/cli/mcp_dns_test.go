package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/mcp"
	"github.com/plumbsec/plumb/internal/result"
)

// auditDNSOut is audit_dns's structured result.
type auditDNSOut struct {
	Notices []dnsaudit.Notice
	Results []dnsVerdict
}

func (o auditDNSOut) verdict(name string) dnsVerdict {
	if i := slices.IndexFunc(o.Results, func(v dnsVerdict) bool { return v.Name == name }); i >= 0 {
		return o.Results[i]
	}
	return dnsVerdict{}
}

func (v dnsVerdict) has(id string) bool {
	return slices.ContainsFunc(v.Findings, func(f struct {
		ID string `json:"id"`
	}) bool {
		return f.ID == id
	})
}

// audit_dns takes plumb dns's record types: MX finds the lab's apex whose
// mail goes to an unregistered domain (its twin stays ok), TXT finds an SPF
// include there that the default types leave alone, and a type plumb dns
// does not know is refused.
func TestMCPAuditDNSRecordTypes(t *testing.T) {
	t.Parallel()
	l := startMCPLab(t)
	var errb bytes.Buffer
	s := connectMCP(t, l.streams(&errb), append(slices.Clone(l.net), "--allow-target", "*.test")...)
	ctx := context.Background()
	audit := func(t *testing.T, names []string, types []string) auditDNSOut {
		t.Helper()
		args := map[string]any{"names": names}
		if types != nil {
			args["types"] = types
		}
		res := s.call(ctx, t, "audit_dns", args, nil)
		if err := <-s.calls; err != nil || res.IsError {
			t.Fatalf("audit_dns %v types %v ended with %v: %s", names, types, err, textOf(res))
		}
		return structured[auditDNSOut](t, res)
	}

	names := []string{lab.MailRotZone, lab.MailOKZone, lab.SPFRotHost}
	mx := audit(t, names, []string{"MX"})
	if v := mx.verdict(lab.MailRotZone); v.Status != "vulnerable" || !v.has(dnsaudit.IDDanglingMX) {
		t.Errorf("types MX, %s: %+v, want vulnerable with %s", lab.MailRotZone, v, dnsaudit.IDDanglingMX)
	}
	if v := mx.verdict(lab.MailOKZone); v.Status != "ok" || len(v.Findings) != 0 {
		t.Errorf("types MX, the healthy twin %s: %+v", lab.MailOKZone, v)
	}
	if len(mx.Notices) != 0 {
		t.Errorf("honest resolver, notices %+v", mx.Notices)
	}
	// The same names through plumb dns --types MX.
	var cli []dnsVerdict
	l.runJSON(t, &cli, append(append([]string{"dns", "--format", "json", "--types", "MX"}, l.net...), names...)...)
	for _, c := range cli {
		if v := mx.verdict(c.Name); v.Status != c.Status || len(v.Findings) != len(c.Findings) {
			t.Errorf("%s over MCP %+v, plumb dns --types MX %+v", c.Name, v, c)
		}
	}

	// Types are the call's: TXT finds the SPF include the defaults skip,
	// and without MX the apex's mail is not looked at.
	def := audit(t, names, nil)
	txt := audit(t, names, []string{"A", "TXT"})
	if v := def.verdict(lab.SPFRotHost); v.has(dnsaudit.IDDanglingSPF) {
		t.Errorf("default types audit TXT: %+v", v)
	}
	if v := txt.verdict(lab.SPFRotHost); v.Status != "vulnerable" || !v.has(dnsaudit.IDDanglingSPF) {
		t.Errorf("types A,TXT, %s: %+v, want vulnerable with %s", lab.SPFRotHost, v, dnsaudit.IDDanglingSPF)
	}
	if v := txt.verdict(lab.MailRotZone); v.has(dnsaudit.IDDanglingMX) || v.Status == "vulnerable" {
		t.Errorf("types A,TXT audit MX: %+v", v)
	}
	if v := def.verdict(lab.MailRotZone); !v.has(dnsaudit.IDDanglingMX) {
		t.Errorf("the default types (MX among them), %s: %+v", lab.MailRotZone, v)
	}

	for _, bad := range [][]string{{"PTR"}, {}} {
		res, err := s.cs.CallTool(ctx, &sdk.CallToolParams{Name: "audit_dns", Arguments: map[string]any{"names": names, "types": bad}})
		ended := <-s.calls
		msg := fmt.Sprint(err)
		if err == nil {
			msg = textOf(res)
		}
		if ended == nil || !strings.Contains(msg, "types") {
			t.Errorf("types %v: %v; %s", bad, ended, msg)
		}
		t.Logf("types %v: %s", bad, msg)
	}
}

// A resolver that rewrites NXDOMAIN is dropped, and audit_dns says so in
// its structured result and its summary, as plumb dns does on stderr and
// in {"notice": ...} lines; when it was the only one, names are resolved
// from the roots and that is said too. The verdicts stay right.
func TestMCPAuditDNSNotices(t *testing.T) {
	t.Parallel()
	l := startMCPLab(t)
	rest := l.net[slices.Index(l.net, "--resolver")+2:] // l.net without its --resolver
	for _, tc := range []struct {
		name      string
		resolvers []string
		kinds     []string
	}{
		{"one of two resolvers lies", []string{l.w.RewritingResolverAddr, l.w.DNSAddr}, []string{dnsaudit.NoticeResolverDropped}},
		{"the only resolver lies", []string{l.w.RewritingResolverAddr}, []string{dnsaudit.NoticeResolverDropped, dnsaudit.NoticeIterative}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var args []string
			for _, r := range tc.resolvers {
				args = append(args, "--resolver", r)
			}
			var errb bytes.Buffer
			s := connectMCP(t, l.streams(&errb), append(append(args, rest...), "--allow-target", "*.test")...)
			names := []string{lab.MailRotZone, "nothere.vulnshop.test", "api.vulnshop.test"}
			res := s.call(context.Background(), t, "audit_dns", map[string]any{"names": names}, nil)
			if err := <-s.calls; err != nil || res.IsError {
				t.Fatalf("audit_dns ended with %v: %s", err, textOf(res))
			}
			out := structured[auditDNSOut](t, res)
			var kinds []string
			for _, n := range out.Notices {
				kinds = append(kinds, n.Kind)
			}
			if !slices.Equal(kinds, tc.kinds) || out.Notices[0].Server != l.w.RewritingResolverAddr ||
				!strings.Contains(out.Notices[0].Reason, "rewrites NXDOMAIN") || len(out.Notices[0].Evidence) == 0 {
				t.Fatalf("notices %+v, want %v about %s", out.Notices, tc.kinds, l.w.RewritingResolverAddr)
			}
			txt := textOf(res)
			if !strings.Contains(txt, "Notice: resolver "+l.w.RewritingResolverAddr+" dropped: it rewrites NXDOMAIN") {
				t.Errorf("the summary does not name the dropped resolver:\n%s", txt)
			}
			if iter := slices.Contains(tc.kinds, dnsaudit.NoticeIterative); iter != strings.Contains(txt, "resolving each name from the root servers") {
				t.Errorf("iterative %v; summary:\n%s", iter, txt)
			}
			for name, want := range map[string]string{lab.MailRotZone: "vulnerable", "nothere.vulnshop.test": "unresolved", "api.vulnshop.test": "ok"} {
				if v := out.verdict(name); v.Status != want {
					t.Errorf("%s: %+v, want %s", name, v, want)
				}
			}
		})
	}
}

// plumb mcp --resolver iterative audits as plumb dns --resolver iterative
// does. The servers it asks (roots, then the authorities they delegate
// to) are its configured resolvers, but --allow-target still decides which
// names: a name outside it is refused before any packet is sent. Scans and
// documents from URLs need a recursive resolver and say so; a local
// document is still analysed.
func TestMCPIterative(t *testing.T) {
	t.Parallel()
	l := startMCPLab(t)
	args := []string{"--resolver", "iterative"}
	args = append(args, l.net[slices.Index(l.net, "--resolver")+2:]...)
	var errb bytes.Buffer
	st := l.streams(&errb)
	s := connectMCP(t, st, append(slices.Clone(args), "--allow-target", "*.vulnshop.test", "--allow-target", lab.MailRotZone)...)
	ctx := context.Background()

	names := []string{"legacy-api.vulnshop.test", "nothere.vulnshop.test", "api.vulnshop.test", lab.MailRotZone}
	before := l.w.DNS.Queries()
	res := s.call(ctx, t, "audit_dns", map[string]any{"names": names}, nil)
	if err := <-s.calls; err != nil || res.IsError {
		t.Fatalf("audit_dns ended with %v: %s", err, textOf(res))
	}
	if l.w.DNS.Queries() == before {
		t.Fatal("the iterative audit sent the lab's authority no query")
	}
	out := structured[auditDNSOut](t, res)
	var cli []dnsVerdict
	l.runJSON(t, &cli, append(append([]string{"dns", "--format", "json"}, args...), names...)...)
	for _, c := range cli {
		if v := out.verdict(c.Name); v.Status != c.Status || len(v.Findings) != len(c.Findings) || v.Status == "" || v.Status == "error" {
			t.Errorf("%s over MCP %+v, plumb dns --resolver iterative %+v", c.Name, v, c)
		}
	}
	if v := out.verdict(lab.MailRotZone); v.Status != "vulnerable" {
		t.Errorf("%s from the roots: %+v", lab.MailRotZone, v)
	}
	if !strings.Contains(textOf(res), "resolved from the root servers") {
		t.Errorf("the summary does not say how names were resolved:\n%s", textOf(res))
	}

	// A name outside --allow-target: refused, and not a packet.
	before = l.w.DNS.Queries()
	res = s.call(ctx, t, "audit_dns", map[string]any{"names": []string{"api.vulnshop.test", "api.cleanshop.test"}}, nil)
	if err := <-s.calls; !errors.Is(err, mcp.ErrNotAllowed) || !strings.Contains(textOf(res), `name "api.cleanshop.test" refused`) {
		t.Errorf("a name outside --allow-target: %v, %s", err, textOf(res))
	}
	if n := l.w.DNS.Queries() - before; n != 0 {
		t.Errorf("the refused call sent %d queries", n)
	}

	// HTTP needs a recursive resolver.
	for tool, a := range map[string]map[string]any{"scan_api": {"url": l.w.Vuln.BaseURL}, "analyse_spec": {"path_or_url": l.w.Vuln.SpecURL}} {
		res := s.call(ctx, t, tool, a, nil)
		if err := <-s.calls; !errors.Is(err, mcp.ErrNeedsResolver) || !strings.Contains(textOf(res), "--resolver iterative") {
			t.Errorf("%s on an iterative server: %v, %s", tool, err, textOf(res))
		}
	}
	if n := len(l.w.Vuln.Methods.Records()); n != 0 {
		t.Errorf("the API received %d requests", n)
	}
	file := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(file, l.w.Vuln.Spec, 0o600); err != nil {
		t.Fatal(err)
	}
	res = s.call(ctx, t, "analyse_spec", map[string]any{"path_or_url": file}, nil)
	if err := <-s.calls; err != nil || structured[result.SpecInfo](t, res).Operations == 0 {
		t.Errorf("analyse_spec of a local file: %v %s", err, textOf(res))
	}

	// A server with a resolver audits from the roots when a call asks.
	var errb2 bytes.Buffer
	s2 := connectMCP(t, l.streams(&errb2), append(slices.Clone(l.net), "--allow-target", lab.MailRotZone)...)
	res = s2.call(ctx, t, "audit_dns", map[string]any{"names": []string{lab.MailRotZone}, "resolver": "iterative"}, nil)
	if err := <-s2.calls; err != nil || structured[auditDNSOut](t, res).verdict(lab.MailRotZone).Status != "vulnerable" ||
		!strings.Contains(textOf(res), "resolved from the root servers") {
		t.Errorf("resolver iterative in a call: %v %s", err, textOf(res))
	}
}

// plumb mcp refuses --resolver iterative next to a resolver address, or
// without root servers, at start, as plumb dns does.
func TestMCPIterativeFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--resolver", "iterative", "--resolver", "127.0.0.1:53"},
		{"--resolver", "iterative", "--dns-root", "none"},
	} {
		f := &mcpFlags{}
		var errb bytes.Buffer
		st := &Streams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &errb, LookupEnv: func(string) (string, bool) { return "", false }}
		if err := f.command(st).ParseFlags(args); err != nil {
			t.Fatal(err)
		}
		_, _, err := f.server(st)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "iterative") {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}
