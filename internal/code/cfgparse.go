package code

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/pelletier/go-toml/v2/unstable"
	"github.com/zclconf/go-cty/cty"
	"go.yaml.in/yaml/v3"
)

// maxCfgEntries bounds the entries read from one configuration file.
const maxCfgEntries = 1 << 20

// groups hands out group numbers.
type groups struct{ n int }

func (g *groups) next() int { g.n++; return g.n }

// lineIndex maps byte offsets to 1-based lines.
type lineIndex []int

func newLineIndex(src []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range src {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (li lineIndex) line(off int) int { return sort.SearchInts(li, off+1) }

// parseYAML reads every document of a YAML file with go.yaml.in/yaml/v3.
// A file that is not YAML (a Helm template with {{ }} actions) is read
// with parseYAMLLines instead; entries read before an error are kept.
func parseYAML(src []byte) ([]cfgEntry, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var out []cfgEntry
	g := &groups{}
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			if len(out) == 0 {
				return parseYAMLLines(src), nil
			}
			return out, fmt.Errorf("yaml: %w", err)
		}
		walkYAML(&n, nil, 0, false, g, &out)
		if len(out) > maxCfgEntries {
			return out, nil
		}
	}
}

func walkYAML(n *yaml.Node, path []string, group int, flat bool, g *groups, out *[]cfgEntry) {
	if len(*out) > maxCfgEntries || len(path) > maxNesting {
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			walkYAML(c, path, g.next(), false, g, out)
		}
	case yaml.MappingNode:
		// A container env item {name: X, value: Y} is the setting X.
		if name, value := yamlNameValue(n); name != nil && value != nil && value.Kind == yaml.ScalarNode {
			*out = append(*out, cfgEntry{path: appendPath(path, name.Value), value: value.Value, line: value.Line, group: group, flat: true})
			return
		}
		mg := g.next()
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkYAML(n.Content[i+1], appendPath(path, n.Content[i].Value), mg, false, g, out)
		}
	case yaml.SequenceNode:
		sg := g.next()
		for _, c := range n.Content {
			if c.Kind == yaml.ScalarNode {
				if k, v, ok := strings.Cut(c.Value, "="); ok && k != "" && !strings.ContainsAny(k, " /:") {
					*out = append(*out, cfgEntry{path: appendPath(path, k), value: v, line: c.Line, group: sg, flat: true})
					continue
				}
			}
			walkYAML(c, path, sg, true, g, out)
		}
	case yaml.ScalarNode:
		*out = append(*out, cfgEntry{path: path, value: n.Value, line: n.Line, group: group, flat: flat})
	}
}

func yamlNameValue(n *yaml.Node) (name, value *yaml.Node) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch n.Content[i].Value {
		case "name":
			name = n.Content[i+1]
		case "value":
			value = n.Content[i+1]
		}
	}
	if name != nil && name.Kind != yaml.ScalarNode {
		name = nil
	}
	return name, value
}

func appendPath(path []string, k string) []string {
	out := make([]string, len(path), len(path)+1)
	copy(out, path)
	return append(out, k)
}

