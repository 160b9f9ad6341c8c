package cli

import (
	"io"
	"os"
	"strconv"
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

// helpWidthKey is the root command's annotation that holds its help width
// (cobra's template functions are global; the width is per invocation).
const helpWidthKey = "plumb-help-width"

var registerHelpFuncs sync.Once

func wrapFlagHelp(root *cobra.Command, out io.Writer) {
	registerHelpFuncs.Do(func() {
		cobra.AddTemplateFunc("wrappedFlags", func(c *cobra.Command, fs *pflag.FlagSet) string {
			width, err := strconv.Atoi(c.Root().Annotations[helpWidthKey])
			if err != nil {
				width = helpWidthDefault
			}
			return strings.TrimRight(fs.FlagUsagesWrapped(width), " \n")
		})
	})
	if root.Annotations == nil {
		root.Annotations = map[string]string{}
	}
	root.Annotations[helpWidthKey] = strconv.Itoa(helpWidth(out))
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
