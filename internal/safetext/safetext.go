// Package safetext makes text that came from someone else (a target's
// response, a spec, a DNS server, an input file) safe to put in a message:
// control characters, invalid UTF-8 and bidirectional overrides are escaped
// so they cannot drive a terminal or reorder a line, and the result is cut
// to a length a message can hold.
package safetext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultMax is the length error messages cut remote text at.
const DefaultMax = 200

// Quote escapes s and cuts the result to at most max bytes (DefaultMax if
// max <= 0), saying how much was left out. Printable text, spaces included,
// is kept as it is.
func Quote(s string, max int) string {
	if max <= 0 {
		max = DefaultMax
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		esc := escape(r, s[i:i+size])
		if b.Len()+len(esc) > max {
			fmt.Fprintf(&b, "…(%d more bytes)", len(s)-i)
			break
		}
		b.WriteString(esc)
		i += size
	}
	return b.String()
}

// Bytes is Quote for a byte slice.
func Bytes(p []byte, max int) string { return Quote(string(p), max) }

// Lines is Quote for text whose line breaks and tabs are its own (a check's
// error with a stack trace): they are kept, everything else is escaped.
func Lines(s string, max int) string {
	if max <= 0 {
		max = DefaultMax
	}
	lines := strings.Split(s, "\n")
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		room := max - b.Len()
		if room <= 0 {
			fmt.Fprintf(&b, "…(%d more bytes)", len(strings.Join(lines[i:], "\n")))
			break
		}
		b.WriteString(strings.ReplaceAll(Quote(line, room), `\t`, "\t"))
	}
	return b.String()
}

func escape(r rune, raw string) string {
	switch {
	case r == utf8.RuneError && len(raw) == 1:
		return fmt.Sprintf(`\x%02x`, raw[0])
	case r == '\t':
		return `\t`
	case r == '\n':
		return `\n`
	case r == '\r':
		return `\r`
	case r < 0x80 && !unicode.IsPrint(r):
		return fmt.Sprintf(`\x%02x`, r)
	case unicode.Is(unicode.Bidi_Control, r), unicode.IsControl(r), !unicode.IsPrint(r) && r != ' ' && !unicode.IsSpace(r):
		return fmt.Sprintf(`\u%04x`, r)
	}
	return raw
}
