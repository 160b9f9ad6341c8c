package fingerprints

import (
	"strings"
	"testing"
)

func mustLoad(t testing.TB) *DB {
	t.Helper()
	db, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return db
}

func TestLoadEmbedded(t *testing.T) {
	t.Parallel()
	db := mustLoad(t)
	if n := len(db.Services()); n < 50 {
		t.Fatalf("only %d services loaded", n)
	}
	again, _ := Load()
	if again != db {
		t.Fatal("Load is not memoized")
	}
	if db.Schema() != SchemaVersion || db.Updated() == "" {
		t.Fatalf("schema %q updated %q", db.Schema(), db.Updated())
	}
	if db.Service("github-pages") == nil || db.Service("no-such-service") != nil {
		t.Fatal("Service lookup by id is wrong")
	}
}

// A minimal valid document; the error cases below each break one thing.
const minimalDoc = `schema: plumb-fingerprints/v1
updated: 2026-01-01
sources:
  s: {name: Source, license: MIT}
services:
- id: demo
  name: Demo
  category: saas
  status: vulnerable
  status_date: 2026-01-01
  cname_suffixes: [demo.example]
  http:
  - {id: m, body: [Demo workspace missing], confidence: high}
  provenance:
  - {source: s, facts: [cname]}
`

func TestParseErrorsNameTheEntry(t *testing.T) {
	t.Parallel()
	if _, err := parse([]byte(minimalDoc)); err != nil {
		t.Fatalf("minimal document: %v", err)
	}
	cases := []struct{ name, old, new, want string }{
		{"bad body regex", "body: [Demo workspace missing]", "body: [Demo workspace missing], body_regex: '(['", `service "demo"`},
		{"unanchored pattern", "cname_suffixes: [demo.example]", "cname_patterns: [{suffix: example, regex: 'demo'}]", "anchored"},
		{"bad pattern regex", "cname_suffixes: [demo.example]", "cname_patterns: [{suffix: example, regex: '^(demo$'}]", `service "demo"`},
		{"generic matcher", "body: [Demo workspace missing]", "body: [404 Not Found], status: [404]", "no specific token"},
		{"generic body_any", "body: [Demo workspace missing]", "body_any: [Demo workspace missing, Page not found]", "no specific token"},
		{"status only", "body: [Demo workspace missing]", "status: [404]", "no specific token"},
		{"unknown source", "source: s,", "source: nope,", "unknown source"},
		{"no provenance", "  provenance:\n  - {source: s, facts: [cname]}\n", "", "no provenance"},
		{"bad status", "status: vulnerable", "status: maybe", "status"},
		{"bad category", "category: saas", "category: paas", "category"},
		{"leading dot suffix", "[demo.example]", "[.demo.example]", "suffix"},
		{"one-label suffix", "[demo.example]", "[example]", "labels"},
		{"no identity", "  cname_suffixes: [demo.example]\n", "", "no identification"},
		{"random but vulnerable", "status: vulnerable", "status: vulnerable\n  random_id_names: true", "contradicts"},
		{"unknown field", "status: vulnerable", "status: vulnerable\n  statuss: x", `unknown field "statuss" (known: id, name,`},
		{"duplicate id", "  provenance:\n  - {source: s, facts: [cname]}\n", "  provenance:\n  - {source: s, facts: [cname]}\n" + strings.SplitN(minimalDoc, "services:\n", 2)[1], "duplicate"},
		{"bad cidr", "cname_suffixes: [demo.example]", "ip_ranges: [10.0.0.1/8]", "host bits"},
		{"bad claim regex", "status_date: 2026-01-01", "status_date: 2026-01-01\n  claim: {claimable_regex: '^(x$'}", "claimable_regex"},
		{"ns on saas", "cname_suffixes: [demo.example]", "ns_suffixes: [ns.demo.example]", "dns-provider"},
		{"schema", "plumb-fingerprints/v1", "v0", "schema"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			doc := strings.Replace(minimalDoc, c.old, c.new, 1)
			if doc == minimalDoc {
				t.Fatalf("replacement %q not applied", c.old)
			}
			_, err := parse([]byte(doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}
