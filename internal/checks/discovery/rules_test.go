package discovery

import (
	"html"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Every rule carries samples; each positive must yield its host through
// that rule, each negative must yield nothing from any rule.
func TestErrorRuleSamples(t *testing.T) {
	t.Parallel()
	if len(errorRules) < 8 {
		t.Fatalf("only %d rules", len(errorRules))
	}
	for _, r := range errorRules {
		for sample := range r.Positive {
			if !strings.Contains(html.UnescapeString(sample), r.Needle) || r.Needle == "" {
				t.Errorf("rule %s: positive %q lacks the needle %q", r.Name, sample, r.Needle)
			}
		}
		if r.re == nil || len(r.Positive) == 0 || len(r.Negative) == 0 || r.Stack == "" {
			t.Errorf("rule %s: needs a compiled pattern, a stack, positive and negative samples", r.Name)
		}
		for sample, want := range r.Positive {
			var got []string
			for _, l := range upstreamHosts([]byte(sample)) {
				if l.Rule == r.Name {
					got = append(got, l.Host)
				}
			}
			if !slices.Contains(got, want) {
				t.Errorf("rule %s: %q gave %v, want %s", r.Name, sample, got, want)
			}
		}
		for _, sample := range r.Negative {
			if got := upstreamHosts([]byte(sample)); len(got) != 0 {
				t.Errorf("rule %s: negative %q matched %+v", r.Name, sample, got)
			}
		}
	}
}

func TestUpstreamHostsBodies(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"werkzeug_500.html": {"metrics.internal.example-corp.io"},
		"go_error.json":     {"inventory.svc-prod.io"},
		"java_trace.txt":    {"ledger.bank-internal.io"},
		"node_links.json":   {"search.shop-backend.io"},
		"clean.json":        nil,
		"generic_500.html":  nil,
	}
	for name, want := range cases {
		b, err := os.ReadFile(filepath.Join("testdata", "bodies", name))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range upstreamHosts(b) {
			got = append(got, l.Host)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
}

func TestValidHost(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Metrics.Vulnshop.Test.": "metrics.vulnshop.test",
		"api.example.io":         "api.example.io",
		"8.8.8.8":                "8.8.8.8",
		"[2001:4860::8888]":      "2001:4860::8888",
		"10.0.0.1":               "",
		"192.168.1.10":           "",
		"127.0.0.1":              "",
		"::1":                    "",
		"169.254.169.254":        "",
		"localhost":              "",
		"redis":                  "",
		"example.com":            "",
		"foo.example":            "",
		"db.local":               "",
		"a..b":                   "",
		"-bad.io":                "",
		"x.y%2f.io":              "",
		"10.0.0":                 "",
		"":                       "",
	} {
		got, ok := ValidHost(in)
		if got != want || ok != (want != "") {
			t.Errorf("ValidHost(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
