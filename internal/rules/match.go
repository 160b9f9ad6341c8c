package rules

// Text is one input that many pattern rules read. The keywords of a
// pack are looked up in one pass over it, at most once per pack.
type Text struct {
	s     string
	packs []*Pack
	hits  [][]bool // hits[i][j]: rule j of packs[i] has a keyword in s
}

// NewText wraps s for matching.
func NewText(s string) *Text { return &Text{s: s} }

// String returns the text as given.
func (t *Text) String() string { return t.s }

// keywordHits returns which rules of p have a keyword in t.
func (t *Text) keywordHits(p *Pack) []bool {
	for i, q := range t.packs {
		if q == p {
			return t.hits[i]
		}
	}
	h := make([]bool, len(p.Rules))
	if p.keywords != nil {
		p.keywords.scan(t.s, h)
	}
	t.packs, t.hits = append(t.packs, p), append(t.hits, h)
	return h
}

// Match is one validated match of a pattern rule. The zero Match (no
// match) has empty text and captures.
type Match struct {
	rule *Rule
	s    string
	loc  []int // submatch indices into s
}

// Rule is the rule that matched.
func (m Match) Rule() *Rule { return m.rule }

// Text is the matched text.
func (m Match) Text() string {
	if m.loc == nil {
		return ""
	}
	return m.s[m.loc[0]:m.loc[1]]
}

// Start is the offset of the match in the input (-1: no match).
func (m Match) Start() int {
	if m.loc == nil {
		return -1
	}
	return m.loc[0]
}

// End is the offset just past the match (-1: no match).
func (m Match) End() int {
	if m.loc == nil {
		return -1
	}
	return m.loc[1]
}

// Capture returns what the named group captured ("" if it did not take part).
func (m Match) Capture(name string) string {
	if m.loc == nil {
		return ""
	}
	i := m.rule.re.SubexpIndex(name)
	if i < 0 || m.loc[2*i] < 0 {
		return ""
	}
	return m.s[m.loc[2*i]:m.loc[2*i+1]]
}

// findLimit is how many raw matches Find examines for one its validators
// accept.
const findLimit = 8

// Find returns the rule's first match in t that its validators accept,
// among the first few the pattern yields.
func (r *Rule) Find(t *Text) (Match, bool) {
	if !r.candidate(t) {
		return Match{}, false
	}
	if len(r.validators) == 0 {
		loc := r.re.FindStringSubmatchIndex(t.s)
		return Match{rule: r, s: t.s, loc: loc}, loc != nil
	}
	for _, loc := range r.re.FindAllStringSubmatchIndex(t.s, findLimit) {
		if r.valid(t.s, loc) {
			return Match{rule: r, s: t.s, loc: loc}, true
		}
	}
	return Match{}, false
}

// FindAll returns the matches its validators accept among the first n the
// pattern yields (n < 0: all).
func (r *Rule) FindAll(t *Text, n int) []Match {
	if !r.candidate(t) {
		return nil
	}
	var out []Match
	for _, loc := range r.re.FindAllStringSubmatchIndex(t.s, n) {
		if r.valid(t.s, loc) {
			out = append(out, Match{rule: r, s: t.s, loc: loc})
		}
	}
	return out
}

// candidate runs the cheap prefilters: one keyword must occur (ignoring
// case for (?i) patterns) and every validator's quick test must pass.
func (r *Rule) candidate(t *Text) bool {
	if r.re == nil {
		return false
	}
	if len(r.Keywords) > 0 && !t.keywordHits(r.owner)[r.index] {
		return false
	}
	for _, v := range r.validators {
		if v.quick != nil && !v.quick(t.s) {
			return false
		}
	}
	return true
}

func (r *Rule) valid(s string, loc []int) bool {
	for _, v := range r.validators {
		if !v.accept(s, loc[0], loc[1]) {
			return false
		}
	}
	return true
}

// First returns the first match of the pack's rules in order: the first
// rule that matches decides.
func (p *Pack) First(t *Text) (Match, bool) {
	for _, r := range p.Rules {
		if m, ok := r.Find(t); ok {
			return m, true
		}
	}
	return Match{}, false
}
