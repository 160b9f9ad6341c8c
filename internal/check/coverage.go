package check

import "github.com/plumbsec/plumb/internal/spec"

// OperationCoverage is one row of the coverage table: what happened to
// one imported operation.
type OperationCoverage struct {
	Operation string `json:"operation"`
	Outcome   string `json:"outcome" jsonschema:"enum=2xx,enum=401-403,enum=404,enum=other,enum=failed,enum=skipped"`
	Status    int    `json:"status,omitempty"` // the most telling status seen (2xx wins)
	Requests  int    `json:"requests"`         // requests checks recorded for it
	Reason    string `json:"reason,omitempty"` // why it was skipped
}

// OpRows is the per-operation coverage table.
type OpRows []OperationCoverage

// rows builds the per-operation table; c.mu is held by the caller.
func (c *Coverage) rows(api *spec.API) OpRows {
	if api == nil {
		return OpRows{}
	}
	out := make(OpRows, 0, len(api.Operations))
	for _, op := range api.Operations {
		k := OpKey(op)
		row := OperationCoverage{Operation: k, Requests: c.counts[k]}
		st, ok := c.requested[k]
		switch {
		case !ok:
			row.Outcome, row.Reason = "skipped", c.skipped[k]
			if row.Reason == "" {
				row.Reason = "no check applies"
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
