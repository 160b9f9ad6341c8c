package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/plumbsec/plumb/internal/report"
)

// extraOutputs are the --output-FORMAT flags: one per registered format, so
// a run can write e.g. SARIF for code scanning, HTML for people and a
// Markdown job summary while the terminal shows the table.
type extraOutputs struct {
	paths map[string]*string // format → file
}

func (x *extraOutputs) register(fs *pflag.FlagSet) {
	x.paths = map[string]*string{}
	for _, f := range report.Formats() {
		p := new(string)
		x.paths[f.Name] = p
		fs.StringVar(p, "output-"+f.Name, "", "also write the "+f.Name+" report ("+f.Description+") to `FILE`")
	}
}

// list returns the requested outputs in registry order.
func (x *extraOutputs) list() []report.Written {
	var out []report.Written
	for _, f := range report.Formats() {
		if p := x.paths[f.Name]; p != nil && *p != "" {
			out = append(out, report.Written{Format: f.Name, Path: *p})
		}
	}
	return out
}

// validate rejects two outputs aimed at one file (the second would silently
// replace the first).
func (x *extraOutputs) validate(mainOutput string) error {
	seen := map[string]string{}
	if mainOutput != "" {
		seen[filepath.Clean(mainOutput)] = "--output"
	}
	for _, w := range x.list() {
		if strings.TrimSpace(w.Path) == "-" {
			return usagef("--output-%s: write to a file; stdout gets --format", w.Format)
		}
		k := filepath.Clean(w.Path)
		if prev, ok := seen[k]; ok {
			return usagef("--output-%s and %s both write %s", w.Format, prev, w.Path)
		}
		seen[k] = "--output-" + w.Format
	}
	return nil
}

// describeWritten is the one-line stderr note for files written when the
// main report went to a file or is machine-readable.
func describeWritten(ws []report.Written) string {
	var parts []string
	for _, w := range ws {
		parts = append(parts, fmt.Sprintf("%s → %s", w.Format, w.Path))
	}
	return "wrote " + strings.Join(parts, ", ")
}
