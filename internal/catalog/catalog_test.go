package catalog_test

import (
	"context"
	"errors"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/catalog"
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
)

// The shipped catalog has no problem: rule ids unique and category.name
// with their category as prefix, titles, descriptions and severities set,
// OWASP ids and CWEs well-formed, aliases leading to existing ids.
func TestCatalogIsValid(t *testing.T) {
	t.Parallel()
	cat := catalog.Default()
	for _, err := range cat.Validate() {
		t.Error(err)
	}
	if n := len(cat.Rules()); n < 80 {
		t.Errorf("%d rules; the checks emit more than 80", n)
	}
	ids := map[string]bool{}
	for _, r := range cat.Rules() {
		if ids[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		ids[r.ID] = true
		if prefix, _, _ := strings.Cut(r.ID, "."); prefix != string(r.Category) {
			t.Errorf("rule %s: prefix %s is not its category %s", r.ID, prefix, r.Category)
		}
		if r.Title == "" || r.Description == "" {
			t.Errorf("rule %s: no title or description", r.ID)
		}
	}
	for _, m := range cat.Metas() {
		if prefix, _, _ := strings.Cut(m.ID, "."); prefix != string(m.Category) {
			t.Errorf("check %s: prefix %s is not its category %s", m.ID, prefix, m.Category)
		}
	}
	for _, c := range finding.Categories {
		if len(cat.RulesIn(c)) == 0 {
			t.Errorf("category %s has no rule", c)
		}
	}
}

// fake is a check with made-up metadata, to prove Validate catches each
// kind of problem.
type fake struct{ m check.Meta }

func (f fake) Meta() check.Meta { return f.m }
func (fake) Run(context.Context, *check.Input) ([]finding.Finding, error) {
	return nil, nil
}

func TestValidateCatchesBadRules(t *testing.T) {
	t.Parallel()
	good := check.Rule{ID: "ssrf.ok", Title: "t", Description: "d", Severity: finding.Low}
	with := func(mod func(*check.Rule)) check.Meta {
		r := good
		mod(&r)
		return check.Meta{ID: "ssrf.check", Category: finding.CatSSRF, Rules: []check.Rule{r}}
	}
	tests := map[string]struct {
		checks []check.Check
		want   string
	}{
		"malformed id":      {[]check.Check{fake{with(func(r *check.Rule) { r.ID = "ssrf.Bad_Name" })}}, "not category.kebab-name"},
		"no name":           {[]check.Check{fake{with(func(r *check.Rule) { r.ID = "ssrf" })}}, "not category.kebab-name"},
		"prefix differs":    {[]check.Check{fake{with(func(r *check.Rule) { r.ID = "input.thing" })}}, "is not its category"},
		"no title":          {[]check.Check{fake{with(func(r *check.Rule) { r.Title = " " })}}, "no title"},
		"no description":    {[]check.Check{fake{with(func(r *check.Rule) { r.Description = "" })}}, "no description"},
		"severity":          {[]check.Check{fake{with(func(r *check.Rule) { r.Severity = 9 })}}, "severity"},
		"unknown OWASP":     {[]check.Check{fake{with(func(r *check.Rule) { r.OWASP = "API11:2023" })}}, "unknown OWASP API id"},
		"unknown OWASP LLM": {[]check.Check{fake{with(func(r *check.Rule) { r.OWASPLLM = "LLM11:2025" })}}, "unknown OWASP LLM id"},
		"bad CWE":           {[]check.Check{fake{with(func(r *check.Rule) { r.CWE = "cwe 79" })}}, "is not CWE-N"},
		"unknown category":  {[]check.Check{fake{check.Meta{ID: "xss.a", Category: "xss", Title: "t", Description: "d"}}}, "unknown category"},
		"check prefix":      {[]check.Check{fake{check.Meta{ID: "dns.a", Category: finding.CatSSRF, Rules: check.NoRules}}}, "is not its category"},
		"rule twice": {[]check.Check{fake{with(func(*check.Rule) {})},
			fake{check.Meta{ID: "ssrf.other", Category: finding.CatSSRF, Rules: []check.Rule{good}}}}, "emitted by ssrf.check and ssrf.other"},
		"check twice": {[]check.Check{fake{with(func(*check.Rule) {})}, fake{with(func(r *check.Rule) { r.ID = "ssrf.x" })}}, "listed twice"},
		"check is another's rule": {[]check.Check{fake{with(func(*check.Rule) {})},
			fake{check.Meta{ID: "ssrf.ok", Category: finding.CatSSRF, Rules: check.NoRules}}}, "is also a rule of ssrf.check"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var msgs []string
			for _, err := range catalog.New(tt.checks).Validate() {
				msgs = append(msgs, err.Error())
			}
			if !strings.Contains(strings.Join(msgs, "\n"), tt.want) {
				t.Errorf("Validate() = %q, want a problem saying %q", msgs, tt.want)
			}
		})
	}
	if errs := catalog.New([]check.Check{fake{with(func(*check.Rule) {})}}).Validate(); !slices.ContainsFunc(errs, func(err error) bool {
		return strings.Contains(err.Error(), "alias")
	}) {
		t.Error("a catalog without the renamed ids' targets must report its aliases as leading nowhere")
	}
}

