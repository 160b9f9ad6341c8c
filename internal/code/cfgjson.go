package code

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// parseJSON reads JSON with a small streaming scanner, so a large file is
// never held as a tree, no value is boxed in an interface and lines are
// counted as it goes; entries before a syntax error are kept. It accepts
// what encoding/json's Decoder.Token accepts (a stream of values, a
// trailing comma before a closing bracket, a document cut off between two
// tokens) and reads strings and numbers as it does (TestParseJSONMatches-
// EncodingJSON compares the two).
func parseJSON(src []byte) ([]cfgEntry, error) {
	s := jsonScanner{src: src, line: 1}
	g := &groups{}
	type frame struct {
		obj   bool
		group int
		state jsonState // what may come next inside this frame
	}
	var stack []frame
	var path []string
	var out []cfgEntry
	top := jsTop
	state := func() *jsonState {
		if len(stack) == 0 {
			return &top
		}
		return &stack[len(stack)-1].state
	}
	for len(out) <= maxCfgEntries {
		c, ok := s.skipSpace()
		if !ok {
			return out, nil // the end, wherever it falls between tokens
		}
		if len(stack) > maxNesting {
			return out, errors.New("json: nested too deep")
		}
		st := state()
		switch c {
		case ':':
			if *st != jsObjColon {
				return out, s.unexpected(c)
			}
			s.pos++
			*st = jsObjValue
			continue
		case ',':
			switch *st {
			case jsArrComma:
				*st = jsArrValue
			case jsObjComma:
				*st = jsObjKey
			default:
				return out, s.unexpected(c)
			}
			s.pos++
			continue
		case ']', '}':
			if c == ']' && *st != jsArrStart && *st != jsArrComma || c == '}' && *st != jsObjStart && *st != jsObjComma {
				return out, s.unexpected(c)
			}
			s.pos++
			stack = stack[:len(stack)-1]
			if f := len(stack) - 1; f >= 0 && stack[f].obj {
				path = path[:max(len(path)-1, 0)]
			}
			s.valueEnd(state())
			continue
		case '"':
			if *st == jsObjStart || *st == jsObjKey {
				k, err := s.str()
				if err != nil {
					return out, err
				}
				path = append(path, k)
				*st = jsObjColon
				continue
			}
		}
		if !st.valueAllowed() {
			return out, s.unexpected(c)
		}
		if c == '[' || c == '{' {
			s.pos++
			f := frame{obj: c == '{', group: g.next(), state: jsArrStart}
			if f.obj {
				f.state = jsObjStart
			}
			stack = append(stack, f)
			continue
		}
		line := s.line
		val, null, err := s.scalar(c)
		if err != nil {
			return out, err
		}
		var f *frame
		if len(stack) > 0 {
			f = &stack[len(stack)-1]
		}
		if !null {
			group := 0
			if f != nil {
				group = f.group
			}
			out = append(out, cfgEntry{path: append([]string(nil), path...), value: val, line: line, group: group, flat: f != nil && !f.obj})
		}
		if f != nil && f.obj {
			path = path[:max(len(path)-1, 0)]
		}
		s.valueEnd(st)
	}
	return out, nil
}

// jsonState is where a JSON scanner stands inside an array, an object or
// the top level: what may come next.
type jsonState uint8

const (
	jsTop      jsonState = iota // a value (another one after each)
	jsArrStart                  // a value or ]
	jsArrValue                  // a value (after a comma)
	jsArrComma                  // , or ]
	jsObjStart                  // a key or }
	jsObjKey                    // a key (after a comma)
	jsObjColon                  // :
	jsObjValue                  // a value
	jsObjComma                  // , or }
)

func (st jsonState) valueAllowed() bool {
	return st == jsTop || st == jsArrStart || st == jsArrValue || st == jsObjValue
}

// jsonScanner reads JSON tokens from src.
type jsonScanner struct {
	src  []byte
	pos  int
	line int
}

// valueEnd moves the enclosing state past a complete value.
func (s *jsonScanner) valueEnd(st *jsonState) {
	switch *st {
	case jsArrStart, jsArrValue:
		*st = jsArrComma
	case jsObjValue:
		*st = jsObjComma
	}
}

// skipSpace skips JSON white space and returns the next byte (ok=false at
// the end of the input).
func (s *jsonScanner) skipSpace() (byte, bool) {
	for s.pos < len(s.src) {
		switch c := s.src[s.pos]; c {
		case '\n':
			s.line++
			s.pos++
		case ' ', '\t', '\r':
			s.pos++
		default:
			return c, true
		}
	}
	return 0, false
}

func (s *jsonScanner) unexpected(c byte) error {
	return fmt.Errorf("json: invalid character %q on line %d", c, s.line)
}

