package code

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// tokenizeJS returns the tokens of JavaScript or TypeScript source, using
// tdewolff/parse's ECMAScript lexer (regular expressions told apart from
// division by the previous token, template literals split into their
// pieces and embedded expressions). It never fails: what the lexer rejects
// (JSX text, TypeScript it does not know) is skipped.
func tokenizeJS(src []byte) []token {
	// The lexer can step a byte or two past the end of malformed input
	// (a '#' at the very end): pad with NULs, which it reads as errors.
	buf := make([]byte, len(src), len(src)+jsPad+1)
	copy(buf, src)
	buf = append(buf, make([]byte, jsPad)...)
	jl := &jsLexer{buf: buf, src: string(buf), end: len(src), line: 1, budget: len(buf) + 16}
	jl.restart(0)
	out := jl.until(getTokens(len(src)), false)
	return append(out, token{kind: tEOF, line: jl.line})
}

// restart lexes afresh from buf[off:]. The lexer's error messages locate
// an error by scanning its input from the start, so after an error
// (JSX text, TypeScript it does not know) lexing goes on from a new
// input: a file with many errors costs linear time, not quadratic.
func (jl *jsLexer) restart(off int) {
	jl.base = off
	jl.in = parse.NewInputBytes(jl.buf[off:])
	jl.l = js.NewLexer(jl.in)
}

// text returns the bytes the lexer just returned (data) as a substring of
// the source, without copying them.
func (jl *jsLexer) text(data []byte) string {
	end := jl.base + jl.in.Offset()
	if start := end - len(data); start >= 0 && end <= len(jl.src) {
		return jl.src[start:end]
	}
	return string(data)
}

// done says the real input is read: what is left is the padding.
func (jl *jsLexer) done() bool { return jl.base+jl.in.Offset() >= jl.end }

const jsPad = 16

type jsLexer struct {
	l      *js.Lexer
	in     *parse.Input
	buf    []byte // the source and its padding
	src    string // buf as a string: tokens' texts are its substrings
	base   int    // offset of in in buf
	end    int    // length of the source
	tmpl   int    // template substitutions open
	line   int
	nl     bool
	prev   *token
	budget int // Next calls left: the lexer always advances, this is a second guard
	n      int // tokens emitted
	// tail is the template piece ("}…${" or "}…`") that ended a substitution.
	tail     string
	tailType js.TokenType
}

// until appends to out the tokens to the end of input, or, inside a template
// substitution (sub), up to the template piece that ends it, which it
// returns unread in jl.tail.
func (jl *jsLexer) until(out []token, sub bool) []token {
	for jl.budget > 0 && jl.n < maxTokens && !jl.done() {
		jl.budget--
		tt, data := jl.l.Next()
		switch {
		case tt == js.ErrorToken:
			if errors.Is(jl.l.Err(), io.EOF) {
				return out
			}
			jl.line += bytes.Count(data, []byte{'\n'})
			if jl.tmpl == 0 { // a template's state lives in the lexer: keep it
				jl.restart(jl.base + jl.in.Offset())
			}
			continue
		case tt == js.WhitespaceToken:
			continue
		case tt == js.LineTerminatorToken || tt == js.CommentLineTerminatorToken:
			jl.line += max(bytes.Count(data, []byte{'\n'}), 1)
			jl.nl = true
			continue
		case tt == js.CommentToken:
			jl.line += bytes.Count(data, []byte{'\n'})
			continue
		case sub && (tt == js.TemplateMiddleToken || tt == js.TemplateEndToken):
			jl.tailType, jl.tail = tt, jl.text(data)
			return out
		}
		t := jl.token(tt, data)
		out = append(out, t)
		jl.n++
		jl.prev = &out[len(out)-1]
	}
	return out
}

func (jl *jsLexer) token(tt js.TokenType, data []byte) token {
	t := token{line: jl.line, nl: jl.nl}
	jl.nl = false
	switch {
	case tt == js.StringToken || tt == js.TemplateToken:
		s := jl.text(data)
		t.kind, t.text = tStr, unescapeJS(s[1:max(len(s)-1, 1)])
		jl.line += bytes.Count(data, []byte{'\n'})
	case tt == js.TemplateStartToken:
		parts := jl.template(data)
		t.kind, t.tmpl = tTemplate, &parts
	case tt == js.DivToken || tt == js.DivEqToken:
		if jl.regexpAllowed() {
			if rt, re := jl.l.RegExp(); rt == js.RegExpToken {
				t.kind, t.text = tRegexp, jl.text(re)
				return t
			}
		}
		t.kind, t.text = tOp, jl.text(data)
	case js.IsNumeric(tt):
		t.kind, t.text = tNum, jl.text(data)
	case js.IsPunctuator(tt):
		t.kind, t.text = tOp, jl.text(data)
	default:
		t.kind, t.text = tName, jl.text(data)
	}
	return t
}

// template reads a template literal with substitutions, whose first piece
// ("`…${") is data.
func (jl *jsLexer) template(data []byte) []tmplPart {
	head := jl.text(data)
	parts := []tmplPart{{lit: unescapeJS(head[1 : len(head)-2]), line: jl.line}}
	jl.line += bytes.Count(data, []byte{'\n'})
	for jl.budget > 0 {
		line := jl.line
		jl.tail = ""
		jl.tmpl++
		ts := jl.until(nil, true)
		jl.tmpl--
		parts = append(parts, tmplPart{expr: ts, line: line})
		if jl.tail == "" { // end of input inside the template
			return parts
		}
		piece := jl.tail
		jl.line += strings.Count(piece, "\n")
		if jl.tailType == js.TemplateEndToken {
			parts = append(parts, tmplPart{lit: unescapeJS(piece[1 : len(piece)-1]), line: line})
			return parts
		}
		parts = append(parts, tmplPart{lit: unescapeJS(piece[1 : len(piece)-2]), line: line})
	}
	return parts
}

// regexpAllowed says whether a '/' after the previous token starts a
// regular expression rather than a division.
func (jl *jsLexer) regexpAllowed() bool {
	p := jl.prev
	if p == nil {
		return true
	}
	switch p.kind {
	case tNum, tStr, tTemplate, tRegexp:
		return false
	case tOp:
		return p.text != ")" && p.text != "]" && p.text != "}"
	case tName:
		switch p.text {
		case "return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "instanceof", "yield", "await":
			return true
		}
		return false
	}
	return true
}

// unescapeJS decodes a JavaScript string body's escapes.
func unescapeJS(s string) string {
	return unescape(s, func(b *strings.Builder, s string, i int) int {
		switch e := s[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '\n', '\r': // a line continuation
		case 'x':
			if v, ok := hexEscape(s, i, 2); ok {
				b.WriteRune(rune(v))
				return i + 2
			}
			b.WriteByte('x')
		case 'u':
			if v, ok := hexEscape(s, i, 4); ok { // \u{…} is not read
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
