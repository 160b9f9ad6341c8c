package result

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/plumbsec/plumb/internal/finding"
)

// Diff compares a report's findings with an earlier report's, by fingerprint.
type Diff struct {
	Baseline          string            `json:"baseline"` // where the earlier report came from
	BaselineStartedAt time.Time         `json:"baseline_started_at"`
	New               int               `json:"new"`
	Unchanged         int               `json:"unchanged"`
	Fixed             int               `json:"fixed"`
	FixedFindings     []finding.Finding `json:"fixed_findings"` // in the earlier report, gone now
}

// Baseline states of a finding.
const (
	StateNew       = "new"
	StateUnchanged = "unchanged"
)

// CompareTo marks each finding new or unchanged relative to old and records
// the findings of old that are gone. Suppressed findings are compared too:
// suppression is a decision about a finding, not its absence.
func (r *Report) CompareTo(old *Report, source string) {
	before := make(map[string]bool, len(old.Findings))
	for _, f := range old.Findings {
		before[f.Fingerprint] = true
	}
	d := &Diff{Baseline: source, BaselineStartedAt: old.StartedAt, FixedFindings: []finding.Finding{}}
	now := make(map[string]bool, len(r.Findings))
	for i := range r.Findings {
		f := &r.Findings[i]
		now[f.Fingerprint] = true
		// A finding that groups operations which earlier reports listed
		// one by one is the same problem as those.
		was := before[f.Fingerprint]
		for _, fp := range finding.LegacyFingerprints(*f) {
			now[fp] = true
			was = was || before[fp]
		}
		if was {
			f.BaselineState = StateUnchanged
			d.Unchanged++
		} else {
			f.BaselineState = StateNew
			d.New++
		}
	}
	for _, f := range old.Findings {
		if !now[f.Fingerprint] {
			f.BaselineState, f.Suppressed, f.Suppression = "", false, nil
			d.FixedFindings = append(d.FixedFindings, f)
		}
	}
	d.Fixed = len(d.FixedFindings)
	r.Diff = d
}

// ReadReport decodes a JSON report written by plumb (any schema_version 1).
func ReadReport(rd io.Reader) (*Report, error) {
	var r Report
	dec := json.NewDecoder(io.LimitReader(rd, 256<<20))
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("not a plumb JSON report: %w", err)
	}
	if r.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("report schema_version %q: want %q (write it with plumb scan --format json)", r.SchemaVersion, SchemaVersion)
	}
	for i, f := range r.Findings {
		if f.Fingerprint == "" {
			r.Findings[i].Fingerprint = finding.ComputeFingerprint(f.ID, f.Location)
		}
		finding.Upgrade(&r.Findings[i]) // a renamed id compares equal to its current one
	}
	return &r, nil
}