// A check without Rules emits one rule, itself; listed rules inherit the
// check's category, OWASP id and CWE; NoRules emits nothing.
func TestEmits(t *testing.T) {
	t.Parallel()
	m := check.Meta{ID: "ssrf.a", Title: "A", Category: finding.CatSSRF, OWASP: "API7:2023", CWE: "CWE-918", Severity: finding.High,
		Description: "d", Remediation: finding.Remediation{Summary: "fix"}}
	got := m.Emits()
	if len(got) != 1 || got[0].ID != "ssrf.a" || got[0].Check != "ssrf.a" || got[0].Remediation.Summary != "fix" || got[0].Severity != finding.High {
		t.Errorf("single rule = %+v", got)
	}
	m.Rules = []check.Rule{{ID: "ssrf.b"}, {ID: "ssrf.c", CWE: "CWE-1"}}
	got = m.Emits()
	if len(got) != 2 || got[0].Category != finding.CatSSRF || got[0].OWASP != "API7:2023" || got[0].CWE != "CWE-918" ||
		got[1].CWE != "CWE-1" || got[1].Check != "ssrf.a" {
		t.Errorf("listed rules = %+v", got)
	}
	m.Rules = check.NoRules
	if got := m.Emits(); len(got) != 0 {
		t.Errorf("NoRules emits %+v", got)
	}
}

