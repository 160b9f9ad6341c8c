package safetext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestQuote(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"api.example.com", "api.example.com"},
		{"héllo wörld", "héllo wörld"},
		{"a\x1b[31mred\x1b[0m", `a\x1b[31mred\x1b[0m`},
		{"nul\x00byte", `nul\x00byte`},
		{"bad\xff\xfeutf8", `bad\xff\xfeutf8`},
		{"line1\nline2\r\t", `line1\nline2\r\t`},
		{"back\\slash", `back\slash`},
		{"rtl\u202eevil", `rtl\u202eevil`},
		{"c1\u0085x", `c1\u0085x`},
		{"del\x7f", `del\x7f`},
	} {
		if got := Quote(tc.in, 0); got != tc.want {
			t.Errorf("Quote(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLines(t *testing.T) {
	t.Parallel()
	got := Lines("panic: boom\n\tgoroutine 1 \x1b[31m\nlast", 100)
	if want := "panic: boom\n\tgoroutine 1 \\x1b[31m\nlast"; got != want {
		t.Errorf("Lines = %q, want %q", got, want)
	}
	got = Lines(strings.Repeat("a", 50)+"\n"+strings.Repeat("b", 50)+"\nccc", 60)
	if !strings.HasSuffix(got, "…(3 more bytes)") && !strings.Contains(got, "more bytes") {
		t.Errorf("Lines cut = %q", got)
	}
}

func TestQuoteCuts(t *testing.T) {
	t.Parallel()
	got := Quote(strings.Repeat("é", 1000), 50)
	if !strings.HasSuffix(got, "…(1950 more bytes)") || !utf8.ValidString(got) || len(got) > 50+len("…(1950 more bytes)") {
		t.Errorf("cut = %q", got)
	}
	got = Bytes([]byte(strings.Repeat("\x00", 100)), 20)
	if got != strings.Repeat(`\x00`, 5)+"…(95 more bytes)" {
		t.Errorf("cut escapes = %q", got)
	}
}

func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "a", "\x00\xff", "\u202e", strings.Repeat("x", 300)} {
		f.Add(s, 40)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		got := Quote(s, max)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 out: %q", got)
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u202e' {
				t.Fatalf("control rune %U kept in %q", r, got)
			}
		}
		limit := max
		if limit <= 0 {
			limit = DefaultMax
		}
		if len(got) > limit+len("…(99999999999 more bytes)") {
			t.Fatalf("output %d bytes for max %d", len(got), max)
		}
	})
}
