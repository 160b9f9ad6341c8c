// Package yamlerr decodes user-written YAML (.plumb.yaml, rule packs,
// data files) strictly and says what is wrong in the user's terms: the
// file, the line, the field as it is spelt in the file with the fields
// that are allowed there, and the kind of value wanted — never a Go type
// name. It also corrects the line of yaml.v3's parser errors, which are
// one too low (yaml.v3 prints a 0-based line for them).
package yamlerr

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Error is a YAML document that does not decode: one or more problems,
// each on a line of File.
type Error struct {
	File     string // as given ("" when the caller names the document itself)
	Problems []Problem
}

// Problem is one thing wrong, on a line (0 when yaml.v3 gave none).
type Problem struct {
	Line int
	Msg  string
}

// maxShown bounds the problems one message lists.
const maxShown = 5

func (e *Error) Error() string {
	parts := make([]string, 0, min(len(e.Problems), maxShown)+1)
	for i, p := range e.Problems {
		if i == maxShown {
			parts = append(parts, fmt.Sprintf("and %d more", len(e.Problems)-maxShown))
			break
		}
		parts = append(parts, p.String())
	}
	msg := strings.Join(parts, "; ")
	if e.File == "" {
		return msg
	}
	if len(e.Problems) > 0 && e.Problems[0].Line > 0 {
		return e.File + " " + msg
	}
	return e.File + ": " + msg
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s", p.Line, p.Msg)
	}
	return p.Msg
}

// Line is the line of the first problem (0 if unknown).
func (e *Error) Line() int {
	if len(e.Problems) == 0 {
		return 0
	}
	return e.Problems[0].Line
}

// DecodeStrict decodes the one YAML document of data into v, refusing
// fields v has no place for. An empty document leaves v as it is. Errors
// are *Error naming file.
func DecodeStrict(file string, data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return Explain(file, v, err)
	}
	if err := dec.Decode(new(yaml.Node)); !errors.Is(err, io.EOF) {
		if err != nil {
			return Explain(file, v, err)
		}
		return &Error{File: file, Problems: []Problem{{Msg: "more than one YAML document (a second one starts with ---)"}}}
	}
	return nil
}

// Explain rewrites an error of yaml.v3 decoding into v (a pointer, or
// nil for a yaml.Node) as an *Error naming file. Errors that are not
// yaml.v3's (a custom UnmarshalYAML's) are kept, with file.
func Explain(file string, v any, err error) error {
	if err == nil {
		return nil
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		types := reachable(v)
		e := &Error{File: file}
		for _, m := range te.Errors {
			e.Problems = append(e.Problems, typeProblem(m, types))
		}
		return e
	}
	if p, ok := Syntax(err); ok {
		return &Error{File: file, Problems: []Problem{p}}
	}
	if file == "" {
		return err
	}
	return fmt.Errorf("%s: %w", file, err)
}

var (
	syntaxRE   = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)
	notFoundRE = regexp.MustCompile(`^line (\d+): field (.+) not found in type (\S+)$`)
	setTwiceRE = regexp.MustCompile(`^line (\d+): field (.+) already set in type (\S+)$`)
	dupKeyRE   = regexp.MustCompile(`^line (\d+): mapping key "(.*)" already defined at line (\d+)$`)
	cannotRE   = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+)(?: `(.*)`)? into (.+)$")
	lineRE     = regexp.MustCompile(`^line (\d+): (.*)$`)
)

// parserProblems are yaml.v3's parser (not scanner) errors: it reports
// their line 0-based, the line where the unfinished construct starts.
var parserProblems = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'", "did not find expected '-' indicator",
	"did not find expected <document start>", "did not find expected <stream-start>", "did not find expected key",
	"did not find expected node content", "found duplicate %TAG directive", "found duplicate %YAML directive",
	"found incompatible YAML document", "found undefined tag handle",
}

