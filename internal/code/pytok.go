package code

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// pyLexer turns Python source into tokens following the rules of Python's
// tokenize module: string prefixes, triple quotes, f-strings (their
// expressions tokenized too), implicit line joining inside brackets,
// backslash continuation, comments, and INDENT/DEDENT from indentation.
type pyLexer struct {
	src     string
	pos     int
	line    int
	depth   int   // open brackets: newlines inside them are not logical line ends
	indents []int // indentation stack
	out     []token
	atBOL   bool // at the beginning of a logical line
}

// tokenizePython returns the tokens of src. It never fails: text it cannot
// read is skipped a rune at a time.
func tokenizePython(src string, firstLine int) []token {
	return tokenizePythonInto(nil, src, firstLine)
}

// tokenizePythonInto appends the tokens of src to out.
func tokenizePythonInto(out []token, src string, firstLine int) []token {
	lx := &pyLexer{src: src, line: firstLine, indents: []int{0}, atBOL: true, out: out}
	lx.run()
	return lx.out
}

func (lx *pyLexer) emit(k tokKind, text string, line int) {
	if len(lx.out) < maxTokens {
		lx.out = append(lx.out, token{kind: k, text: text, line: line})
	}
}

func (lx *pyLexer) run() {
	for lx.pos < len(lx.src) && len(lx.out) < maxTokens {
		if lx.atBOL && lx.depth == 0 {
			if !lx.indentation() {
				continue
			}
		}
		c := lx.src[lx.pos]
		switch {
		case c == '\n':
			lx.pos++
			if lx.depth == 0 && !lx.atBOL {
				lx.emit(tNewline, "", lx.line)
				lx.atBOL = true
			}
			lx.line++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			lx.pos++
		case c == '#':
			lx.skipComment()
		case c == '\\' && lx.pos+1 < len(lx.src) && (lx.src[lx.pos+1] == '\n' || lx.src[lx.pos+1] == '\r'):
			lx.pos++
			if lx.src[lx.pos] == '\r' {
				lx.pos++
			}
			if lx.pos < len(lx.src) && lx.src[lx.pos] == '\n' {
				lx.pos++
			}
			lx.line++
		case c == '"' || c == '\'':
			lx.str("")
		case c >= '0' && c <= '9' || c == '.' && lx.pos+1 < len(lx.src) && isDigit(lx.src[lx.pos+1]):
			lx.number()
		case isPyIdentStart(lx.src[lx.pos:]):
			lx.name()
		default:
			lx.op()
		}
	}
	if !lx.atBOL {
		lx.emit(tNewline, "", lx.line)
	}
	for len(lx.indents) > 1 {
		lx.indents = lx.indents[:len(lx.indents)-1]
		lx.emit(tDedent, "", lx.line)
	}
	lx.emit(tEOF, "", lx.line)
}

// indentation measures the indentation of a new line and emits INDENT or
// DEDENTs. It returns false when the line is blank or a comment (nothing
// to measure; the caller loops).
func (lx *pyLexer) indentation() bool {
	col, i := 0, lx.pos
	for i < len(lx.src) {
		switch lx.src[i] {
		case ' ':
			col++
		case '\t':
			col = (col/8 + 1) * 8
		case '\f', '\r':
		default:
			goto done
		}
		i++
	}
done:
	if i >= len(lx.src) || lx.src[i] == '\n' || lx.src[i] == '#' {
		lx.pos = i
		if i < len(lx.src) && lx.src[i] == '#' {
			lx.skipComment()
		}
		if lx.pos < len(lx.src) && lx.src[lx.pos] == '\n' {
			lx.pos++
			lx.line++
		}
		return false
	}
	lx.pos = i
	lx.atBOL = false
	top := lx.indents[len(lx.indents)-1]
	switch {
	case col > top:
		lx.indents = append(lx.indents, col)
		lx.emit(tIndent, "", lx.line)
	case col < top:
		for len(lx.indents) > 1 && col < lx.indents[len(lx.indents)-1] {
			lx.indents = lx.indents[:len(lx.indents)-1]
			lx.emit(tDedent, "", lx.line)
		}
	}
	return true
}

