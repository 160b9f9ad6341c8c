package rules

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/finding"
)

// compile validates the public fields of r and fills the private ones.
func (r *Rule) compile() error {
	if !nameRE.MatchString(r.ID) {
		return &Error{Field: "id", Err: fmt.Errorf("%q: want lower-case letters, digits, dots and dashes", r.ID)}
	}
	if strings.TrimSpace(r.Title) == "" {
		return &Error{Field: "title", Err: errors.New("required")}
	}
	if r.Severity != "" {
		sev, err := finding.ParseSeverity(r.Severity)
		if err != nil {
			return &Error{Field: "severity", Err: err}
		}
		r.level = sev
	}
	for _, t := range r.Tags {
		if t == "" {
			return &Error{Field: "tags", Err: errors.New("empty tag")}
		}
	}
	if len(r.Positive) == 0 || len(r.Negative) == 0 {
		return &Error{Field: "positive", Err: errors.New("every rule needs positive and negative samples")}
	}
	empty := func(s Sample) bool { return s.Text == "" }
	if slices.ContainsFunc(r.Positive, empty) {
		return &Error{Field: "positive", Err: errors.New("empty sample")}
	}
	if slices.ContainsFunc(r.Negative, empty) {
		return &Error{Field: "negative", Err: errors.New("empty sample")}
	}
	for _, s := range r.Negative {
		if s.Expect != nil {
			return &Error{Field: "negative", Err: errors.New("a negative sample cannot expect captures")}
		}
	}
	switch r.kind {
	case KindPattern:
		return r.compilePattern()
	case KindKey:
		return r.compileKey()
	case KindOperation:
		return r.compileOperation()
	default:
		return r.compilePath()
	}
}

func (r *Rule) compilePattern() error {
	re, err := compileRE("pattern", r.Pattern)
	if err != nil {
		return err
	}
	r.re = re
	r.fold = strings.HasPrefix(r.Pattern, "(?i)")
	for _, k := range r.Keywords {
		if k == "" {
			return &Error{Field: "keywords", Err: errors.New("empty keyword")}
		}
		if r.fold && k != strings.ToLower(k) {
			return &Error{Field: "keywords", Err: fmt.Errorf("%q: keywords of a (?i) pattern are lower-case", k)}
		}
	}
	for _, name := range r.Validate {
		v, ok := validators[name]
		if !ok {
			return &Error{Field: "validate", Err: fmt.Errorf("unknown validator %q (want one of %s)", name,
				strings.Join(slices.Sorted(maps.Keys(validators)), ", "))}
		}
		r.validators = append(r.validators, v)
	}
	groups := map[string]bool{}
	for _, g := range re.SubexpNames() {
		if g == "" {
			continue
		}
		groups[g] = true
		if strings.TrimSpace(r.Captures[g]) == "" {
			return &Error{Field: "captures", Err: fmt.Errorf("named group %q: say what it holds", g)}
		}
	}
	for c := range r.Captures {
		if !groups[c] {
			return &Error{Field: "captures", Err: fmt.Errorf("%q: no such named group in the pattern", c)}
		}
	}
	for _, s := range r.Positive {
		for c := range s.Expect {
			if !groups[c] {
				return &Error{Field: "positive", Err: fmt.Errorf("sample expects capture %q the pattern does not declare", c)}
			}
		}
	}
	return nil
}

func (r *Rule) compileKey() error {
	if len(r.Keys) == 0 && len(r.Words) == 0 {
		return &Error{Field: "keys", Err: errors.New("a key rule needs keys or words")}
	}
	if len(r.Exclude) > 0 && len(r.Words) == 0 {
		return &Error{Field: "exclude", Err: errors.New("exclude applies to words; the rule has none")}
	}
	for _, s := range r.Positive {
		if s.Expect != nil {
			return &Error{Field: "positive", Err: errors.New("key samples have no captures")}
		}
	}
	r.keys, r.words, r.exclude = setOf(r.Keys, squash), setOf(r.Words, strings.ToLower), setOf(r.Exclude, strings.ToLower)
	for _, m := range []map[string]bool{r.keys, r.words, r.exclude} {
		if m[""] {
			return &Error{Field: "keys", Err: errors.New("empty name")}
		}
	}
	if r.Value == "" {
		if len(r.ValuePositive)+len(r.ValueNegative) > 0 {
			return &Error{Field: "value_positive", Err: errors.New("value samples without a value pattern")}
		}
		return nil
	}
	if len(r.ValuePositive) == 0 || len(r.ValueNegative) == 0 {
		return &Error{Field: "value_positive", Err: errors.New("a value pattern needs positive and negative value samples")}
	}
	var err error
	r.value, err = compileRE("value", r.Value)
	return err
}

func (r *Rule) compilePath() error {
	if !strings.HasPrefix(r.Path, "/") || strings.ContainsAny(r.Path, " \t\r\n#?") {
		return &Error{Field: "path", Err: fmt.Errorf("%q: want an absolute path without query or fragment", r.Path)}
	}
	if len(r.Content) == 0 && r.ContentPack == "" {
		return &Error{Field: "content", Err: errors.New("a path rule needs a content pattern or content_pack that confirms it")}
	}
	if r.ContentPack != "" && !nameRE.MatchString(r.ContentPack) {
		return &Error{Field: "content_pack", Err: fmt.Errorf("%q: want a pack name", r.ContentPack)}
	}
	for _, s := range r.Positive {
		if s.Expect != nil {
			return &Error{Field: "positive", Err: errors.New("path samples have no captures")}
		}
	}
	for _, c := range r.Content {
		re, err := compileRE("content", c)
		if err != nil {
			return err
		}
		r.content = append(r.content, re)
	}
	return nil
}

func compileRE(field, p string) (*regexp.Regexp, error) {
	if p == "" {
		return nil, &Error{Field: field, Err: errors.New("required")}
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, &Error{Field: field, Err: err}
	}
	return re, nil
}

func setOf(list []string, f func(string) string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[f(s)] = true
	}
	return m
}
