package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/plumbsec/plumb/internal/safetext"
	"github.com/plumbsec/plumb/internal/yamlerr"
)

// exactLinesMax is the largest JSON document decoded token by token to record
// operation lines.
const exactLinesMax = 4 << 20

// maxDepth bounds nesting so every recursive walk over the tree is bounded.
const maxDepth = 512

// maxAliasNodes bounds how many nodes YAML aliases may add to the decoded
// tree (a billion-laughs document multiplies a small input).
const maxAliasNodes = 1_000_000

// The expanded size of a YAML document (roughly its size as JSON, with every
// alias written out) may be at most expandFloor + expandFactor × its input
// size, and never more than expandCeiling. Node counts alone do not bound
// it: a thousand aliases of one 1 MiB string are a thousand nodes and a GiB.
const (
	expandFloor   = 32 << 20
	expandFactor  = 16
	expandCeiling = 512 << 20
)

// expandLimit is the expanded-size cap for an input of n bytes.
func expandLimit(n int) int64 {
	return min(expandFloor+expandFactor*int64(n), expandCeiling)
}

// rawDoc is the generic decoded document plus what kin-openapi does not keep
// cheaply: line numbers of operations.
type rawDoc struct {
	tree   map[string]any
	isJSON bool
	// opLines maps opKey(path, method) to the 1-based line of the method key.
	opLines map[string]int
	// dups are warnings about keys given twice in one object (the last
	// one wins, as in every JSON and YAML library).
	dups []string
}

// maxDupWarnings bounds the duplicate-key warnings of one document.
const maxDupWarnings = 20

// dupKeys collects duplicate-key warnings, at most maxDupWarnings of them.
type dupKeys struct {
	list []string
	more int
}

func (d *dupKeys) add(key string, line int) {
	if len(d.list) >= maxDupWarnings {
		d.more++
		return
	}
	d.list = append(d.list, fmt.Sprintf("duplicate key \"%s\" at line %d: the last value wins", safetext.Quote(key, 80), line))
}

func (d *dupKeys) warnings() []string {
	if d.more > 0 {
		return append(d.list, fmt.Sprintf("%d more duplicate keys", d.more))
	}
	return d.list
}

func opKey(path, method string) string { return path + "\x00" + strings.ToLower(method) }

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decodeRaw parses data as JSON (fast path, when it looks like JSON) or YAML.
func decodeRaw(data []byte) (*rawDoc, *Error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, &Error{Msg: "empty document", Err: ErrNotOpenAPI}
	}
	if trimmed[0] == '<' {
		return nil, &Error{Location: "line 1", Msg: "input looks like HTML or XML, not an OpenAPI document", Err: ErrNotOpenAPI}
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		if len(data) > exactLinesMax {
			// The token decoder that records operation lines (and notices
			// duplicate keys) is ~7x slower than json.Unmarshal: big
			// documents go without either.
			var v any
			if err := json.Unmarshal(data, &v); err == nil {
				return rootMap(v, nil, true, nil)
			}
		}
		v, lines, dups, jerr := decodeJSON(data)
		if jerr == nil {
			return rootMap(v, lines, true, dups)
		}
		// A flow-style YAML document can start with '{' too.
		if v, lines, dups, yerr := decodeYAML(data); yerr == nil {
			return rootMap(v, lines, false, dups)
		}
		return nil, jerr
	}
	v, lines, dups, yerr := decodeYAML(data)
	if yerr != nil {
		return nil, yerr
	}
	return rootMap(v, lines, false, dups)
}

func rootMap(v any, lines map[string]int, isJSON bool, dups []string) (*rawDoc, *Error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &Error{Msg: fmt.Sprintf("top level is %s, not an object", kindOf(v)), Err: ErrNotOpenAPI}
	}
	return &rawDoc{tree: m, isJSON: isJSON, opLines: lines, dups: dups}, nil
}

func kindOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case nil:
		return "null"
	default:
		return "a scalar"
	}
}

