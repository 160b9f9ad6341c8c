package catalog

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
)

// ErrNoMatch says a selection pattern names no rule, check or category.
var ErrNoMatch = errors.New("matches no rule id, check id or category (see plumb checks)")

// PatternError is a selection pattern that is malformed or matches nothing.
type PatternError struct {
	List    string // "only" or "skip"
	Pattern string
	Err     error // ErrNoMatch or path.ErrBadPattern
}

func (e *PatternError) Error() string { return fmt.Sprintf("--%s %q: %v", e.List, e.Pattern, e.Err) }

func (e *PatternError) Unwrap() error { return e.Err }

// Selection is what --only and --skip leave to run. A rule is selected
// when no only-pattern is given or one matches it, and no skip-pattern
// matches it; a pattern (path.Match syntax) matches a rule by the rule's
// id, its check's id or its category, current or former ids alike. A
// check runs when any of its rules is selected. A check that emits no rule
// feeds the host graph: it runs unless a skip-pattern names it, and under
// --only when a pattern names it or a selected check audits the graph.
type Selection struct {
	only, skip []string
	rules      map[string]bool // rule id → selected
	checks     map[string]bool // check id → runs
}

// Select builds the selection of the only and skip patterns. Every
// pattern must be well-formed and match something in the catalog.
func (c *Catalog) Select(only, skip []string) (*Selection, error) {
	s := &Selection{only: clean(only), skip: clean(skip), rules: map[string]bool{}, checks: map[string]bool{}}
	for _, l := range []struct {
		name string
		pats []string
	}{{"only", s.only}, {"skip", s.skip}} {
		for _, p := range l.pats {
			if err := c.known(p); err != nil {
				return nil, &PatternError{List: l.name, Pattern: p, Err: err}
			}
		}
	}
	for _, r := range c.rules {
		s.rules[r.ID] = s.selected(ruleNames(r))
	}
	audits := false
	for _, m := range c.metas {
		on := s.Check(m)
		s.checks[m.ID] = on
		audits = audits || (on && m.Phase == check.PhaseHosts)
	}
	for _, m := range c.metas {
		if len(m.Emits()) == 0 && !s.checks[m.ID] && audits && !matchAny(s.skip, checkNames(m)) {
			s.checks[m.ID] = true // it feeds the graph a selected check audits
		}
	}
	return s, nil
}

// clean drops empty patterns (a trailing comma in a list).
func clean(ps []string) []string {
	var out []string
	for _, p := range ps {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// known returns an error unless p is well-formed and matches a rule, a
// check or a category of the catalog.
func (c *Catalog) known(p string) error {
	if _, err := path.Match(p, ""); err != nil {
		return err
	}
	for _, r := range c.rules {
		if matchAny([]string{p}, ruleNames(r)) {
			return nil
		}
	}
	for _, m := range c.metas {
		if matchAny([]string{p}, checkNames(m)) {
			return nil
		}
	}
	return ErrNoMatch
}

// Rule reports whether findings of rule id are kept. An id the catalog
// does not know is matched by itself and its category prefix.
func (s *Selection) Rule(id string) bool {
	if on, ok := s.rules[finding.CurrentID(id)]; ok {
		return on
	}
	cat, _, _ := strings.Cut(id, ".")
	return s.selected(append(withFormer(id), cat))
}

// Check reports whether a check runs.
func (s *Selection) Check(m check.Meta) bool {
	if on, ok := s.checks[m.ID]; ok {
		return on
	}
	rules := m.Emits()
	if len(rules) == 0 {
		names := checkNames(m)
		return !matchAny(s.skip, names) && (len(s.only) == 0 || matchAny(s.only, names))
	}
	for _, r := range rules {
		if s.selected(ruleNames(r)) {
			return true
		}
	}
	return false
}

func (s *Selection) selected(names []string) bool {
	return (len(s.only) == 0 || matchAny(s.only, names)) && !matchAny(s.skip, names)
}

// ruleNames are the names a pattern can select a rule by.
func ruleNames(r check.Rule) []string {
	return append(append(withFormer(r.ID), withFormer(r.Check)...), string(r.Category))
}

func checkNames(m check.Meta) []string {
	return append(withFormer(m.ID), string(m.Category))
}

func withFormer(id string) []string {
	return append([]string{id}, finding.FormerIDs(id)...)
}

func matchAny(pats, names []string) bool {
	for _, p := range pats {
		for _, n := range names {
			if ok, _ := path.Match(p, n); ok {
				return true
			}
		}
	}
	return false
}