func TestLookups(t *testing.T) {
	t.Parallel()
	cat := catalog.Default()
	if r, ok := cat.Rule("dns.dangling-cname"); !ok || r.Check != "dns.resolution" || r.Severity != finding.Critical {
		t.Errorf("Rule(dns.dangling-cname) = %+v, %v", r, ok)
	}
	for old, cur := range catalog.Aliases() {
		r, ok := cat.Rule(old)
		if !ok || r.ID != cur {
			t.Errorf("Rule(%s) = %q, %v; want %s", old, r.ID, ok, cur)
		}
		if m, ok := cat.Check(old); !ok || m.ID != cur {
			t.Errorf("Check(%s) = %q, %v; want %s", old, m.ID, ok, cur)
		}
	}
	if _, ok := cat.Rule("dns.resolution"); ok {
		t.Error("dns.resolution is a check, not a rule")
	}
	if n := len(cat.RulesOf("dns.resolution")); n != 10 {
		t.Errorf("dns.resolution emits %d rules, want 10", n)
	}
	if n := len(cat.RulesOf("inventory.wire-hosts")); n != 0 {
		t.Errorf("inventory.wire-hosts emits %d rules, want none", n)
	}
	if rs := cat.RulesOf("input.stack-trace"); len(rs) != 1 || rs[0].ID != "input-validation.stack-trace" {
		t.Errorf("RulesOf(old id) = %+v", rs)
	}
	for _, r := range cat.RulesIn(finding.CatLLM) {
		if !strings.HasPrefix(r.ID, "llm.") || r.Check != "llm.endpoint-security" || r.CWE != "CWE-1427" {
			t.Errorf("LLM rule %+v", r)
		}
	}
	if n := len(cat.RulesIn(finding.CatLLM)); n < 20 {
		t.Errorf("%d LLM rules; the probe catalog has more than 20", n)
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	cat := catalog.Default()
	tests := map[string][]string{
		"dns.dangling-cname": {"# dns.dangling-cname: Dangling CNAME", "Check: dns.resolution", "## What it finds",
			"## Why it matters", "OWASP API8:2023 Security Misconfiguration", "cwe.mitre.org/data/definitions/350.html",
			"## How plumb tests it", "## How to fix", "```go\n", "References:"},
		"input.sql-error":      {"# input-validation.sql-error:", "Formerly: input.sql-error", "## How to fix"},
		"llm.auth.any-key":     {"OWASP LLM10:2025 Unbounded Consumption", "CWE-1427"},
		"dns.resolution":       {"(check)", "## Rules it reports", "- dns.lame-delegation (critical)"},
		"inventory.wire-hosts": {"reports no finding itself"},
	}
	for id, wants := range tests {
		var b strings.Builder
		if err := cat.Explain(&b, id); err != nil {
			t.Fatalf("Explain(%s): %v", id, err)
		}
		for _, want := range wants {
			if !strings.Contains(b.String(), want) {
				t.Errorf("Explain(%s) lacks %q:\n%s", id, want, b.String())
			}
		}
	}
	var ue *catalog.UnknownIDError
	if err := cat.Explain(&strings.Builder{}, "dns.nope"); !errors.As(err, &ue) {
		t.Errorf("Explain(unknown) = %v", err)
	}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	cat := catalog.Default()
	tests := []struct {
		only, skip []string
		rulesOn    []string
		rulesOff   []string
		checksOn   []string
		checksOff  []string
	}{
		{only: []string{"dns.*"}, rulesOn: []string{"dns.dangling-cname", "dns.lookup-failed"},
			rulesOff: []string{"encryption.hsts-missing"}, checksOn: []string{"dns.resolution", "inventory.wire-hosts"},
			checksOff: []string{"encryption.hsts-missing", "llm.endpoint-security"}},
		{only: []string{"dns.resolution"}, skip: []string{"dns.lookup-failed"}, rulesOn: []string{"dns.unclaimed-service"},
			rulesOff: []string{"dns.lookup-failed"}, checksOn: []string{"dns.resolution"}},
		{only: []string{"encryption"}, rulesOn: []string{"encryption.tls-weak-cipher"}, checksOff: []string{"inventory.wire-hosts", "dns.resolution"}},
		{skip: []string{"llm", "inventory.wire-hosts"}, rulesOn: []string{"bola.object-level-authorization"},
			rulesOff: []string{"llm.auth.any-key"}, checksOff: []string{"llm.endpoint-security", "inventory.wire-hosts"},
			checksOn: []string{"dns.resolution"}},
		// Former ids select the renamed rules and checks.
		{only: []string{"input.*"}, rulesOn: []string{"input-validation.sql-error"}, checksOn: []string{"input-validation.stack-trace"},
			rulesOff: []string{"property-authorization.mass-assignment"}},
		{skip: []string{"property.mass-assignment"}, rulesOff: []string{"property-authorization.mass-assignment"},
			checksOff: []string{"property-authorization.mass-assignment"}, checksOn: []string{"property-authorization.sensitive-fields"}},
		// A check runs when any of its rules is selected.
		{only: []string{"llm.auth.any-key"}, rulesOff: []string{"llm.endpoint"}, checksOn: []string{"llm.endpoint-security"}},
		{only: []string{"*.cors-null-origin", "authentication.open-redirect"}, rulesOn: []string{"authentication.open-redirect"},
			rulesOff: []string{"authentication.cross-origin-redirect"}, checksOn: []string{"data-exposure.cors", "authentication.redirects"}},
	}
	for _, tt := range tests {
		s, err := cat.Select(tt.only, tt.skip)
		if err != nil {
			t.Fatalf("Select(%q, %q): %v", tt.only, tt.skip, err)
		}
		for _, id := range tt.rulesOn {
			if !s.Rule(id) {
				t.Errorf("only %q skip %q: rule %s not selected", tt.only, tt.skip, id)
			}
			if !s.Rule(oldOf(id)) {
				t.Errorf("only %q skip %q: rule %s by its former id not selected", tt.only, tt.skip, id)
			}
		}
		for _, id := range tt.rulesOff {
			if s.Rule(id) {
				t.Errorf("only %q skip %q: rule %s selected", tt.only, tt.skip, id)
			}
		}
		for _, id := range tt.checksOn {
			if m, _ := cat.Check(id); !s.Check(m) {
				t.Errorf("only %q skip %q: check %s does not run", tt.only, tt.skip, id)
			}
		}
		for _, id := range tt.checksOff {
			if m, _ := cat.Check(id); s.Check(m) {
				t.Errorf("only %q skip %q: check %s runs", tt.only, tt.skip, id)
			}
		}
	}
}

func oldOf(id string) string {
	for old, cur := range catalog.Aliases() {
		if cur == id {
			return old
		}
	}
	return id
}

func TestSelectRejectsUnknownPatterns(t *testing.T) {
	t.Parallel()
	cat := catalog.Default()
	for _, tt := range []struct {
		only, skip []string
		list, pat  string
		err        error
	}{
		{only: []string{"dns.*", "nope.*"}, list: "only", pat: "nope.*", err: catalog.ErrNoMatch},
		{skip: []string{"dns.dangling"}, list: "skip", pat: "dns.dangling", err: catalog.ErrNoMatch},
		{only: []string{"dns.[a"}, list: "only", pat: "dns.[a", err: path.ErrBadPattern},
	} {
		_, err := cat.Select(tt.only, tt.skip)
		var pe *catalog.PatternError
		if !errors.As(err, &pe) || pe.List != tt.list || pe.Pattern != tt.pat || !errors.Is(err, tt.err) {
			t.Errorf("Select(%q, %q) = %v; want a %s error on %q", tt.only, tt.skip, err, tt.list, tt.pat)
		}
	}
	if _, err := cat.Select([]string{" dns.* ", ""}, nil); err != nil {
		t.Errorf("blank patterns and spaces: %v", err)
	}
}

func TestInfos(t *testing.T) {
	t.Parallel()
	cat := catalog.Default()
	infos := cat.Infos()
	if len(infos) != len(cat.Metas()) {
		t.Fatalf("%d infos for %d checks", len(infos), len(cat.Metas()))
	}
	r, ok := cat.RuleInfo("input.stack-trace")
	if !ok || r.ID != "input-validation.stack-trace" || r.Severity == "" || len(r.Formerly) == 0 || r.Formerly[0] != "input.stack-trace" {
		t.Errorf("RuleInfo(former id) = %+v, %v", r, ok)
	}
	c, ok := cat.CheckInfo("dns.resolution")
	if !ok || len(c.Rules) != 10 || c.Single() {
		t.Errorf("CheckInfo(dns.resolution) = %d rules, single %v, %v", len(c.Rules), c.Single(), ok)
	}
	if _, ok := cat.RuleInfo("no.such-rule"); ok {
		t.Error("RuleInfo found an unknown id")
	}
}