// jsonDecoder builds the tree token by token so it can note where operations
// start; encoding/json alone keeps no positions.
type jsonDecoder struct {
	dec   *json.Decoder
	data  []byte
	lines map[string]int
	dups  dupKeys
	// lineAt counts newlines incrementally: offsets only grow.
	lastOff  int
	lastLine int
}

func decodeJSON(data []byte) (any, map[string]int, []string, *Error) {
	d := &jsonDecoder{dec: json.NewDecoder(bytes.NewReader(data)), data: data, lines: map[string]int{}, lastLine: 1}
	d.dec.UseNumber()
	v, err := d.value(0, nil)
	if err == nil {
		if _, terr := d.dec.Token(); terr != io.EOF {
			err = errors.New("unexpected data after the top-level value")
		}
	}
	if err != nil {
		return nil, nil, nil, &Error{Location: "line " + strconv.Itoa(d.lineAt(jsonErrOffset(err, d.dec))), Msg: "invalid JSON", Err: err}
	}
	return v, d.lines, d.dups.warnings(), nil
}

func jsonErrOffset(err error, dec *json.Decoder) int {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return int(se.Offset)
	}
	return int(dec.InputOffset())
}

func (d *jsonDecoder) lineAt(off int) int {
	if off > len(d.data) {
		off = len(d.data)
	}
	if off < d.lastOff {
		return 1 + bytes.Count(d.data[:off], []byte{'\n'})
	}
	d.lastLine += bytes.Count(d.data[d.lastOff:off], []byte{'\n'})
	d.lastOff = off
	return d.lastLine
}

// value decodes one value. keys holds the object keys leading here while they
// can still lead to an operation (paths/<path>/<method>).
func (d *jsonDecoder) value(depth int, keys []string) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nesting deeper than %d levels", maxDepth)
	}
	tok, err := d.dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return d.object(depth, keys)
		}
		if t == '[' {
			return d.array(depth)
		}
		return nil, fmt.Errorf("unexpected %q", t)
	default:
		return tok, nil
	}
}

func (d *jsonDecoder) object(depth int, keys []string) (any, error) {
	m := map[string]any{}
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return nil, err
		}
		k, ok := tok.(string)
		if !ok {
			return nil, errors.New("object key is not a string")
		}
		var sub []string
		switch {
		case depth == 0 && k == "paths":
			sub = []string{k}
		case len(keys) == 1:
			sub = []string{keys[0], k}
		case len(keys) == 2 && isMethod(k):
			d.lines[opKey(keys[1], k)] = d.lineAt(int(d.dec.InputOffset()))
		}
		if _, dup := m[k]; dup {
			d.dups.add(k, d.lineAt(int(d.dec.InputOffset())))
		}
		v, err := d.value(depth+1, sub)
		if err != nil {
			return nil, err
		}
		m[k] = v
	}
	_, err := d.dec.Token() // '}'
	return m, err
}

func (d *jsonDecoder) array(depth int) (any, error) {
	a := []any{}
	for d.dec.More() {
		v, err := d.value(depth+1, nil)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
	}
	_, err := d.dec.Token() // ']'
	return a, err
}

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func isMethod(k string) bool {
	for _, m := range methods {
		if strings.EqualFold(k, m) {
			return true
		}
	}
	return false
}

func decodeYAML(data []byte) (any, map[string]int, []string, *Error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		p, ok := yamlerr.Syntax(err)
		if !ok {
			return nil, nil, nil, &Error{Msg: "invalid YAML", Err: err}
		}
		loc := ""
		if p.Line > 0 {
			loc = "line " + strconv.Itoa(p.Line)
		}
		return nil, nil, nil, &Error{Location: loc, Msg: "invalid YAML", Err: errors.New(p.Msg)}
	}
	c := &yamlConv{lines: map[string]int{}, maxNodes: len(data)/2 + maxAliasNodes, maxBytes: expandLimit(len(data))}
	v, err := c.node(&root, 0)
	if err != nil {
		return nil, nil, nil, &Error{Location: "line " + strconv.Itoa(c.line), Msg: "invalid YAML", Err: err}
	}
	if m, ok := v.(map[string]any); ok {
		c.operationLines(&root)
		return m, c.lines, c.dups.warnings(), nil
	}
	return v, c.lines, c.dups.warnings(), nil
}

