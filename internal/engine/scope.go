package engine

import (
	"fmt"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/scope"
)

// applyScope decides which operations the checks may send (scope.Plan)
// and installs the plan as the guard of every client of the scan: checks
// read the narrowed model, and whatever they build by hand from it (an
// OPTIONS to a path, a version variant, a redirect) still cannot reach a
// refused operation.
func (s *scanner) applyScope(rep *result.Report) {
	in := check.Input{Target: s.target, API: s.api}
	pol := scope.Policy{AllowWrites: s.opts.AllowWrites, Include: s.opts.Include, Exclude: s.opts.Exclude}
	s.plan = pol.Apply(s.api, in.BaseURL().Path)
	s.base.SetGuard(s.plan.Refuse) // shared by every identity's client
	s.cov.AllowWrites(s.opts.AllowWrites)
	if s.api != nil {
		for _, op := range s.api.Operations {
			if why, ok := s.plan.Skipped[op.Method+" "+op.Path]; ok {
				s.cov.Skip(op, why)
			}
		}
	}
	p := s.plan
	if p.StateChanging > 0 && !s.opts.AllowWrites {
		rep.Notes = append(rep.Notes, result.Note{Stage: "scope", Message: fmt.Sprintf(
			"read-only scan: %d GET/HEAD operation(s) whose names say they change state were not sent, with any method (coverage names them and why)", p.StateChanging)})
	}
	if p.Excluded > 0 || p.NotIncluded > 0 {
		rep.Notes = append(rep.Notes, result.Note{Stage: "scope", Message: fmt.Sprintf(
			"%d operation(s) excluded by --exclude, %d not matched by --include", p.Excluded, p.NotIncluded)})
	}
}
