package suppress

import (
	"fmt"
	"slices"
	"time"

	"github.com/plumbsec/plumb/internal/finding"
)

// Summary is what the config file did to a report. It is part of the JSON
// report contract.
type Summary struct {
	Config     string     `json:"config"`
	Entries    int        `json:"entries"`
	Suppressed int        `json:"suppressed"`
	Expired    []EntryRef `json:"expired"`
	Unused     []EntryRef `json:"unused"`
}

// EntryRef names an ignore entry that needs attention.
type EntryRef struct {
	Entry   string `json:"entry"` // file:line
	Match   string `json:"match"` // e.g. "check dns.dangling-cname, host a.example"
	Reason  string `json:"reason"`
	Expires string `json:"expires,omitempty"`
	// Matches counts the findings an expired entry would still match.
	Matches int `json:"matches"`
}

// Apply marks the findings that an unexpired entry matches as suppressed
// (the first matching entry wins) and reports expired and unused entries.
// An expired entry that still matches a finding is reported as expired,
// not unused. A nil config does nothing.
func (c *Config) Apply(fs []finding.Finding, now time.Time) *Summary {
	if c == nil {
		return nil
	}
	s := &Summary{Config: c.Path, Entries: len(c.Ignore), Expired: []EntryRef{}, Unused: []EntryRef{}}
	used := make([]int, len(c.Ignore))
	// Fingerprint entries are looked up, check entries scanned: a baseline
	// of thousands of fingerprints stays linear in the findings.
	byFP := map[string][]int{}
	var byCheck []int
	for j, e := range c.Ignore {
		if e.Fingerprint != "" {
			byFP[e.Fingerprint] = append(byFP[e.Fingerprint], j)
		} else {
			byCheck = append(byCheck, j)
		}
	}
	for i := range fs {
		f := &fs[i]
		f.Suppressed, f.Suppression = false, nil
		matched := map[int]bool{} // entries that match this finding, counted once
		j := c.match(*f, byFP, byCheck, matched, now)
		if j < 0 && len(f.Affected) > 0 {
			// A grouped finding (one problem at several operations) is also
			// suppressed when entries written for its operations — by their
			// fingerprints from before grouping, or by method and path —
			// cover every one of them.
			first, all := -1, true
			for _, l := range f.Affected {
				one := *f
				one.Location, one.Affected = l, nil
				one.Fingerprint = finding.ComputeFingerprint(f.ID, l)
				k := c.match(one, byFP, byCheck, matched, now)
				all = all && k >= 0
				if k >= 0 && (first < 0 || k < first) {
					first = k
				}
			}
			if all {
				j = first
			}
		}
		for k := range matched {
			used[k]++
		}
		if j >= 0 {
			c.suppress(f, c.Ignore[j], s)
		}
	}
	for j, e := range c.Ignore {
		ref := EntryRef{Entry: c.ref(e), Match: e.describe(), Reason: e.Reason, Expires: e.Expires, Matches: used[j]}
		switch {
		case e.Expired(now):
			s.Expired = append(s.Expired, ref)
		case used[j] == 0:
			s.Unused = append(s.Unused, ref)
		}
	}
	return s
}

func (c *Config) ref(e Entry) string { return fmt.Sprintf("%s:%d", c.Path, e.line) }

// match returns the first entry (in file order) that matches f and has
// not expired, or -1; every matching entry, expired or not, joins matched.
func (c *Config) match(f finding.Finding, byFP map[string][]int, byCheck []int, matched map[int]bool, now time.Time) int {
	cands := append(append([]int(nil), byFP[f.Fingerprint]...), byCheck...)
	for _, fp := range finding.FormerFingerprints(f.ID, f.Location) {
		cands = append(cands, byFP[fp]...)
	}
	slices.Sort(cands) // the first matching entry in file order wins
	cands = slices.Compact(cands)
	first := -1
	for _, j := range cands {
		e := c.Ignore[j]
		if !e.Matches(f) {
			continue
		}
		matched[j] = true
		if !e.Expired(now) && first < 0 {
			first = j
		}
	}
	return first
}

func (c *Config) suppress(f *finding.Finding, e Entry, s *Summary) {
	by := "check"
	if e.Fingerprint != "" {
		by = "fingerprint"
	}
	f.Suppressed = true
	f.Suppression = &finding.Suppression{Reason: e.Reason, Expires: e.Expires, By: by, Entry: c.ref(e)}
	s.Suppressed++
}