type yamlConv struct {
	nodes    int
	maxNodes int
	// bytes is the expanded size so far: what the tree would take as JSON.
	bytes    int64
	maxBytes int64
	line     int
	lines    map[string]int
	dups     dupKeys
	// aliased counts how deep the conversion is inside an alias: a
	// duplicate there was already reported where the anchor is.
	aliased int
}

func (c *yamlConv) node(n *yaml.Node, depth int) (any, error) {
	c.nodes++
	c.line = n.Line
	// Every node costs its value plus a few bytes of JSON punctuation, each
	// time an alias repeats it.
	c.bytes += int64(len(n.Value)) + 3
	if depth > maxDepth {
		return nil, fmt.Errorf("nesting deeper than %d levels", maxDepth)
	}
	if c.nodes > c.maxNodes {
		return nil, fmt.Errorf("document expands to more than %d nodes (YAML alias bomb?)", c.maxNodes)
	}
	if c.bytes > c.maxBytes {
		return nil, fmt.Errorf("document expands to more than %d MiB through its aliases (YAML alias bomb?)", c.maxBytes>>20)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.node(n.Content[0], depth)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, errors.New("unknown alias")
		}
		c.aliased++
		defer func() { c.aliased-- }()
		return c.node(n.Alias, depth+1)
	case yaml.SequenceNode:
		a := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.node(e, depth+1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		return a, nil
	case yaml.MappingNode:
		return c.mapping(n, depth)
	default:
		return scalar(n), nil
	}
}

func (c *yamlConv) mapping(n *yaml.Node, depth int) (any, error) {
	m := make(map[string]any, len(n.Content)/2)
	var merges []map[string]any
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		v, err := c.node(vn, depth+1)
		if err != nil {
			return nil, err
		}
		if kn.Kind == yaml.ScalarNode && kn.ShortTag() == "!!merge" {
			merges = append(merges, mergeSources(v)...)
			continue
		}
		k, err := c.node(kn, depth+1)
		if err != nil {
			return nil, err
		}
		ks := keyString(k)
		if _, dup := m[ks]; dup && c.aliased == 0 {
			c.dups.add(ks, kn.Line)
		}
		m[ks] = v
	}
	for _, src := range merges {
		for k, v := range src {
			if _, ok := m[k]; !ok {
				m[k] = v
			}
		}
	}
	return m, nil
}

func mergeSources(v any) []map[string]any {
	switch t := v.(type) {
	case map[string]any:
		return []map[string]any{t}
	case []any:
		var out []map[string]any
		for _, e := range t {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

func keyString(k any) string {
	switch t := k.(type) {
	case string:
		return t
	case nil:
		return "null"
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return fmt.Sprint(t)
		}
		return strings.Trim(string(b), `"`)
	}
}

// scalar resolves a YAML scalar into JSON-compatible Go values.
func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool", "!!int":
		var v any
		if n.Decode(&v) == nil {
			if u, ok := v.(uint64); ok {
				return float64(u)
			}
			return v
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f
		}
	}
	return n.Value
}

// operationLines records the line of every paths/<path>/<method> key.
func (c *yamlConv) operationLines(root *yaml.Node) {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	paths := mapValue(doc, "paths")
	if paths == nil {
		return
	}
	for i := 0; i+1 < len(paths.Content); i += 2 {
		item := paths.Content[i+1]
		if item.Kind == yaml.AliasNode && item.Alias != nil {
			item = item.Alias
		}
		if item.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(item.Content); j += 2 {
			if k := item.Content[j]; isMethod(k.Value) {
				c.lines[opKey(paths.Content[i].Value, k.Value)] = k.Line
			}
		}
	}
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			v := n.Content[i+1]
			if v.Kind == yaml.AliasNode {
				v = v.Alias
			}
			return v
		}
	}
	return nil
}
