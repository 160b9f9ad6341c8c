package rules

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/plumbsec/plumb/internal/yamlerr"
)

// Error is a flaw in a pack, naming where it is: the pack (or its source
// when the name is not known yet), the rule (its id, or rules[i]) and the
// field.
type Error struct {
	Pack  string
	Rule  string
	Field string
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("rule pack " + e.Pack)
	if e.Rule != "" {
		b.WriteString(": rule " + e.Rule)
	}
	if e.Field != "" {
		b.WriteString(": field " + e.Field)
	}
	b.WriteString(": " + e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// file is the YAML document; rules are decoded one by one so that an
// error can name its rule.
type file struct {
	Schema      string      `yaml:"schema"`
	Pack        string      `yaml:"pack"`
	Kind        Kind        `yaml:"kind"`
	Description string      `yaml:"description"`
	Rules       []yaml.Node `yaml:"rules"`
}

var (
	nameRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$`)
	// maxPack bounds what Parse reads of an untrusted pack.
	maxPack = 4 << 20
)

// Parse decodes, validates and compiles one pack. src names the pack in
// errors until its own name is read (a file name, say). Unknown fields,
// fields of another kind, bad patterns, missing samples and duplicate ids
// are errors; Parse never panics on any input.
func Parse(src string, data []byte) (*Pack, error) {
	if len(data) > maxPack {
		return nil, &Error{Pack: src, Err: fmt.Errorf("larger than %d bytes", maxPack)}
	}
	var f file
	if err := yamlerr.DecodeStrict("", data, &f); err != nil {
		return nil, &Error{Pack: src, Err: err}
	}
	if f.Schema != Schema {
		return nil, &Error{Pack: src, Field: "schema", Err: fmt.Errorf("%q, want %q", f.Schema, Schema)}
	}
	if !nameRE.MatchString(f.Pack) {
		return nil, &Error{Pack: src, Field: "pack", Err: fmt.Errorf("name %q: want lower-case letters, digits, dots and dashes", f.Pack)}
	}
	if _, ok := kindFields[f.Kind]; !ok {
		return nil, &Error{Pack: f.Pack, Field: "kind", Err: fmt.Errorf("%q: want pattern, key, path or operation", f.Kind)}
	}
	if len(f.Rules) == 0 {
		return nil, &Error{Pack: f.Pack, Field: "rules", Err: errors.New("no rules")}
	}
	p := &Pack{Name: f.Pack, Kind: f.Kind, Description: strings.TrimSpace(f.Description), byID: map[string]*Rule{}}
	for i := range f.Rules {
		r, err := decodeRule(&f.Rules[i], f.Kind)
		where := fmt.Sprintf("rules[%d]", i)
		if r != nil && r.ID != "" {
			where = r.ID
		}
		if err == nil {
			r.pack, r.owner, r.index, r.kind = p.Name, p, len(p.Rules), p.Kind
			err = r.compile()
		}
		if err == nil && p.byID[r.ID] != nil {
			err = &Error{Field: "id", Err: errors.New("duplicate id")}
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				e = &Error{Err: err}
			}
			e.Pack, e.Rule = p.Name, where
			return nil, e
		}
		p.byID[r.ID] = r
		p.Rules = append(p.Rules, r)
	}
	p.keywords = newKeywordIndex(p.Rules)
	return p, nil
}

// decodeRule decodes one rule mapping, rejecting fields the schema does
// not know and fields that belong to another kind.
func decodeRule(n *yaml.Node, kind Kind) (*Rule, error) {
	if n.Kind != yaml.MappingNode {
		return nil, &Error{Err: fmt.Errorf("line %d: a rule is a mapping", n.Line)}
	}
	r := &Rule{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Value == "id" {
			_ = n.Content[i+1].Decode(&r.ID) // an error is reported below
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		_, known := fieldIndex[k]
		switch {
		case !known:
			return r, &Error{Field: k, Err: fmt.Errorf("line %d: unknown field (known for %s rules: %s)", n.Content[i].Line, kind, strings.Join(ruleFieldNames(kind), ", "))}
		case !commonFields[k] && !kindFields[kind][k]:
			return r, &Error{Field: k, Err: fmt.Errorf("line %d: not a field of %s rules", n.Content[i].Line, kind)}
		case seen[k]:
			return r, &Error{Field: k, Err: fmt.Errorf("line %d: set twice", n.Content[i].Line)}
		}
		seen[k] = true
		ptr := fieldPtr(r, k)
		if err := n.Content[i+1].Decode(ptr); err != nil {
			return r, &Error{Field: k, Err: yamlerr.Explain("", ptr, err)}
		}
	}
	return r, nil
}

// fieldPtr returns a pointer to the field of r whose YAML name is k.
func fieldPtr(r *Rule, k string) any {
	v := reflect.ValueOf(r).Elem()
	return v.Field(fieldIndex[k]).Addr().Interface()
}

var (
	fieldIndex   = ruleFields()
	commonFields = set("id", "title", "severity", "tags", "meta", "positive", "negative")
	kindFields   = map[Kind]map[string]bool{
		KindPattern:   set("pattern", "keywords", "validate", "captures"),
		KindKey:       set("keys", "words", "exclude", "value", "value_positive", "value_negative"),
		KindPath:      set("path", "content", "not_html", "content_pack"),
		KindOperation: set("words", "prefixes", "exclude"),
	}
)

// ruleFields maps the YAML names of Rule's fields to their index.
func ruleFields() map[string]int {
	m := map[string]int{}
	t := reflect.TypeFor[Rule]()
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name != "" {
			m[name] = i
		}
	}
	return m
}

// ruleFieldNames are the fields a rule of kind may have, sorted.
func ruleFieldNames(kind Kind) []string {
	var out []string
	for _, m := range []map[string]bool{commonFields, kindFields[kind]} {
		for k := range m {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func set(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// UnmarshalYAML reads a sample: a string, or {text, expect}.
func (s *Sample) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Decode(&s.Text)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			switch k := n.Content[i]; k.Value {
			case "text":
				if err := n.Content[i+1].Decode(&s.Text); err != nil {
					return err
				}
			case "expect":
				if err := n.Content[i+1].Decode(&s.Expect); err != nil {
					return err
				}
			default:
				return fmt.Errorf("line %d: unknown sample field %q (want text, expect)", k.Line, k.Value)
			}
		}
		return nil
	}
	return fmt.Errorf("line %d: a sample is a string or a mapping {text, expect}", n.Line)
}