func (lx *pyLexer) skipComment() {
	if i := strings.IndexByte(lx.src[lx.pos:], '\n'); i >= 0 {
		lx.pos += i
	} else {
		lx.pos = len(lx.src)
	}
}

func (lx *pyLexer) number() {
	start := lx.pos
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		if isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '.' {
			lx.pos++
			continue
		}
		if (c == '+' || c == '-') && (lx.src[lx.pos-1] == 'e' || lx.src[lx.pos-1] == 'E') && !strings.ContainsAny(lx.src[start:lx.pos], "xX") {
			lx.pos++
			continue
		}
		break
	}
	lx.emit(tNum, lx.src[start:lx.pos], lx.line)
}

func (lx *pyLexer) name() {
	start := lx.pos
	for lx.pos < len(lx.src) {
		if c := lx.src[lx.pos]; c < utf8.RuneSelf {
			if c != '_' && !isASCIILetter(c) && !isDigit(c) {
				break
			}
			lx.pos++
			continue
		}
		r, n := utf8.DecodeRuneInString(lx.src[lx.pos:])
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Mc, r) {
			break
		}
		lx.pos += n
	}
	word := lx.src[start:lx.pos]
	// A string prefix directly followed by a quote starts a string.
	if lx.pos < len(lx.src) && (lx.src[lx.pos] == '"' || lx.src[lx.pos] == '\'') && isStringPrefix(word) {
		lx.str(strings.ToLower(word))
		return
	}
	lx.emit(tName, word, lx.line)
}

func isStringPrefix(p string) bool {
	switch strings.ToLower(p) {
	case "r", "u", "b", "f", "t", "br", "rb", "fr", "rf", "tr", "rt":
		return true
	}
	return false
}

// pyOpLen returns the length of the two- or three-character operator s
// starts with, or 0.
func pyOpLen(s string) int {
	if len(s) >= 3 {
		switch s[:3] {
		case "**=", "//=", ">>=", "<<=", "...":
			return 3
		}
	}
	if len(s) >= 2 {
		switch s[:2] {
		case "**", "//", ">>", "<<", "<=", ">=", "==", "!=", "->", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", ":=":
			return 2
		}
	}
	return 0
}

func (lx *pyLexer) op() {
	rest := lx.src[lx.pos:]
	if n := pyOpLen(rest); n > 0 {
		lx.pos += n
		lx.emit(tOp, rest[:n], lx.line)
		return
	}
	r, n := utf8.DecodeRuneInString(rest)
	lx.pos += n
	switch r {
	case '(', '[', '{':
		lx.depth++
	case ')', ']', '}':
		if lx.depth > 0 {
			lx.depth--
		}
	}
	if r < 0x80 && strings.ContainsRune("()[]{}:,;.+-*/%@&|^~<>=!", r) {
		lx.emit(tOp, string(r), lx.line)
	}
}

// str reads a string literal at lx.pos (on its opening quote) with the given
// lower-cased prefix.
func (lx *pyLexer) str(prefix string) {
	line := lx.line
	q := lx.src[lx.pos]
	triple := strings.HasPrefix(lx.src[lx.pos:], strings.Repeat(string(q), 3))
	delim := string(q)
	if triple {
		delim = strings.Repeat(string(q), 3)
	}
	lx.pos += len(delim)
	raw := strings.Contains(prefix, "r")
	start := lx.pos
	end := -1
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		if c == '\\' && lx.pos+1 < len(lx.src) {
			if lx.src[lx.pos+1] == '\n' {
				lx.line++
			}
			lx.pos += 2
			continue
		}
		if c == '\n' {
			if !triple {
				break // unterminated: stop at the line end
			}
			lx.line++
		}
		if strings.HasPrefix(lx.src[lx.pos:], delim) {
			end = lx.pos
			lx.pos += len(delim)
			break
		}
		lx.pos++
	}
	if end < 0 {
		end = lx.pos
	}
	body := lx.src[start:end]
	if strings.ContainsAny(prefix, "ft") {
		parts := fstringParts(body, raw, line)
		if len(lx.out) < maxTokens {
			lx.out = append(lx.out, token{kind: tTemplate, line: line, tmpl: &parts})
		}
		return
	}
	if !raw {
		body = unescapePy(body)
	}
	lx.emit(tStr, body, line)
}

