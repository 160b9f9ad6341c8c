package report

import (
	"bytes"
	"encoding/json"
	"io"
)

// sarifDefaultMinusOne are the SARIF 2.1.0 properties whose default is -1
// ("not given"). The SARIF library writes that default out on every
// location and result; a consumer reads the absent property the same way.
var sarifDefaultMinusOne = map[string]bool{
	"id": true, "index": true, "parentIndex": true, "byteOffset": true, "charOffset": true, "rank": true,
}

// sarifKeepEmpty are arrays whose emptiness says something: a run with
// "results": [] found nothing, a run without results did not look.
var sarifKeepEmpty = map[string]bool{"results": true, "runs": true}

// writeTidySARIF writes v (a SARIF log) indented, without the properties
// that only restate a default: -1 indexes and offsets, empty arrays and
// objects. The meaning is unchanged; the file is half the size and reads.
func writeTidySARIF(w io.Writer, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(tidySARIF(tree))
}

func tidySARIF(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, c := range t {
			c = tidySARIF(c)
			if n, ok := c.(json.Number); ok && n == "-1" && sarifDefaultMinusOne[k] {
				delete(t, k)
				continue
			}
			if emptyJSON(c) && !sarifKeepEmpty[k] {
				delete(t, k)
				continue
			}
			t[k] = c
		}
		return t
	case []any:
		for i, c := range t {
			t[i] = tidySARIF(c)
		}
		return t
	}
	return v
}

// emptyJSON reports an empty JSON array or object.
func emptyJSON(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		return len(t) == 0
	case []any:
		return len(t) == 0
	}
	return false
}
