package code

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// parseJSONRef is parseJSON as it was first written, on encoding/json's
// token stream: the oracle TestParseJSONMatchesEncodingJSON compares the
// scanner with.
// parseJSON reads JSON with encoding/json's token stream, so a large file
// is never held as a tree; entries before a syntax error are kept.
func parseJSONRef(src []byte) ([]cfgEntry, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	li := newLineIndex(src)
	g := &groups{}
	type frame struct {
		obj   bool
		group int
		want  bool // an object expects a key next
	}
	var stack []frame
	var path []string
	var out []cfgEntry
	for len(out) <= maxCfgEntries {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("json: %w", err)
		}
		if len(stack) > maxNesting {
			return out, errors.New("json: nested too deep")
		}
		top := func() *frame {
			if len(stack) == 0 {
				return nil
			}
			return &stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				stack = append(stack, frame{obj: d == '{', group: g.next(), want: d == '{'})
			case '}', ']':
				stack = stack[:len(stack)-1]
				if f := top(); f != nil && f.obj {
					path = path[:max(len(path)-1, 0)]
					f.want = true
				}
			}
			continue
		}
		f := top()
		if f != nil && f.obj && f.want {
			k, _ := tok.(string)
			path = append(path, k)
			f.want = false
			continue
		}
		var val string
		switch v := tok.(type) {
		case string:
			val = v
		case json.Number:
			val = v.String()
		case bool:
			val = strconv.FormatBool(v)
		}
		if tok != nil {
			group := 0
			if f != nil {
				group = f.group
			}
			out = append(out, cfgEntry{path: append([]string(nil), path...), value: val, line: li.line(int(dec.InputOffset()) - 1), group: group, flat: f != nil && !f.obj})
		}
		if f != nil && f.obj {
			path = path[:max(len(path)-1, 0)]
			f.want = true
		}
	}
	return out, nil
}