func (s *jsonScanner) errEOF() error {
	return fmt.Errorf("json: unexpected end of input on line %d", s.line)
}

// scalar reads a string, number or literal starting with c; null says it
// was null (no value).
func (s *jsonScanner) scalar(c byte) (val string, null bool, err error) {
	switch {
	case c == '"':
		v, err := s.str()
		return v, false, err
	case c == '-' || isDigit(c):
		v, err := s.number()
		return v, false, err
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if c != lit[0] {
			continue
		}
		rest := s.src[s.pos:]
		n := 0
		for n < len(lit) && n < len(rest) && rest[n] == lit[n] {
			n++
		}
		switch {
		case n == len(lit):
			s.pos += n
			return lit, lit == "null", nil
		case n == len(rest):
			return "", false, s.errEOF()
		}
		s.pos += n
		return "", false, s.unexpected(rest[n])
	}
	return "", false, s.unexpected(c)
}

// number reads a number as written: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
// It ends where the grammar ends; what follows is the next token's business.
func (s *jsonScanner) number() (string, error) {
	start := s.pos
	digits := func() int {
		n := 0
		for s.pos < len(s.src) && isDigit(s.src[s.pos]) {
			s.pos++
			n++
		}
		return n
	}
	need := func() error { // a digit must follow
		if s.pos >= len(s.src) {
			return s.errEOF()
		}
		if !isDigit(s.src[s.pos]) {
			return s.unexpected(s.src[s.pos])
		}
		return nil
	}
	if s.src[s.pos] == '-' {
		s.pos++
		if err := need(); err != nil {
			return "", err
		}
	}
	if s.src[s.pos] == '0' {
		s.pos++
	} else {
		digits()
	}
	if s.pos < len(s.src) && s.src[s.pos] == '.' {
		s.pos++
		if err := need(); err != nil {
			return "", err
		}
		digits()
	}
	if s.pos < len(s.src) && (s.src[s.pos] == 'e' || s.src[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.src) && (s.src[s.pos] == '+' || s.src[s.pos] == '-') {
			s.pos++
		}
		if err := need(); err != nil {
			return "", err
		}
		digits()
	}
	return string(s.src[start:s.pos]), nil
}

// str reads a string literal (s.pos on its opening quote) and returns its
// value: escapes decoded, a lone surrogate or invalid UTF-8 replaced by
// U+FFFD, as encoding/json does.
func (s *jsonScanner) str() (string, error) {
	s.pos++
	start := s.pos
	// The common case: no escape, valid UTF-8, the value is the bytes.
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		if c == '"' {
			v := string(s.src[start:s.pos])
			s.pos++
			return v, nil
		}
		if c == '\\' || c < ' ' || c >= utf8.RuneSelf {
			break
		}
		s.pos++
	}
	b := append(make([]byte, 0, s.pos-start+16), s.src[start:s.pos]...)
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '"':
			s.pos++
			return string(b), nil
		case c < ' ':
			return "", s.unexpected(c)
		case c == '\\':
			if s.pos+1 >= len(s.src) {
				return "", s.errEOF()
			}
			e := s.src[s.pos+1]
			s.pos += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, err := s.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) {
					if r2, ok := s.peekU4(); ok {
						if d := utf16.DecodeRune(r, r2); d != unicode.ReplacementChar {
							s.pos += 6
							b = utf8.AppendRune(b, d)
							continue
						}
					}
					r = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", s.unexpected(e)
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			s.pos++
		default:
			r, n := utf8.DecodeRune(s.src[s.pos:])
			b = utf8.AppendRune(b, r)
			s.pos += n
		}
	}
	return "", s.errEOF()
}

// hex4 reads the four hex digits of a \u escape (s.pos past the 'u').
func (s *jsonScanner) hex4() (rune, error) {
	var r rune
	for range 4 {
		if s.pos >= len(s.src) {
			return 0, s.errEOF()
		}
		c := s.src[s.pos]
		v, ok := hexVal(c)
		if !ok {
			return 0, s.unexpected(c)
		}
		r = r*16 + v
		s.pos++
	}
	return r, nil
}

// peekU4 reads a following \uXXXX escape without consuming it.
func (s *jsonScanner) peekU4() (rune, bool) {
	if s.pos+6 > len(s.src) || s.src[s.pos] != '\\' || s.src[s.pos+1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range s.src[s.pos+2 : s.pos+6] {
		v, ok := hexVal(c)
		if !ok {
			return 0, false
		}
		r = r*16 + v
	}
	return r, true
}

func hexVal(c byte) (rune, bool) {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0'), true
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10), true
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10), true
	}
	return 0, false
}
