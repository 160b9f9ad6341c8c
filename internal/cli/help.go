package cli

import (
	"io"
	"os"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// Help wraps flag descriptions to the terminal (100 columns when the help
// goes to a file or a pipe): plumb's flags say what they do in a sentence,
// and a 240-column line is unreadable in an 80-column terminal.
const (
	helpWidthDefault = 100
	helpWidthMin     = 60
	helpWidthMax     = 120
)

var registerHelpFuncs sync.Once

// wrapFlagHelp makes root's usage (and its commands') wrap flag
// descriptions to the width of where the help is written, found only when
// help is shown.
func wrapFlagHelp(root *cobra.Command) {
	registerHelpFuncs.Do(func() {
		cobra.AddTemplateFunc("wrappedFlags", func(c *cobra.Command, fs *pflag.FlagSet) string {
			return strings.TrimRight(fs.FlagUsagesWrapped(helpWidth(c.OutOrStdout())), " \n")
		})
	})
	t := root.UsageTemplate()
	t = strings.ReplaceAll(t, ".LocalFlags.FlagUsages | trimTrailingWhitespaces", "wrappedFlags . .LocalFlags")
	t = strings.ReplaceAll(t, ".InheritedFlags.FlagUsages | trimTrailingWhitespaces", "wrappedFlags . .InheritedFlags")
	root.SetUsageTemplate(t)
}

func helpWidth(out io.Writer) int {
	f, ok := out.(*os.File)
	if !ok || !isTerminal(out) {
		return helpWidthDefault
	}
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil || w <= 0 {
		return helpWidthDefault
	}
	return min(max(w, helpWidthMin), helpWidthMax)
}
