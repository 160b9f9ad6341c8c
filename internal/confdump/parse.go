// Package confdump reads configuration dumps an API serves by mistake
// (debug endpoints, actuator environments, dotenv files): it recognises
// them by content (rule pack config-dumps), flattens them into settings
// in any of JSON, env, properties and YAML, and harvests what they give
// away — every host they name, with the role its setting gives it (rule
// pack config-host-roles), and the settings that hold secrets.
package confdump

import (
	"bufio"
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/rules"
)

// Packs this package runs.
const (
	PackDumps = "config-dumps"
	PackRoles = "config-host-roles"
)

// Bounds on one dump.
const (
	maxEntries = 4000
	maxDepth   = 32
	maxValue   = 4096 // bytes of one value kept
)

// Entry is one setting: its key path (nested keys joined with ".") and
// its value as text. Name is the nearest meaningful key (the last one that
// is not a wrapper such as "value" or "properties").
type Entry struct {
	Key   string
	Name  string
	Value string
}

// Recognise says whether body is a configuration dump and in which format
// (json, env, properties, yaml), from the first config-dumps rule that
// matches.
func Recognise(body []byte) (format, rule string, ok bool) {
	p, err := rules.Load(PackDumps)
	if err != nil {
		return "", "", false
	}
	m, ok := p.First(rules.NewText(string(body)))
	if !ok {
		return "", "", false
	}
	return m.Rule().Meta["format"], m.Rule().ID, true
}

// Parse flattens a dump of the given format into settings. It never
// fails: what it cannot read it skips.
func Parse(body []byte, format string) []Entry {
	switch format {
	case "json":
		return parseJSON(body)
	case "yaml":
		return parseYAML(body)
	default: // env, properties: KEY=VALUE or key: value lines
		return parseLines(body)
	}
}

// wrappers are keys that hold a setting rather than name it (Spring
// actuator: propertySources[].properties.KEY.value).
var wrappers = map[string]bool{"value": true, "values": true, "properties": true, "propertysources": true,
	"contexts": true, "beans": true, "settings": true, "config": true, "env": true, "environment": true}

func nameOf(path []string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if !wrappers[strings.ToLower(path[i])] {
			return path[i]
		}
	}
	if len(path) > 0 {
		return path[len(path)-1]
	}
	return ""
}

func entry(path []string, v string) Entry {
	if len(v) > maxValue {
		v = v[:maxValue]
	}
	return Entry{Key: strings.Join(path, "."), Name: nameOf(path), Value: v}
}

func parseJSON(body []byte) []Entry {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return nil
	}
	var out []Entry
	var walk func(v any, path []string, depth int)
	walk = func(v any, path []string, depth int) {
		if depth > maxDepth || len(out) >= maxEntries {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(t)) { // deterministic order
				walk(t[k], append(path[:len(path):len(path)], k), depth+1)
			}
		case []any:
			for _, c := range t {
				walk(c, path, depth+1) // list items belong to the list's key
			}
		case string:
			out = append(out, entry(path, t))
		case json.Number:
			out = append(out, entry(path, t.String()))
		case bool:
			if t {
				out = append(out, entry(path, "true"))
			} else {
				out = append(out, entry(path, "false"))
			}
		}
	}
	walk(v, nil, 0)
	return out
}

// parseLines reads KEY=VALUE (dotenv, with optional export) and
// key=value / key: value (Java properties) lines.
func parseLines(body []byte) []Entry {
	var out []Entry
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() && len(out) < maxEntries {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		i := strings.IndexAny(line, "=:")
		if i <= 0 {
			continue
		}
		k := strings.TrimSpace(line[:i])
		if strings.ContainsAny(k, " \t\"'") {
			continue
		}
		out = append(out, entry([]string{k}, unquote(strings.TrimSpace(line[i+1:]))))
	}
	return out
}

// parseYAML reads block-style YAML mappings and lists by indentation: what
// configuration dumps use. Flow style, anchors and multi-line scalars are
// skipped rather than expanded (no alias bombs).
func parseYAML(body []byte) []Entry {
	type level struct {
		indent int
		key    string
	}
	var out []Entry
	var stack []level
	path := func() []string {
		p := make([]string, len(stack))
		for i, l := range stack {
			p[i] = l.key
		}
		return p
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() && len(out) < maxEntries {
		raw := sc.Text()
		trimmed := strings.TrimSpace(raw)
		if trimmed == "" || trimmed[0] == '#' || trimmed == "---" {
			continue
		}
		indent := len(raw) - len(strings.TrimLeft(raw, " \t"))
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent && !strings.HasPrefix(trimmed, "- ") {
			stack = stack[:len(stack)-1]
		}
		if strings.HasPrefix(trimmed, "- ") {
			for len(stack) > 0 && stack[len(stack)-1].indent > indent {
				stack = stack[:len(stack)-1]
			}
			item := strings.TrimSpace(trimmed[2:])
			if k, v, ok := yamlPair(item); ok && v != "" {
				out = append(out, entry(append(path(), k), v))
			} else if !ok {
				out = append(out, entry(path(), unquote(item)))
			}
			continue
		}
		k, v, ok := yamlPair(trimmed)
		if !ok {
			continue
		}
		if v == "" {
			if len(stack) < maxDepth {
				stack = append(stack, level{indent, k})
			}
			continue
		}
		out = append(out, entry(append(path(), k), v))
	}
	return out
}

// yamlPair splits "key: value" (value may be empty).
func yamlPair(s string) (k, v string, ok bool) {
	i := strings.Index(s, ":")
	if i <= 0 || (i+1 < len(s) && s[i+1] != ' ' && s[i+1] != '\t') {
		return "", "", false
	}
	k = strings.TrimSpace(unquote(s[:i]))
	v = strings.TrimSpace(s[i+1:])
	if j := strings.Index(v, " #"); j >= 0 {
		v = strings.TrimSpace(v[:j])
	}
	return k, unquote(v), k != ""
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}
