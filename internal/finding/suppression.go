package finding

// Source is a place in a source document (the OpenAPI file), 1-based line.
type Source struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

// Suppression says why a finding is suppressed: which ignore entry matched,
// its reason and its expiry date (YYYY-MM-DD, the last day it applies).
type Suppression struct {
	Reason  string `json:"reason"`
	Expires string `json:"expires,omitempty"`
	// By is how the entry matched: "fingerprint" or "check".
	By string `json:"by" jsonschema:"enum=fingerprint,enum=check"`
	// Entry locates the ignore entry, e.g. ".plumb.yaml:12".
	Entry string `json:"entry"`
}

// Active returns the findings that are not suppressed: the ones that count
// in the score and the gates.
func Active(fs []Finding) []Finding {
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		if !f.Suppressed {
			out = append(out, f)
		}
	}
	return out
}
