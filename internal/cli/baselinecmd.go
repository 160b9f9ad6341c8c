package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/plumbsec/plumb/internal/result"

	"github.com/spf13/cobra"

	"github.com/plumbsec/plumb/internal/suppress"
)

func newBaselineCmd(st *Streams) *cobra.Command {
	var (
		output, reason, expires string
		merge, force            bool
	)
	cmd := &cobra.Command{
		Use:   "baseline REPORT.json",
		Short: "Accept a report's findings: write them as ignore entries to .plumb.yaml",
		Long: `Write an ignore entry (by fingerprint) for every finding of a JSON report
(plumb scan --format json), so later scans suppress them and CI fails only on
new findings. --reason is required: it is written into every entry, and
plumb shows it wherever the finding appears. --expires makes the entries stop
suppressing after a date, so accepted risk comes back for review.

An existing output file is kept safe: --merge adds only the findings its
entries do not already suppress (comments are regenerated), --force replaces it.`,
		Example: `  plumb scan https://api.example.com --format json -o plumb.json
  plumb baseline plumb.json --reason "accepted at adoption, see SEC-123" --expires 2027-06-30`,
		Args: exactArgs(1, "a JSON report"),
		RunE: func(_ *cobra.Command, args []string) error {
			if merge && force {
				return usagef("--merge and --force contradict each other")
			}
			return runBaseline(st, args[0], output, reason, expires, merge, force)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&output, "output", "o", ".plumb.yaml", "config `FILE` to write")
	fl.StringVar(&reason, "reason", "", "why these findings are accepted (required; written into every entry)")
	fl.StringVar(&expires, "expires", "", "last day the entries apply, `YYYY-MM-DD` (default: no expiry)")
	fl.BoolVar(&merge, "merge", false, "keep the entries of an existing FILE and add the missing ones")
	fl.BoolVar(&force, "force", false, "replace an existing FILE")
	return cmd
}

func runBaseline(st *Streams, reportPath, output, reason, expires string, merge, force bool) error {
	fh, err := os.Open(reportPath)
	if err != nil {
		return usagef("%v", err)
	}
	rep, err := result.ReadReport(fh)
	fh.Close()
	if err != nil {
		return usagef("%s: %v", reportPath, err)
	}
	var existing *suppress.Config
	switch _, statErr := os.Stat(output); {
	case statErr == nil && merge:
		if existing, err = suppress.Load(output); err != nil {
			return usagef("--merge: %v", err)
		}
	case statErr == nil && !force:
		return usagef("%s exists; pass --merge to add to it or --force to replace it", output)
	case statErr != nil && !errors.Is(statErr, fs.ErrNotExist):
		return usagef("%v", statErr)
	}
	entries, added, err := suppress.Baseline(existing, rep.Findings, reason, expires, time.Now())
	if err != nil {
		return usagef("%v", err)
	}
	notes := map[string]string{}
	for _, f := range added {
		notes[f.Fingerprint] = fmt.Sprintf("%s %s · %s · %s", f.Severity, f.ID, f.Location, f.Title)
	}
	if err := writeFileAtomic(output, func(w io.Writer) error { return suppress.Write(w, entries, notes) }); err != nil {
		return scanError{err}
	}
	_, err = fmt.Fprintf(st.Out, "%s: %d new ignore entries (%d in total) for %d findings of %s\n", output, len(added), len(entries), len(rep.Findings), reportPath)
	return err
}
