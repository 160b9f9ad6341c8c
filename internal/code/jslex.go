package code

import (
	"bytes"
	"errors"
	"io"
	"strconv"
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
	jl := &jsLexer{l: js.NewLexer(parse.NewInputBytes(buf)), line: 1, budget: len(buf) + 16}
	out := jl.until(false)
	return append(out, token{kind: tEOF, line: jl.line})
}

const jsPad = 16

type jsLexer struct {
	l      *js.Lexer
	line   int
	nl     bool
	prev   *token
	budget int // Next calls left: the lexer always advances, this is a second guard
	n      int // tokens emitted
	// tail is the template piece ("}…${" or "}…`") that ended a substitution.
	tail     []byte
	tailType js.TokenType
}

// until reads tokens to the end of input, or, inside a template
// substitution (sub), up to the template piece that ends it, which it
// returns unread in jl.tail.
func (jl *jsLexer) until(sub bool) []token {
	var out []token
	for jl.budget > 0 && jl.n < maxTokens {
		jl.budget--
		tt, data := jl.l.Next()
		switch {
		case tt == js.ErrorToken:
			if errors.Is(jl.l.Err(), io.EOF) {
				return out
			}
			jl.line += bytes.Count(data, []byte{'\n'})
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
			jl.tailType, jl.tail = tt, data
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
	case tt == js.StringToken:
		t.kind, t.text = tStr, unescapeJS(string(data[1:max(len(data)-1, 1)]))
		jl.line += bytes.Count(data, []byte{'\n'})
	case tt == js.TemplateToken:
		t.kind, t.text = tStr, unescapeJS(string(data[1:max(len(data)-1, 1)]))
		jl.line += bytes.Count(data, []byte{'\n'})
	case tt == js.TemplateStartToken:
		t.kind, t.parts = tTemplate, jl.template(data)
	case tt == js.DivToken || tt == js.DivEqToken:
		if jl.regexpAllowed() {
			if rt, re := jl.l.RegExp(); rt == js.RegExpToken {
				t.kind, t.text = tRegexp, string(re)
				return t
			}
		}
		t.kind, t.text = tOp, string(data)
	case js.IsNumeric(tt):
		t.kind, t.text = tNum, string(data)
	case js.IsPunctuator(tt):
		t.kind, t.text = tOp, string(data)
	default:
		t.kind, t.text = tName, string(data)
	}
	return t
}

// template reads a template literal with substitutions, whose first piece
// ("`…${") is data.
func (jl *jsLexer) template(data []byte) []tmplPart {
	parts := []tmplPart{{lit: unescapeJS(string(data[1 : len(data)-2])), line: jl.line}}
	jl.line += bytes.Count(data, []byte{'\n'})
	for jl.budget > 0 {
		line := jl.line
		jl.tail = nil
		ts := jl.until(true)
		parts = append(parts, tmplPart{expr: ts, line: line})
		if jl.tail == nil { // end of input inside the template
			return parts
		}
		piece := string(jl.tail)
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
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '\n', '\r':
		case 'x':
			if i+2 < len(s) {
				if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
					b.WriteRune(rune(v))
					i += 2
					continue
				}
			}
			b.WriteByte('x')
		case 'u':
			if i+4 < len(s) && s[i+1] != '{' {
				if v, err := strconv.ParseUint(s[i+1:i+5], 16, 16); err == nil {
					b.WriteRune(rune(v))
					i += 4
					continue
				}
			}
			b.WriteByte('u')
		default:
			b.WriteByte(e)
		}
	}
	return b.String()
}
