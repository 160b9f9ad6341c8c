package cli

import (
	"fmt"
	"os"

	"github.com/plumbsec/plumb/internal/result"

	"github.com/spf13/pflag"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/score"
	"github.com/plumbsec/plumb/internal/suppress"
)

// acceptFlags choose the ignore file and the earlier report to compare with.
type acceptFlags struct {
	config         string
	noConfig       bool
	baselineReport string
}

func (f *acceptFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "config `FILE` with ignore entries (default: .plumb.yaml or plumb.yaml in the current directory)")
	fs.BoolVar(&f.noConfig, "no-config", false, "ignore .plumb.yaml / plumb.yaml")
	fs.StringVar(&f.baselineReport, "baseline-report", "", "earlier JSON report `FILE`: mark findings new or unchanged and list the fixed ones")
}

// load reads the config file (explicit, or the default one when present)
// and the baseline report. Problems are usage errors: the user fixes a file.
func (f *acceptFlags) load(gate *gateFlags) (*suppress.Config, *result.Report, error) {
	if gate.newOnly && f.baselineReport == "" {
		return nil, nil, usagef("--gate-new-only needs --baseline-report")
	}
	if f.noConfig && f.config != "" {
		return nil, nil, usagef("--config and --no-config contradict each other")
	}
	var cfg *suppress.Config
	path := f.config
	if path == "" && !f.noConfig {
		p, err := suppress.Find(".")
		if err != nil {
			return nil, nil, usagef("%v", err)
		}
		path = p
	}
	if path != "" {
		c, err := suppress.Load(path)
		if err != nil {
			return nil, nil, usagef("--config: %v", err)
		}
		cfg = c
	}
	var old *result.Report
	if f.baselineReport != "" {
		fh, err := os.Open(f.baselineReport)
		if err != nil {
			return nil, nil, usagef("--baseline-report: %v", err)
		}
		defer fh.Close()
		old, err = result.ReadReport(fh)
		if err != nil {
			return nil, nil, usagef("--baseline-report %s: %v", f.baselineReport, err)
		}
	}
	return cfg, old, nil
}

// warnIgnoreEntries tells stderr about expired and unused ignore entries,
// whatever the output format, so they do not rot unseen.
func warnIgnoreEntries(st *Streams, s *suppress.Summary) {
	if s == nil {
		return
	}
	for _, e := range s.Expired {
		fmt.Fprintf(st.Err, "plumb: warning: %s: ignore entry (%s) expired on %s and no longer suppresses (%d matching finding(s))\n", e.Entry, e.Match, e.Expires, e.Matches)
	}
	for _, e := range s.Unused {
		fmt.Fprintf(st.Err, "plumb: warning: %s: ignore entry (%s) matched no finding; remove it if the issue is fixed\n", e.Entry, e.Match)
	}
}

func newFindings(fs []finding.Finding) []finding.Finding {
	var out []finding.Finding
	for _, f := range fs {
		if f.BaselineState == result.StateNew {
			out = append(out, f)
		}
	}
	return out
}

// scoreOf rescores a report's assessed categories over other findings.
func scoreOf(r *result.Report, fs []finding.Finding) int {
	assessed := map[finding.Category]bool{}
	for _, c := range r.Categories {
		assessed[c.ID] = c.Assessed
	}
	return score.Compute(fs, assessed, nil).Score
}
