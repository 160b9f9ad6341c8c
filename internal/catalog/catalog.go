// Package catalog lists every check plumb runs and indexes the rules they
// emit, the ids findings carry: by rule id (former ids included), by check
// and by category. The CLI, the server and the MCP tools read it; the
// engine never imports it (its callers pass it the checks to run).
package catalog

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/code"
	"github.com/plumbsec/plumb/internal/finding"
)

// Catalog indexes a list of checks and their rules.
type Catalog struct {
	checks  []check.Check
	metas   []check.Meta
	rules   []check.Rule
	rule    map[string]int   // rule id → index in rules
	check   map[string]int   // check id → index in metas
	byCheck map[string][]int // check id → indexes in rules
	dups    []error
}

// Default returns the catalog of every check a scan runs (Checks), built once.
var Default = sync.OnceValue(func() *Catalog { return New(Checks()) })

// Full is Default plus the rules of plumb code, which no scan runs: what
// plumb checks, plumb explain, the docs and the MCP explain_finding list.
var Full = sync.OnceValue(func() *Catalog { return New(append(Checks(), code.Check{})) })

// New indexes cs. A rule or check id listed twice keeps its first entry
// and is reported by Validate.
func New(cs []check.Check) *Catalog {
	c := &Catalog{checks: cs, rule: map[string]int{}, check: map[string]int{}, byCheck: map[string][]int{}}
	for _, ch := range cs {
		m := ch.Meta()
		if _, dup := c.check[m.ID]; dup {
			c.dups = append(c.dups, fmt.Errorf("check %s: listed twice", m.ID))
			continue
		}
		c.check[m.ID] = len(c.metas)
		c.metas = append(c.metas, m)
		for _, r := range m.Emits() {
			if _, dup := c.rule[r.ID]; dup {
				c.dups = append(c.dups, fmt.Errorf("rule %s: emitted by %s and %s", r.ID, c.rules[c.rule[r.ID]].Check, m.ID))
				continue
			}
			c.rule[r.ID] = len(c.rules)
			c.byCheck[m.ID] = append(c.byCheck[m.ID], len(c.rules))
			c.rules = append(c.rules, r)
		}
	}
	return c
}

// Checks returns the checks of the catalog, in order, to pass to the engine.
func (c *Catalog) Checks() []check.Check { return append([]check.Check(nil), c.checks...) }

// Metas returns the metadata of every check, in catalog order.
func (c *Catalog) Metas() []check.Meta { return append([]check.Meta(nil), c.metas...) }

// Rules returns every rule, grouped by check in catalog order.
func (c *Catalog) Rules() []check.Rule { return append([]check.Rule(nil), c.rules...) }

// Rule looks a rule up by its id or an id it had before (see Aliases).
func (c *Catalog) Rule(id string) (check.Rule, bool) {
	i, ok := c.rule[finding.CurrentID(id)]
	if !ok {
		return check.Rule{}, false
	}
	return c.rules[i], true
}

// Check looks a check up by its id or an id it had before.
func (c *Catalog) Check(id string) (check.Meta, bool) {
	i, ok := c.check[finding.CurrentID(id)]
	if !ok {
		return check.Meta{}, false
	}
	return c.metas[i], true
}

// RulesOf returns the rules a check emits (none for an unknown check).
func (c *Catalog) RulesOf(checkID string) []check.Rule {
	var out []check.Rule
	for _, i := range c.byCheck[finding.CurrentID(checkID)] {
		out = append(out, c.rules[i])
	}
	return out
}

// RulesIn returns the rules of one category.
func (c *Catalog) RulesIn(cat finding.Category) []check.Rule {
	var out []check.Rule
	for _, r := range c.rules {
		if r.Category == cat {
			out = append(out, r)
		}
	}
	return out
}

// Aliases returns the ids earlier versions used, old id → current id.
// Lookups, suppression entries, --baseline-report and --only/--skip
// accept the old ids.
func Aliases() map[string]string { return finding.Renamed() }

// ruleID is category.kebab-name, where the name may have dotted parts
// (llm.auth.any-key).
var ruleID = regexp.MustCompile(`^[a-z]+(-[a-z]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)+$`)

// Validate reports every problem with the catalog: ids listed twice, rule
// or check ids that are malformed or whose prefix is not their category,
// rules without a title or description, and aliases that lead nowhere.
func (c *Catalog) Validate() []error {
	errs := append([]error(nil), c.dups...)
	for _, m := range c.metas {
		if err := checkID(m.ID, m.Category); err != nil {
			errs = append(errs, fmt.Errorf("check %s: %w", m.ID, err))
		}
		if _, clash := c.rule[m.ID]; clash && c.rules[c.rule[m.ID]].Check != m.ID {
			errs = append(errs, fmt.Errorf("check %s: is also a rule of %s", m.ID, c.rules[c.rule[m.ID]].Check))
		}
	}
	for _, r := range c.rules {
		if err := validRule(r); err != nil {
			errs = append(errs, fmt.Errorf("rule %s (check %s): %w", r.ID, r.Check, err))
		}
	}
	for old, cur := range finding.Renamed() {
		_, isRule := c.rule[cur]
		_, isCheck := c.check[cur]
		_, oldRule := c.rule[old]
		_, oldCheck := c.check[old]
		if (!isRule && !isCheck) || oldRule || oldCheck {
			errs = append(errs, fmt.Errorf("alias %s → %s: the new id must exist and the old one must not", old, cur))
		}
	}
	return errs
}

func checkID(id string, cat finding.Category) error {
	if !ruleID.MatchString(id) {
		return fmt.Errorf("id is not category.kebab-name")
	}
	if !cat.Valid() {
		return fmt.Errorf("unknown category %q", cat)
	}
	if prefix, _, _ := strings.Cut(id, "."); prefix != string(cat) {
		return fmt.Errorf("id prefix %q is not its category %q", prefix, cat)
	}
	return nil
}

func validRule(r check.Rule) error {
	if err := checkID(r.ID, r.Category); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(r.Title) == "":
		return fmt.Errorf("no title")
	case strings.TrimSpace(r.Description) == "":
		return fmt.Errorf("no description")
	case r.Severity < finding.Info || r.Severity > finding.Critical:
		return fmt.Errorf("severity %d out of range", r.Severity)
	case r.OWASP != "" && owaspAPI[r.OWASP] == "":
		return fmt.Errorf("unknown OWASP API id %q", r.OWASP)
	case r.OWASPLLM != "" && owaspLLM[r.OWASPLLM] == "":
		return fmt.Errorf("unknown OWASP LLM id %q", r.OWASPLLM)
	case r.CWE != "" && !cweID.MatchString(r.CWE):
		return fmt.Errorf("CWE %q is not CWE-N", r.CWE)
	}
	return nil
}

var cweID = regexp.MustCompile(`^CWE-[1-9][0-9]*$`)
