package code

import (
	"strconv"
	"strings"
)

// unescape decodes the backslash escapes of a string literal's body with
// one language's rules: esc writes what the escape at s[i] (the byte after
// the backslash) stands for and returns the index of its last byte. A
// trailing backslash is kept as it is.
func unescape(s string, esc func(b *strings.Builder, s string, i int) int) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i = esc(&b, s, i+1)
	}
	return b.String()
}

// hexEscape reads the n hex digits that follow s[i] (the x of \xNN, the u
// of \uNNNN).
func hexEscape(s string, i, n int) (uint64, bool) {
	if i+n >= len(s) {
		return 0, false
	}
	v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 4*n)
	return v, err == nil
}
