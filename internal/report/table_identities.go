package report

import (
	"strings"

	"github.com/plumbsec/plumb/internal/result"
)

// identities prints who the scan acted as, and any login it sent (the one
// POST a read-only scan may send, because the user asked for it).
func (t *tw) identities(r *result.Report) {
	if len(r.Identities) == 0 {
		return
	}
	var parts []string
	for _, id := range r.Identities {
		p := id.Name + " (" + id.Source
		if id.Login != "" {
			p += ": " + id.Login
		}
		parts = append(parts, p+")")
	}
	t.printf("identities: %s\n", strings.Join(parts, ", "))
}
