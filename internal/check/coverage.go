package check

import (
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/spec"
)

// rows builds the per-operation table; c.mu is held by the caller.
func (c *Coverage) rows(api *spec.API) result.OpRows {
	ops := c.all(api)
	out := make(result.OpRows, 0, len(ops))
	for _, op := range ops {
		k := OpKey(op)
		row := result.OperationCoverage{Operation: k, Requests: c.counts[k]}
		st, ok := c.requested[k]
		switch {
		case !ok:
			row.Outcome, row.Reason = "skipped", c.skipped[k]
			if row.Reason == "" {
				row.Reason = c.defaultReason(op)
			}
		case st >= 200 && st < 300:
			row.Outcome, row.Status = "2xx", st
		case st == 401 || st == 403:
			row.Outcome, row.Status = "401-403", st
		case st == 404:
			row.Outcome, row.Status = "404", st
		case st == 0:
			row.Outcome = "failed"
		default:
			row.Outcome, row.Status = "other", st
		}
		out = append(out, row)
	}
	return out
}
