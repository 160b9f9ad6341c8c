package rules

// keywordIndex finds, in one pass over a text, which rules of a pack have
// one of their keywords in it: an Aho-Corasick automaton (a complete DFA)
// over ASCII-folded bytes. Keywords of case-sensitive rules are then
// compared exactly at the position found. One pass costs the same for 5
// keywords or 500, and the text is never lower-cased.
type keywordIndex struct {
	class  [256]int32 // byte → class; 0 for bytes in no keyword
	nclass int
	// next[state*nclass + class] is the next state, as its offset
	// state*nclass, complemented (negative) when the state has outputs.
	next  []int32
	out   [][]kwHit // state → keywords that end here (suffixes included)
	rules int       // rules of the pack (length of the result)
	keyed int       // rules that have keywords
}

// kwHit is a keyword ending at a state.
type kwHit struct {
	rule  int    // index of the rule in the pack
	exact string // the keyword, for case-sensitive rules; "" when folded
}

func foldByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// newKeywordIndex builds the automaton for the keywords of rs (nil if no
// rule has keywords).
func newKeywordIndex(rs []*Rule) *keywordIndex {
	x := &keywordIndex{rules: len(rs)}
	classOf := map[byte]int32{}
	for _, r := range rs {
		if len(r.Keywords) > 0 {
			x.keyed++
		}
		for _, k := range r.Keywords {
			for i := 0; i < len(k); i++ {
				c := foldByte(k[i])
				if _, ok := classOf[c]; !ok {
					classOf[c] = int32(len(classOf) + 1)
				}
			}
		}
	}
	if x.keyed == 0 {
		return nil
	}
	x.nclass = len(classOf) + 1
	for b := range 256 {
		x.class[b] = classOf[foldByte(byte(b))]
	}
	x.addState() // the root
	for i, r := range rs {
		for _, k := range r.Keywords {
			x.insert(k, i, !r.fold)
		}
	}
	x.link()
	for i, t := range x.next {
		x.next[i] = t * int32(x.nclass)
		if len(x.out[t]) > 0 {
			x.next[i] = ^x.next[i]
		}
	}
	return x
}

func (x *keywordIndex) addState() int32 {
	s := int32(len(x.out))
	for range x.nclass {
		x.next = append(x.next, -1)
	}
	x.out = append(x.out, nil)
	return s
}

func (x *keywordIndex) insert(k string, rule int, exact bool) {
	s := int32(0)
	for i := 0; i < len(k); i++ {
		at := int(s)*x.nclass + int(x.class[k[i]])
		if x.next[at] < 0 {
			t := x.addState()
			x.next[at] = t
		}
		s = x.next[at]
	}
	h := kwHit{rule: rule}
	if exact {
		h.exact = k
	}
	x.out[s] = append(x.out[s], h)
}

// link completes the trie into a DFA: a missing transition follows the
// failure link, and each state outputs its suffixes' keywords too.
func (x *keywordIndex) link() {
	fail := make([]int32, len(x.out))
	var queue []int32
	for c := range x.nclass {
		if t := x.next[c]; t < 0 {
			x.next[c] = 0
		} else {
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for c := range x.nclass {
			at := int(s)*x.nclass + c
			t := x.next[at]
			f := x.next[int(fail[s])*x.nclass+c]
			if t < 0 {
				x.next[at] = f
				continue
			}
			fail[t] = f
			x.out[t] = append(x.out[t], x.out[f]...)
			queue = append(queue, t)
		}
	}
}

// scan marks in hits the rules that have a keyword in s, stopping early
// once every rule with keywords is marked.
func (x *keywordIndex) scan(s string, hits []bool) {
	next, class, nc := x.next, &x.class, int32(x.nclass)
	left := x.keyed
	off := int32(0)
	for i := 0; i < len(s); i++ {
		v := next[off+class[s[i]]]
		if v >= 0 {
			off = v
			continue
		}
		off = ^v
		for _, h := range x.out[off/nc] {
			if hits[h.rule] || (h.exact != "" && s[i+1-len(h.exact):i+1] != h.exact) {
				continue
			}
			hits[h.rule] = true
			if left--; left == 0 {
				return
			}
		}
	}
}
