package writes

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/plumbsec/plumb/internal/rules"
)

// valuePack ranks role values by how privileged they sound.
const valuePack = "privilege-values"

// rankedValue is a privilege-values rule and its rank.
type rankedValue struct {
	*rules.Rule
	rank int
}

// Ranks orders role values by privilege (the privilege-values pack).
type Ranks []rankedValue

// LoadRanks loads the ranking once per process.
var LoadRanks = sync.OnceValues(func() (Ranks, error) {
	p, err := rules.Load(valuePack)
	if err != nil {
		return nil, err
	}
	var out Ranks
	for _, r := range p.Rules {
		n, err := strconv.Atoi(r.Meta["rank"])
		if err != nil {
			return nil, &rules.Error{Pack: p.Name, Rule: r.ID, Field: "meta", Err: fmt.Errorf("rank %q: %w", r.Meta["rank"], err)}
		}
		out = append(out, rankedValue{r, n})
	}
	return out, nil
})

// defaultRank is the rank of a role value no rule matches: above users,
// below staff.
const defaultRank = 40

// Rank says how privileged a role value sounds.
func (rs Ranks) Rank(v string) int {
	t := rules.NewText(v)
	for _, r := range rs {
		if _, ok := r.Find(t); ok {
			return r.rank
		}
	}
	return defaultRank
}

// Top returns the highest-ranked string of an enum (the first of equals),
// or false for an enum without strings.
func (rs Ranks) Top(enum []any) (string, bool) {
	best, bestRank := "", -1
	for _, e := range enum {
		s, ok := e.(string)
		if !ok {
			continue
		}
		if r := rs.Rank(s); r > bestRank {
			best, bestRank = s, r
		}
	}
	return best, bestRank >= 0
}