// fstringParts splits an f-string body into literal pieces and tokenized
// replacement fields; conversions (!r) and format specs (:>10) are dropped.
func fstringParts(body string, raw bool, line int) []tmplPart {
	var parts []tmplPart
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			s := lit.String()
			if !raw {
				s = unescapePy(s)
			}
			parts = append(parts, tmplPart{lit: s, line: line})
			lit.Reset()
		}
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '{' && i+1 < len(body) && body[i+1] == '{', c == '}' && i+1 < len(body) && body[i+1] == '}':
			lit.WriteByte(c)
			i++
		case c == '{':
			flush()
			end := matchBrace(body, i)
			field := body[i+1 : end]
			if cut := fieldEnd(field); cut >= 0 {
				field = field[:cut]
			}
			parts = append(parts, tmplPart{expr: trimPyExpr(tokenizePython(strings.TrimSpace(field), line)), line: line})
			line += strings.Count(body[i:min(end+1, len(body))], "\n")
			i = end
		default:
			if c == '\n' {
				line++
			}
			lit.WriteByte(c)
		}
	}
	flush()
	return parts
}

// trimPyExpr drops the NEWLINE/EOF an embedded expression's tokens end with.
func trimPyExpr(ts []token) []token {
	for len(ts) > 0 && (ts[len(ts)-1].kind == tEOF || ts[len(ts)-1].kind == tNewline || ts[len(ts)-1].kind == tDedent) {
		ts = ts[:len(ts)-1]
	}
	return ts
}

// matchBrace returns the index of the brace closing s[open], skipping
// nested brackets and quoted strings; len(s) when there is none.
func matchBrace(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch c := s[i]; c {
		case '{', '[', '(':
			depth++
		case '}', ']', ')':
			depth--
			if depth == 0 {
				return i
			}
		case '\'', '"':
			if j := strings.IndexByte(s[i+1:], c); j >= 0 {
				i += j + 1
			}
		}
	}
	return len(s)
}

// fieldEnd returns where a replacement field's expression ends: at a
// top-level '!' conversion, ':' format spec or '=' self-documenting marker.
func fieldEnd(f string) int {
	depth := 0
	for i := 0; i < len(f); i++ {
		switch c := f[i]; c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case '\'', '"':
			if j := strings.IndexByte(f[i+1:], c); j >= 0 {
				i += j + 1
			}
		case '!':
			if depth == 0 && (i+1 >= len(f) || f[i+1] != '=') {
				return i
			}
		case ':':
			if depth == 0 {
				return i
			}
		case '=':
			if depth == 0 && i+1 < len(f) && f[i+1] != '=' && (i == 0 || !strings.ContainsRune("=!<>", rune(f[i-1]))) {
				return i
			}
		}
	}
	return -1
}

// unescapePy decodes the escapes of a Python string literal that matter for
// URLs and tokens; unknown escapes keep their backslash, as Python does.
func unescapePy(s string) string {
	return unescape(s, func(b *strings.Builder, s string, i int) int {
		switch e := s[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '\\', '\'', '"':
			b.WriteByte(e)
		case '\n': // a line continuation
		case 'x':
			if v, ok := hexEscape(s, i, 2); ok {
				b.WriteByte(byte(v))
				return i + 2
			}
			b.WriteString(`\x`)
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
		return i
	})
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isPyIdentStart(s string) bool {
	if c := s[0]; c < utf8.RuneSelf {
		return c == '_' || isASCIILetter(c)
	}
	r, _ := utf8.DecodeRuneInString(s)
	return r == '_' || unicode.IsLetter(r)
}
