package engine

import (
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/result"
)

// redactLate masks, in every finding's evidence, the secrets checks
// learned while the scan ran (a password hash property-authorization.sensitive-fields
// found, a registration password): evidence rendered by a check that
// finished earlier is masked with the final redactor too.
func redactLate(fs []finding.Finding, r *netx.Redactor) {
	for i := range fs {
		ev := &fs[i].Evidence
		ev.Summary = r.String(ev.Summary)
		for j := range ev.HTTP {
			x := &ev.HTTP[j]
			x.URL, x.Body, x.Error = r.String(x.URL), r.String(x.Body), r.String(x.Error)
			for _, h := range []map[string][]string{x.RequestHeaders, x.Headers} {
				for k, vs := range h {
					for n := range vs {
						h[k][n] = r.String(vs[n])
					}
				}
			}
		}
	}
}

// redactChanges masks secrets in the changes a writes scan did not undo
// (a throw-away account's password never appears, but a value a check
// quoted might hold a secret learned later).
func redactChanges(cs []result.Change, r *netx.Redactor) []result.Change {
	for i := range cs {
		c := &cs[i]
		c.Operation, c.Object, c.Change, c.Reason = r.String(c.Operation), r.String(c.Object), r.String(c.Change), r.String(c.Reason)
	}
	return cs
}
