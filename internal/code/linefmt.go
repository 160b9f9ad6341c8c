package code

import (
	"strings"
)

// The line-oriented formats (.env, INI, .properties) are read by small
// lexers that follow each format's own rules for quoting, comments and
// continuation lines.

// parseEnv reads a dotenv file: KEY=value with optional `export`, single
// quotes (literal), double quotes (escapes, may span lines) and # comments.
func parseEnv(src []byte) []cfgEntry {
	s := string(src)
	var out []cfgEntry
	line := 1
	for i := 0; i < len(s) && len(out) <= maxCfgEntries; {
		// One logical line.
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r') {
			i++
		}
		if i >= len(s) {
			break
		}
		if s[i] == '\n' {
			i++
			line++
			continue
		}
		if s[i] == '#' {
			i = skipToEOL(s, i)
			continue
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != '\n' {
			i++
		}
		key := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s[start:i]), "export "))
		if i >= len(s) || s[i] != '=' || key == "" || strings.ContainsAny(key, " \t") {
			i = skipToEOL(s, i)
			continue
		}
		i++ // =
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		valLine := line
		var val string
		switch {
		case i < len(s) && s[i] == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				j = len(s) - i - 1
			}
			val = s[i+1 : i+1+j]
			line += strings.Count(val, "\n")
			i = skipToEOL(s, min(i+2+j, len(s)))
		case i < len(s) && s[i] == '"':
			var b strings.Builder
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) {
					switch s[i+1] {
					case 'n':
						b.WriteByte('\n')
					default:
						b.WriteByte(s[i+1])
					}
					i += 2
					continue
				}
				if s[i] == '\n' {
					line++
				}
				b.WriteByte(s[i])
				i++
			}
			val = b.String()
			i = skipToEOL(s, min(i+1, len(s)))
		default:
			end := skipToEOL(s, i)
			val = s[i:end]
			if k := strings.Index(val, " #"); k >= 0 {
				val = val[:k]
			}
			val = strings.TrimSpace(val)
			i = end
		}
		out = append(out, cfgEntry{path: []string{key}, value: val, line: valLine, group: 1, flat: true})
	}
	return out
}

// skipToEOL returns the index of the newline ending the line at i (or len(s)).
func skipToEOL(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(s)
}

// parseINI reads an INI file: [section] headers, key = value or key: value,
// ; and # comments, indented continuation lines.
func parseINI(src []byte) []cfgEntry {
	var out []cfgEntry
	section := ""
	group := 1
	lines := strings.Split(string(src), "\n")
	for n := 0; n < len(lines) && len(out) <= maxCfgEntries; n++ {
		start := n
		t := strings.TrimSpace(lines[n])
		if t == "" || t[0] == ';' || t[0] == '#' {
			continue
		}
		if t[0] == '[' && strings.HasSuffix(t, "]") {
			section = strings.TrimSpace(t[1 : len(t)-1])
			group++
			continue
		}
		k := strings.IndexAny(t, "=:")
		if k <= 0 {
			continue
		}
		key := strings.TrimSpace(t[:k])
		val := strings.TrimSpace(t[k+1:])
		if c := strings.Index(val, " ;"); c >= 0 {
			val = strings.TrimSpace(val[:c])
		}
		for n+1 < len(lines) && len(lines[n+1]) > 0 && (lines[n+1][0] == ' ' || lines[n+1][0] == '\t') && strings.TrimSpace(lines[n+1]) != "" {
			n++
			val += "\n" + strings.TrimSpace(lines[n])
		}
		path := []string{key}
		if section != "" {
			path = []string{section, key}
		}
		out = append(out, cfgEntry{path: path, value: strings.Trim(val, `"'`), line: start + 1, group: group, flat: section == ""})
	}
	return out
}

// parseProperties reads a Java .properties file: key=value, key:value or
// key value; # and ! comments; a trailing backslash continues the line;
// \uXXXX and the usual escapes.
func parseProperties(src []byte) []cfgEntry {
	var out []cfgEntry
	lines := strings.Split(string(src), "\n")
	for n := 0; n < len(lines) && len(out) <= maxCfgEntries; n++ {
		start := n
		t := strings.TrimLeft(strings.TrimRight(lines[n], "\r"), " \t\f")
		if t == "" || t[0] == '#' || t[0] == '!' {
			continue
		}
		for strings.HasSuffix(t, `\`) && !strings.HasSuffix(t, `\\`) && n+1 < len(lines) {
			n++
			t = t[:len(t)-1] + strings.TrimLeft(strings.TrimRight(lines[n], "\r"), " \t\f")
		}
		i := 0
		for i < len(t) && !strings.ContainsRune("=: \t\f", rune(t[i])) {
			if t[i] == '\\' {
				i++
			}
			i++
		}
		key := unescapeProps(t[:min(i, len(t))])
		rest := strings.TrimLeft(t[min(i, len(t)):], " \t\f")
		if rest != "" && (rest[0] == '=' || rest[0] == ':') {
			rest = strings.TrimLeft(rest[1:], " \t\f")
		}
		out = append(out, cfgEntry{path: []string{key}, value: unescapeProps(rest), line: start + 1, group: 1, flat: true})
	}
	return out
}

func unescapeProps(s string) string {
	return unescape(s, func(b *strings.Builder, s string, i int) int {
		switch e := s[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'u':
			if v, ok := hexEscape(s, i, 4); ok {
				b.WriteRune(rune(v))
				return i + 4
			}
			b.WriteByte('u')
		default:
			b.WriteByte(e)
		}
		return i
	})
}