// parseYAMLLines reads YAML-like text that is not YAML (templates) line by
// line: `key: value` pairs, nested by indentation.
func parseYAMLLines(src []byte) []cfgEntry {
	type level struct {
		indent int
		key    string
	}
	var stack []level
	var out []cfgEntry
	g := &groups{}
	group := g.next()
	for i, raw := range strings.Split(string(src), "\n") {
		line := strings.TrimRight(raw, "\r")
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		trimmed = strings.TrimPrefix(trimmed, "- ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, "{{") {
			continue
		}
		key, val, ok := strings.Cut(trimmed, ":")
		if !ok || strings.ContainsAny(key, " {}\"'") {
			continue
		}
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		val = strings.TrimSpace(stripYAMLComment(val))
		if val == "" || val == "|" || val == ">" {
			stack = append(stack, level{indent, key})
			group = g.next()
			continue
		}
		var path []string
		for _, l := range stack {
			path = append(path, l.key)
		}
		out = append(out, cfgEntry{path: append(path, key), value: strings.Trim(val, `"'`), line: i + 1, group: group})
		if len(out) > maxCfgEntries {
			break
		}
	}
	return out
}

func stripYAMLComment(v string) string {
	if i := strings.Index(v, " #"); i >= 0 && !strings.ContainsAny(v[:i], `"'`) {
		return v[:i]
	}
	return v
}

// parseTOML reads TOML with go-toml's streaming parser (positions kept).
func parseTOML(src []byte) (out []cfgEntry, err error) {
	defer func() {
		if r := recover(); r != nil { // the unstable API panics on some malformed input
			err = fmt.Errorf("toml: %v", r)
		}
	}()
	li := newLineIndex(src)
	g := &groups{}
	var p unstable.Parser
	p.Reset(src)
	var table []string
	group := g.next()
	for p.NextExpression() && len(out) <= maxCfgEntries {
		n := p.Expression()
		switch n.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = tomlKey(n.Key())
			group = g.next()
		case unstable.KeyValue:
			key := append(append([]string(nil), table...), tomlKey(n.Key())...)
			walkTOML(n.Value(), key, group, li, g, &out)
		}
	}
	if e := p.Error(); e != nil {
		return out, fmt.Errorf("toml: %w", e)
	}
	return out, nil
}

func tomlKey(it unstable.Iterator) []string {
	var out []string
	for it.Next() {
		out = append(out, string(it.Node().Data))
	}
	return out
}

func walkTOML(v *unstable.Node, path []string, group int, li lineIndex, g *groups, out *[]cfgEntry) {
	if v == nil || len(path) > maxNesting {
		return
	}
	switch v.Kind {
	case unstable.String, unstable.Bool, unstable.Integer, unstable.Float:
		*out = append(*out, cfgEntry{path: path, value: string(v.Data), line: li.line(int(v.Raw.Offset)), group: group})
	case unstable.Array:
		it := v.Children()
		for it.Next() {
			walkTOML(it.Node(), path, group, li, g, out)
		}
	case unstable.InlineTable:
		ig := g.next()
		it := v.Children()
		for it.Next() {
			kv := it.Node()
			if kv.Kind == unstable.KeyValue {
				walkTOML(kv.Value(), append(append([]string(nil), path...), tomlKey(kv.Key())...), ig, li, g, out)
			}
		}
	}
}

// parseTerraform reads Terraform (.tf, .tfvars) with HCL's native syntax
// parser: attributes with literal values, nested in blocks; a variable
// block's default is the setting named after the variable.
func parseTerraform(src []byte) (out []cfgEntry, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("hcl: %v", r)
		}
	}()
	f, diags := hclsyntax.ParseConfig(src, "main.tf", hcl.Pos{Line: 1, Column: 1})
	if f == nil {
		return nil, fmt.Errorf("hcl: %s", diags.Error())
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return nil, nil
	}
	g := &groups{}
	walkHCL(body, nil, g, &out)
	if diags.HasErrors() {
		return out, fmt.Errorf("hcl: %s", diags.Error())
	}
	return out, nil
}

func walkHCL(b *hclsyntax.Body, path []string, g *groups, out *[]cfgEntry) {
	if len(path) > maxNesting || len(*out) > maxCfgEntries {
		return
	}
	group := g.next()
	names := make([]string, 0, len(b.Attributes))
	for n := range b.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		at := b.Attributes[n]
		p := appendPath(path, n)
		if len(path) == 2 && path[0] == "variable" && n == "default" {
			p = []string{path[1]}
		}
		v, diags := at.Expr.Value(nil)
		if diags.HasErrors() {
			continue
		}
		ctyEntries(v, p, at.SrcRange.Start.Line, group, out)
	}
	for _, blk := range b.Blocks {
		walkHCL(blk.Body, append(appendPath(path, blk.Type), blk.Labels...), g, out)
	}
}

func ctyEntries(v cty.Value, path []string, line, group int, out *[]cfgEntry) {
	if !v.IsKnown() || v.IsNull() || len(path) > maxNesting {
		return
	}
	t := v.Type()
	switch {
	case t == cty.String:
		*out = append(*out, cfgEntry{path: path, value: v.AsString(), line: line, group: group})
	case t == cty.Bool:
		*out = append(*out, cfgEntry{path: path, value: strconv.FormatBool(v.True()), line: line, group: group})
	case t.IsObjectType() || t.IsMapType():
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			if k.Type() == cty.String {
				ctyEntries(ev, appendPath(path, k.AsString()), line, group, out)
			}
		}
	case t.IsTupleType() || t.IsListType() || t.IsSetType():
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			ctyEntries(ev, path, line, group, out)
		}
	}
}
