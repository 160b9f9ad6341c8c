package suppress

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/finding"
)

// Baseline builds ignore entries, one per fingerprint, for the findings of
// a report that existing entries do not already suppress at now. Every new
// entry gets reason and (optional) expires; there is no placeholder reason:
// accepting a finding is a decision someone states.
func Baseline(existing *Config, fs []finding.Finding, reason, expires string, now time.Time) ([]Entry, []finding.Finding, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, nil, fmt.Errorf("a reason is required: say why these findings are accepted")
	}
	if expires != "" {
		if _, err := time.Parse(time.DateOnly, expires); err != nil {
			return nil, nil, fmt.Errorf("expires %q: want a date, YYYY-MM-DD", expires)
		}
	}
	var entries []Entry
	if existing != nil {
		entries = append(entries, existing.Ignore...)
	}
	var added []finding.Finding
	seen := map[string]bool{}
	for _, f := range fs {
		if f.Fingerprint == "" {
			f.Fingerprint = finding.ComputeFingerprint(f.ID, f.Location)
		}
		if seen[f.Fingerprint] || covered(entries, f, now) {
			continue
		}
		seen[f.Fingerprint] = true
		entries = append(entries, Entry{Fingerprint: f.Fingerprint, Reason: reason, Expires: expires})
		added = append(added, f)
	}
	return entries, added, nil
}

func covered(es []Entry, f finding.Finding, now time.Time) bool {
	for _, e := range es {
		if !e.Expired(now) && e.Matches(f) {
			return true
		}
	}
	return false
}

// Write renders a config file. notes maps a fingerprint to a comment line
// (what the finding was) written above its entry.
func Write(w io.Writer, entries []Entry, notes map[string]string) error {
	var b strings.Builder
	b.WriteString("# plumb config: accepted findings. Each entry needs a reason; `expires`\n")
	b.WriteString("# (YYYY-MM-DD, the last day it applies) makes plumb report it again after.\n")
	b.WriteString("# See https://github.com/plumbsec/plumb#config-file-plumbyaml\n")
	b.WriteString("version: 1\nignore:\n")
	for _, e := range entries {
		if n := notes[e.Fingerprint]; n != "" && e.Fingerprint != "" {
			fmt.Fprintf(&b, "  # %s\n", oneLine(n))
		}
		first := true
		field := func(k, v string) {
			if v == "" {
				return
			}
			lead := "    "
			if first {
				lead, first = "  - ", false
			}
			fmt.Fprintf(&b, "%s%s: %s\n", lead, k, strconv.Quote(v))
		}
		field("fingerprint", e.Fingerprint)
		field("check", e.Check)
		field("host", e.Host)
		field("method", e.Method)
		field("path", e.Path)
		field("param", e.Param)
		field("reason", e.Reason)
		field("expires", e.Expires)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}
