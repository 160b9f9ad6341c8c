package discovery

import (
	"html"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/rules"
)

func errorRules(tb testing.TB) *rules.Pack {
	tb.Helper()
	p, err := rules.Load(errorPack)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// wantHost is the host a positive sample must yield: its expected host
// capture, or the host of its expected URL.
func wantHost(s rules.Sample) string {
	if u := s.Expect["url"]; u != "" {
		h, _ := hostOfURL(u)
		return h
	}
	return s.Expect["host"]
}

// Every rule carries samples; each positive must yield its host through
// that rule, each negative must yield nothing from any rule.
func TestErrorRuleSamples(t *testing.T) {
	t.Parallel()
	p := errorRules(t)
	if len(p.Rules) < 8 {
		t.Fatalf("only %d rules", len(p.Rules))
	}
	for _, r := range p.Rules {
		for _, sample := range r.Positive {
			if len(r.Keywords) == 0 || !strings.Contains(html.UnescapeString(sample.Text), r.Keywords[0]) {
				t.Errorf("rule %s: positive %q lacks the needle %v", r.ID, sample.Text, r.Keywords)
			}
		}
		if len(r.Positive) == 0 || len(r.Negative) == 0 || r.Meta["stack"] == "" {
			t.Errorf("rule %s: needs a stack, positive and negative samples", r.ID)
		}
		for _, sample := range r.Positive {
			want := wantHost(sample)
			var got []string
			for _, l := range upstreamHosts(p, []byte(sample.Text)) {
				if l.Rule == r.ID {
					got = append(got, l.Host)
				}
			}
			if want == "" || !slices.Contains(got, want) {
				t.Errorf("rule %s: %q gave %v, want %s", r.ID, sample.Text, got, want)
			}
		}
		for _, sample := range r.Negative {
			if got := upstreamHosts(p, []byte(sample.Text)); len(got) != 0 {
				t.Errorf("rule %s: negative %q matched %+v", r.ID, sample.Text, got)
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
	p := errorRules(t)
	for name, want := range cases {
		b, err := os.ReadFile(filepath.Join("testdata", "bodies", name))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range upstreamHosts(p, b) {
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
