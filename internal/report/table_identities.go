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
	prefix := "identities: "
	for _, id := range r.Identities {
		p := id.Name + " (" + id.Source
		if id.Login != "" {
			p += ": " + id.Login
		}
		if u := id.User; u != nil {
			p += "; the API says " + strings.Join(nonEmpty(u.Name, u.Email, prefixed("id ", u.ID), prefixed("role ", u.Role)), ", ")
		}
		t.wrap(prefix, p+")", "")
		prefix = strings.Repeat(" ", len(prefix))
	}
}

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}
