package cli

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestHelpFitsTheWidth: every command's --help wraps its flag
// descriptions, so no line is wider than the help width unless one word
// (a URL, an example command) is.
func TestHelpFitsTheWidth(t *testing.T) {
	t.Parallel()
	root := newRoot(&Streams{})
	cmds := append(root.Commands(), root)
	for _, c := range cmds {
		if c.Hidden {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			t.Parallel()
			_, out, _ := runCLI(t, append(strings.Fields(c.CommandPath())[1:], "--help")...)
			if !strings.Contains(out, "Flags:") {
				t.Fatalf("no flags section:\n%s", out)
			}
			inFlags := false
			for _, l := range strings.Split(out, "\n") {
				if strings.HasSuffix(l, "Flags:") {
					inFlags = true
				}
				if inFlags && utf8.RuneCountInString(l) > helpWidthDefault && strings.Contains(strings.TrimSpace(l), " ") {
					t.Errorf("%d columns: %s", utf8.RuneCountInString(l), l)
				}
			}
		})
	}
}
