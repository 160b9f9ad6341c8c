package engine

import (
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
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
