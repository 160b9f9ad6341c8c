package rules

import (
	"errors"
	"strings"
	"testing"
)

const head = "schema: plumb-rules/v1\npack: demo\nkind: pattern\nrules:\n"

// Every flaw is an *Error naming the pack, the rule and the field.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	ok := "  - id: a\n    title: A\n    pattern: 'a+'\n    positive: [aa]\n    negative: [b]\n"
	for _, tc := range []struct {
		name, yaml, rule, field, msg string
	}{
		{"syntax", "{", "", "", "yaml"},
		{"unknown top-level field", head + ok + "extra: 1\n", "", "", "extra"},
		{"two documents", head + ok + "---\n" + head + ok, "", "", "more than one"},
		{"schema", strings.Replace(head, "v1", "v9", 1) + ok, "", "schema", "want"},
		{"pack name", strings.Replace(head, "demo", "Demo Pack", 1) + ok, "", "pack", "name"},
		{"kind", strings.Replace(head, "pattern", "regex", 1) + ok, "", "kind", "want pattern"},
		{"no rules", strings.TrimSuffix(head, "rules:\n"), "", "rules", "no rules"},
		{"not a mapping", head + "  - just a string\n", "rules[0]", "", "mapping"},
		{"unknown field", head + "  - id: a\n    title: A\n    regx: 'a'\n", "a", "regx", "unknown field"},
		{"field of another kind", head + "  - id: a\n    title: A\n    keys: [x]\n", "a", "keys", "not a field of pattern"},
		{"field twice", head + "  - id: a\n    title: A\n    title: B\n", "a", "title", "twice"},
		{"bad regex", head + "  - id: a\n    title: A\n    pattern: '('\n    positive: [x]\n    negative: [y]\n", "a", "pattern", "missing closing"},
		{"missing pattern", head + "  - id: a\n    title: A\n    positive: [x]\n    negative: [y]\n", "a", "pattern", "required"},
		{"missing samples", head + "  - id: a\n    title: A\n    pattern: a\n    positive: [a]\n", "a", "positive", "negative samples"},
		{"empty sample", head + "  - id: a\n    title: A\n    pattern: a\n    positive: [a]\n    negative: ['']\n", "a", "negative", "empty"},
		{"missing id", head + "  - title: A\n    pattern: a\n    positive: [a]\n    negative: [b]\n", "rules[0]", "id", "want lower-case"},
		{"missing title", head + "  - id: a\n    pattern: a\n    positive: [a]\n    negative: [b]\n", "a", "title", "required"},
		{"duplicate id", head + ok + ok, "a", "id", "duplicate"},
		{"bad severity", head + "  - id: a\n    title: A\n    severity: huge\n    pattern: a\n    positive: [a]\n    negative: [b]\n", "a", "severity", "unknown severity"},
		{"unknown validator", head + "  - id: a\n    title: A\n    pattern: a\n    validate: [nope]\n    positive: [a]\n    negative: [b]\n", "a", "validate", "unknown validator"},
		{"upper-case keyword of (?i) rule", head + "  - id: a\n    title: A\n    pattern: '(?i)a'\n    keywords: [A]\n    positive: [a]\n    negative: [b]\n", "a", "keywords", "lower-case"},
		{"undeclared capture", head + "  - id: a\n    title: A\n    pattern: '(?P<host>a)'\n    positive: [a]\n    negative: [b]\n", "a", "captures", "say what it holds"},
		{"capture not in pattern", head + "  - id: a\n    title: A\n    pattern: 'a'\n    captures: {host: h}\n    positive: [a]\n    negative: [b]\n", "a", "captures", "no such named group"},
		{"expect of unknown capture", head + "  - id: a\n    title: A\n    pattern: '(?P<h>a)'\n    captures: {h: x}\n    positive: [{text: a, expect: {url: a}}]\n    negative: [b]\n", "a", "positive", "does not declare"},
		{"negative expects", head + "  - id: a\n    title: A\n    pattern: '(?P<h>a)'\n    captures: {h: x}\n    positive: [a]\n    negative: [{text: b, expect: {h: b}}]\n", "a", "negative", "cannot expect"},
		{"unknown sample field", head + "  - id: a\n    title: A\n    pattern: 'a'\n    positive: [{txt: a}]\n    negative: [b]\n", "a", "positive", "unknown sample field"},
		{"wrong type", head + "  - id: a\n    title: A\n    pattern: [a]\n", "a", "pattern", "line 7: want text, got a list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("demo.yaml", []byte(tc.yaml))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if e.Rule != tc.rule || e.Field != tc.field || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got rule %q field %q: %v; want rule %q field %q, %q", e.Rule, e.Field, err, tc.rule, tc.field, tc.msg)
			}
			if e.Pack != "demo" && e.Pack != "demo.yaml" {
				t.Errorf("pack %q", e.Pack)
			}
		})
	}
}

func TestParseKeyAndPathErrors(t *testing.T) {
	t.Parallel()
	key := "schema: plumb-rules/v1\npack: k\nkind: key\nrules:\n  - id: a\n    title: A\n"
	path := "schema: plumb-rules/v1\npack: p\nkind: path\nrules:\n  - id: a\n    title: A\n"
	for _, tc := range []struct{ yaml, field string }{
		{key + "    positive: [a]\n    negative: [b]\n", "keys"},
		{key + "    keys: [a]\n    exclude: [x]\n    positive: [a]\n    negative: [b]\n", "exclude"},
		{key + "    keys: [a]\n    value: '('\n    value_positive: [x]\n    value_negative: [y]\n    positive: [a]\n    negative: [b]\n", "value"},
		{key + "    keys: [a]\n    value: 'x'\n    positive: [a]\n    negative: [b]\n", "value_positive"},
		{key + "    keys: [a]\n    value_positive: [x]\n    positive: [a]\n    negative: [b]\n", "value_positive"},
		{key + "    keys: [a]\n    pattern: x\n    positive: [a]\n    negative: [b]\n", "pattern"},
		{path + "    path: nope\n    content: [x]\n    positive: [x]\n    negative: [y]\n", "path"},
		{path + "    path: /x?debug=1\n    content: [x]\n    positive: [x]\n    negative: [y]\n", "path"},
		{path + "    path: /x\n    positive: [x]\n    negative: [y]\n", "content"},
		{path + "    path: /x\n    content: ['(']\n    positive: [x]\n    negative: [y]\n", "content"},
	} {
		_, err := Parse("t", []byte(tc.yaml))
		var e *Error
		if !errors.As(err, &e) || e.Field != tc.field || e.Rule != "a" {
			t.Errorf("%s\n→ %v, want field %s of rule a", tc.yaml, err, tc.field)
		}
	}
}

// Verify reports samples that do not decide as written, naming the rule.
func TestVerifyFindsWrongSamples(t *testing.T) {
	t.Parallel()
	p, err := Parse("t", []byte(head+
		"  - id: a\n    title: A\n    pattern: 'x(?P<n>\\d+)'\n    captures: {n: a number}\n"+
		"    positive: [y1, {text: x12, expect: {n: '13'}}]\n    negative: [x9]\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = p.Verify()
	for _, want := range []string{`rule a: positive "y1": no match`, `capture n = "12", want "13"`, `negative "x9" matches`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Verify() = %v, want %q", err, want)
		}
	}
}

func TestLoadUnknownPack(t *testing.T) {
	t.Parallel()
	if _, err := Load("no-such-pack"); err == nil || !strings.Contains(err.Error(), "secrets") {
		t.Errorf("Load(unknown) = %v", err)
	}
}
