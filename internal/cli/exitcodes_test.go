package cli

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
)

// Each command's help states its own exit codes: the gates it names are
// flags it has, and it speaks of a spec only if it reads one.
func TestExitCodeHelpIsTrueToEachCommand(t *testing.T) {
	root := newRoot(&Streams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard, LookupEnv: func(string) (string, bool) { return "", false }})
	flagRE := regexp.MustCompile(`--[a-z][a-z-]+`)
	for _, cmd := range root.Commands() {
		i := strings.Index(cmd.Long, "Exit codes:")
		if i < 0 {
			continue
		}
		text := cmd.Long[i:]
		for _, fl := range flagRE.FindAllString(text, -1) {
			if cmd.Flags().Lookup(fl[2:]) == nil {
				t.Errorf("plumb %s --help: exit codes name %s, which it does not have:\n%s", cmd.Name(), fl, text)
			}
		}
		if strings.Contains(text, "spec") && cmd.Flags().Lookup("spec") == nil {
			t.Errorf("plumb %s --help: exit codes speak of a spec, which it does not read:\n%s", cmd.Name(), text)
		}
	}
	for _, name := range []string{"code", "serve", "worker", "dns"} {
		var out bytes.Buffer
		if code := run(context.Background(), []string{name, "--help"}, &Streams{In: strings.NewReader(""), Out: &out, Err: io.Discard}); code != 0 {
			t.Fatalf("plumb %s --help: exit %d", name, code)
		}
		if !strings.Contains(out.String(), "Exit codes:") {
			t.Errorf("plumb %s --help: no exit codes", name)
		}
	}
}
