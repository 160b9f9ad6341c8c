package finding

import (
	"fmt"
	"slices"
	"strings"
)

// GroupBy says what one finding of a rule stands for when its problem is
// seen at several operations. A header policy, an auth layer or a token
// check is one problem however many operations show it: the report lists
// it once, with every affected operation, instead of once per operation.
type GroupBy string

// Grouping policies.
const (
	// GroupNone: one finding per location (each operation is its own
	// problem: a missing ownership check, an unprotected route).
	GroupNone GroupBy = ""
	// GroupHost: one finding per rule and host.
	GroupHost GroupBy = "host"
	// GroupHostParam: one finding per rule, host and Location.Param (the
	// kind of forged token, the cookie, the query parameter).
	GroupHostParam GroupBy = "host-param"
)

// Evidence bounds of a grouped finding: the first member's exchanges and
// one more from each of the next few members.
const (
	groupExtraExchanges = 2
	groupSummaryOps     = 10
)

// Group merges the findings of grouped rules (policy says which) that
// share a root cause into one finding: its Location is the root cause
// (host, and Param for GroupHostParam), Affected lists every location in
// order, severity and confidence are the strongest member's, and the
// evidence keeps a bounded sample. Members are ordered before merging, so
// the result does not depend on the order checks finished in. Findings of
// ungrouped rules pass through unchanged.
func Group(fs []Finding, policy func(id string) GroupBy) []Finding {
	type group struct {
		by      GroupBy
		members []Finding
	}
	groups := map[string]*group{}
	var keys []string
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		by := policy(f.ID)
		if by == GroupNone || f.Location.Host == "" {
			out = append(out, f)
			continue
		}
		k := groupKey(f, by)
		g, ok := groups[k]
		if !ok {
			g = &group{by: by}
			groups[k] = g
			keys = append(keys, k)
		}
		g.members = append(g.members, f)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out = append(out, merge(groups[k].members, groups[k].by))
	}
	return out
}

func groupKey(f Finding, by GroupBy) string {
	k := f.ID + "\x00" + strings.ToLower(f.Location.Host)
	if by == GroupHostParam {
		k += "\x00" + f.Location.Param
	}
	return k
}

// RootLocation is the location a grouped finding of policy by stands at.
func RootLocation(l Location, by GroupBy) Location {
	root := Location{Host: l.Host}
	if by == GroupHostParam {
		root.Param = l.Param
	}
	return root
}

func merge(ms []Finding, by GroupBy) Finding {
	slices.SortStableFunc(ms, func(a, b Finding) int {
		switch {
		case a.Severity != b.Severity:
			return int(b.Severity) - int(a.Severity)
		case a.Confidence != b.Confidence:
			return int(b.Confidence) - int(a.Confidence)
		}
		return strings.Compare(a.Location.String(), b.Location.String())
	})
	f := ms[0]
	var affected []Location
	for _, m := range ms {
		for _, l := range append([]Location{m.Location}, m.Affected...) {
			if l != RootLocation(l, by) && !slices.Contains(affected, l) {
				affected = append(affected, l)
			}
		}
	}
	slices.SortFunc(affected, func(a, b Location) int { return strings.Compare(a.String(), b.String()) })
	f.Location = RootLocation(f.Location, by)
	f.Affected = affected
	if len(affected) <= 1 {
		return f
	}
	f.Title = fmt.Sprintf("%s (and %d more operations)", f.Title, len(affected)-1)
	names := make([]string, 0, min(len(affected), groupSummaryOps))
	for _, l := range affected[:min(len(affected), groupSummaryOps)] {
		names = append(names, l.OpName())
	}
	more := ""
	if len(affected) > groupSummaryOps {
		more = fmt.Sprintf(" and %d more", len(affected)-groupSummaryOps)
	}
	f.Evidence.Summary = strings.TrimSpace(f.Evidence.Summary + fmt.Sprintf("\nSeen on %d operations: %s%s.",
		len(affected), strings.Join(names, ", "), more))
	f.Evidence.HTTP = slices.Clone(f.Evidence.HTTP)
	f.Evidence.DNS = slices.Clone(f.Evidence.DNS)
	extra := 0
	for _, m := range ms[1:] {
		if extra == groupExtraExchanges {
			break
		}
		if len(m.Evidence.HTTP) > 0 {
			f.Evidence.HTTP = append(f.Evidence.HTTP, m.Evidence.HTTP[0])
			extra++
		}
	}
	return f
}

// OpName names the operation of a location without its host: "GET
// /users/{id} [id]", or the whole location when it has no operation.
func (l Location) OpName() string {
	if l.Method == "" && l.Path == "" {
		return l.String()
	}
	return strings.TrimPrefix(strings.Replace(l.String(), l.Host, "", 1), " ")
}

// LegacyFingerprints are the fingerprints a grouped finding's locations
// had when each was its own finding (and under the rule's former ids), so
// suppression entries and baselines written then still match it.
func LegacyFingerprints(f Finding) []string {
	var out []string
	for _, l := range f.Affected {
		out = append(out, ComputeFingerprint(f.ID, l))
		out = append(out, FormerFingerprints(f.ID, l)...)
	}
	return out
}
