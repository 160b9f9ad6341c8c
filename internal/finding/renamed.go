package finding

import (
	"maps"
	"slices"
)

// renamed maps finding ids (and check ids) that earlier plumb versions
// used to their current ids. Ids are renamed only when they misled (the
// prefix of every id is its category); the old ids keep working wherever a
// user wrote or stored them: suppression entries, fingerprints in config
// files and earlier reports, --only and --skip. Never remove an entry.
var renamed = map[string]string{
	"input.debug-endpoint":      "input-validation.debug-endpoint",
	"input.stack-trace":         "input-validation.stack-trace",
	"input.sql-error":           "input-validation.sql-error",
	"input.http-methods":        "input-validation.http-methods",
	"property.sensitive-fields": "property-authorization.sensitive-fields",
	"property.mass-assignment":  "property-authorization.mass-assignment",
}

// formerly is renamed inverted: current id → the ids it had before.
var formerly = invert(renamed)

func invert(m map[string]string) map[string][]string {
	out := map[string][]string{}
	for old, cur := range m {
		out[cur] = append(out[cur], old)
	}
	for _, olds := range out {
		slices.Sort(olds)
	}
	return out
}

// CurrentID returns the current id of a finding or check id, following
// renames; ids that were never renamed are returned as they are.
func CurrentID(id string) string {
	if cur, ok := renamed[id]; ok {
		return cur
	}
	return id
}

// FormerIDs returns the ids a current id had in earlier versions, if any.
func FormerIDs(id string) []string {
	return append([]string(nil), formerly[id]...)
}

// Renamed returns a copy of the rename table, old id → current id.
func Renamed() map[string]string {
	return maps.Clone(renamed)
}

// FormerFingerprints returns the fingerprints earlier versions gave a
// finding with this id and location, before its id was renamed. Matching
// them lets suppression entries written then keep suppressing.
func FormerFingerprints(id string, loc Location) []string {
	var out []string
	for _, old := range formerly[id] {
		out = append(out, ComputeFingerprint(old, loc))
	}
	return out
}

// Upgrade rewrites a finding read from an earlier report to its current id
// and recomputes its fingerprint from that id, so it compares equal to the
// same finding of a scan today. It reports whether anything changed.
func Upgrade(f *Finding) bool {
	cur := CurrentID(f.ID)
	if cur == f.ID {
		return false
	}
	f.ID = cur
	f.Fingerprint = ComputeFingerprint(cur, f.Location)
	return true
}
