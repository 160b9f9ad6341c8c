package code

import "bytes"

// parseJSONOrJSONC parses JSON; a document that fails and has comments or
// trailing commas outside its strings (tsconfig.json, devcontainer.json,
// .vscode/settings.json and other JSON-with-comments files) is parsed
// again with those blanked out, lines kept. A plain JSON document is read
// exactly as parseJSON reads it.
func parseJSONOrJSONC(src []byte) ([]cfgEntry, error) {
	entries, err := parseJSON(src)
	if err == nil {
		return entries, nil
	}
	clean, changed := stripJSONC(src)
	if !changed {
		return entries, err
	}
	if e2, err2 := parseJSON(clean); err2 == nil || len(e2) > len(entries) {
		return e2, err2
	}
	return entries, err
}

// stripJSONC returns a copy of src with // and /* */ comments and commas
// before a closing bracket replaced by spaces (newlines kept, so lines do
// not move), and whether it changed anything. Strings are copied as they
// are.
func stripJSONC(src []byte) ([]byte, bool) {
	if !bytes.Contains(src, []byte("/")) && !bytes.Contains(src, []byte(",")) {
		return src, false
	}
	out := append([]byte(nil), src...)
	changed := false
	blank := func(from, to int) {
		for k := from; k < to; k++ {
			if out[k] != '\n' {
				out[k] = ' '
			}
		}
		changed = true
	}
	lastComma := -1 // a comma with only space and comments after it so far
	for i := 0; i < len(out); i++ {
		switch c := out[i]; {
		case c == '"':
			lastComma = -1
			for i++; i < len(out) && out[i] != '"' && out[i] != '\n'; i++ {
				if out[i] == '\\' {
					i++
				}
			}
		case c == '/' && i+1 < len(out) && out[i+1] == '/':
			j := bytes.IndexByte(out[i:], '\n')
			if j < 0 {
				j = len(out) - i
			}
			blank(i, i+j)
			i += j - 1
		case c == '/' && i+1 < len(out) && out[i+1] == '*':
			j := bytes.Index(out[i+2:], []byte("*/"))
			end := len(out)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			blank(i, end)
			i = end - 1
		case c == ',':
			lastComma = i
		case c == '}' || c == ']':
			if lastComma >= 0 {
				blank(lastComma, lastComma+1)
			}
			lastComma = -1
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		default:
			lastComma = -1
		}
	}
	return out, changed
}