// Syntax reads a yaml.v3 syntax error: its line (corrected, 1-based) and
// message without the "yaml:" prefix.
func Syntax(err error) (Problem, bool) {
	m := syntaxRE.FindStringSubmatch(err.Error())
	if m == nil || strings.HasPrefix(m[2], "unmarshal errors") {
		return Problem{}, false
	}
	p := Problem{Msg: m[2]}
	if m[1] != "" {
		p.Line, _ = strconv.Atoi(m[1])
		if slices.Contains(parserProblems, p.Msg) {
			p.Line++
		}
	}
	if p.Line == 0 && slices.Contains(parserProblems, p.Msg) {
		p.Line = 1 // yaml.v3 prints no line for 0-based line 0
	}
	return p, true
}

func typeProblem(msg string, types map[string]reflect.Type) Problem {
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	if m := notFoundRE.FindStringSubmatch(msg); m != nil {
		text := fmt.Sprintf("unknown field %q", m[2])
		if known := fieldNames(types[m[3]]); len(known) > 0 {
			text += " (known: " + strings.Join(known, ", ") + ")"
		}
		return Problem{Line: atoi(m[1]), Msg: text}
	}
	if m := setTwiceRE.FindStringSubmatch(msg); m != nil {
		return Problem{Line: atoi(m[1]), Msg: fmt.Sprintf("field %q is set twice", m[2])}
	}
	if m := dupKeyRE.FindStringSubmatch(msg); m != nil {
		return Problem{Line: atoi(m[1]), Msg: fmt.Sprintf("%q is set twice (first on line %s)", m[2], m[3])}
	}
	if m := cannotRE.FindStringSubmatch(msg); m != nil {
		return Problem{Line: atoi(m[1]), Msg: fmt.Sprintf("want %s, got %s", wanted(m[4], types), got(m[2], m[3]))}
	}
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		return Problem{Line: atoi(m[1]), Msg: m[2]}
	}
	return Problem{Msg: msg}
}

// got says what a YAML node is.
func got(tag, value string) string {
	switch tag {
	case "map":
		return "a mapping (key: value)"
	case "seq":
		return "a list"
	case "null":
		return "nothing"
	case "str":
		return strconv.Quote(value)
	}
	if value != "" {
		return value
	}
	return tag
}

// wanted says in words what a Go type (by its name in yaml.v3's message)
// takes.
func wanted(goType string, types map[string]reflect.Type) string {
	if t, ok := types[goType]; ok {
		return kindWords(t)
	}
	switch {
	case strings.HasPrefix(goType, "[]"), strings.HasPrefix(goType, "["):
		return "a list"
	case strings.HasPrefix(goType, "map["):
		return "a mapping (key: value)"
	case goType == "time.Duration":
		return "a duration"
	}
	if t, ok := basic[goType]; ok {
		return kindWords(t)
	}
	return "a different kind of value"
}

var basic = map[string]reflect.Type{}

func init() {
	for _, v := range []any{"", true, 0, int8(0), int16(0), int32(0), int64(0), uint(0), uint8(0), uint16(0), uint32(0), uint64(0), float32(0), float64(0)} {
		t := reflect.TypeOf(v)
		basic[t.String()] = t
	}
}

func kindWords(t reflect.Type) string {
	if t.String() == "time.Duration" {
		return "a duration (e.g. 30s, 5m)"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "a mapping (key: value)"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Pointer:
		return kindWords(t.Elem())
	}
	return "a different kind of value"
}

// reachable maps the name yaml.v3 prints for each type reachable from v
// (v's own, its fields', elements' …) to the type.
func reachable(v any) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	if v == nil {
		return out
	}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		if _, seen := out[t.String()]; seen {
			return
		}
		out[t.String()] = t
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			walk(t.Elem())
		case reflect.Map:
			walk(t.Key())
			walk(t.Elem())
		case reflect.Struct:
			for i := range t.NumField() {
				if f := t.Field(i); f.IsExported() {
					walk(f.Type)
				}
			}
		}
	}
	walk(reflect.TypeOf(v))
	return out
}

// fieldNames are the YAML keys a struct type accepts, in field order.
func fieldNames(t reflect.Type) []string {
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case name == "-":
			continue
		case strings.Contains(opts, "inline"):
			out = append(out, fieldNames(indirect(f.Type))...)
			continue
		case name == "":
			name = strings.ToLower(f.Name)
		}
		out = append(out, name)
	}
	return out
}

func indirect(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
