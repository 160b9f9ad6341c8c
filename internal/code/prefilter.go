package code

import (
	"bytes"
	"strings"
	"sync"
)

// The prefilter skips, before any parsing, a file that cannot contribute
// anything to a report: most files of a repository name no host, make no
// HTTP call and hold no credential, and parsing them is most of a scan's
// cost.
//
// Why it is sound. Every fact the analysis records needs one of these:
//
//   - a URL: a string holding "scheme://", written in one piece or joined
//     from pieces. Its ':' is in the file, followed by '/' or by what ends
//     a piece (a quote, a backtick, a format verb's '%', '{' or '${', or a
//     backslash) — urlTrigger;
//   - a name or key with a word of hostishName, credentialName or
//     credentialHeader, an HTTP library or client (requestAPIs, clientCtor,
//     their import paths), or a TLS or redirect setting (statementPatterns,
//     fieldPatterns, callPatterns, tlsOffSetting) — prefilterWords;
//   - a string with one of the secrets pack's keywords (knownSecret).
//
// Names are compared by words (nameWords) and settings by their words
// joined (settingKey); string pieces are joined by concatenation. So the
// words are looked for in the file's letters and digits alone, case
// folded, with every other byte skipped: a word split by separators
// (ver_ify), written across joined pieces ("to" + "ken", `${a}`) or across
// a line is still seen. Keywords with punctuation (sk-, ghp_) are looked
// for in the bytes with quotes, white space, '+', '\', '$', '{' and '}'
// skipped, which joins pieces the same way.
//
// What the bytes do not show, the prefilter does not guess: a file with an
// escape that can make a letter, a digit or ':' out of other bytes (\x,
// \u, \U, \N, octal), or with one of the four non-ASCII letters that case
// folding turns into ASCII ones (İ ı ſ K), is always parsed.
//
// The one thing it cannot see is a keyword broken by other letters or
// digits that the analysis later removes: a comment or a string prefix
// between implicitly joined literals ("to" # c ↵ "ken"), or a format verb
// filled with a literal ("to%sken" % ""). TestPrefilterIsSound checks the
// rest on every fixture, on each file cut into pieces, and FuzzPrefilter on
// anything.

// prefilterWords are the letter-and-digit words one of which every name-
// or library-based fact needs, lower case.
var prefilterWords = []string{
	// hostishName: a setting or variable about a host.
	"host", "domain", "server", "endpoint", "url", "uri", "addr", "upstream", "backend", "fqdn",
	// requestAPIs, clientCtor and their modules: requests, httpx, urllib,
	// aiohttp, fetch, node-fetch, axios, got, http(s), net/http, oauth2
	// (auth), a RoundTrip transport.
	"request", "http", "fetch", "axios", "got", "roundtrip",
	// credentialName, credentialHeader, authScheme, rebuild_auth.
	"auth", "token", "key", "secret", "passw", "pwd", "bearer", "credential", "cookie",
	// TLS verification and redirect patterns: verify, InsecureSkipVerify,
	// _create_unverified_context, ssl, rejectUnauthorized, cert_reqs,
	// CheckRedirect, beforeRedirect, and tlsOffSetting's keys.
	"verif", "ssl", "reject", "insecure", "cert", "redirect",
}

// prefilter holds the two keyword automata.
type prefilter struct {
	words *kwDFA // letters and digits only
	punct *kwDFA // keywords with punctuation, pieces joined
	off   bool   // a secrets rule without keywords: never skip
}

var thePrefilter = sync.OnceValue(func() *prefilter {
	words := append([]string(nil), prefilterWords...)
	var punct []string
	p := &prefilter{}
	pack, err := secretPack()
	if err != nil {
		return &prefilter{off: true}
	}
	for _, r := range pack.Rules {
		if r.ID == "secret-assignment" {
			continue
		}
		if len(r.Keywords) == 0 {
			return &prefilter{off: true}
		}
		for _, k := range r.Keywords {
			k = strings.ToLower(k)
			if alnumOnly(k) {
				words = append(words, k)
			} else {
				punct = append(punct, strings.Map(func(r rune) rune {
					if r < 0x80 && pieceJoin[r] {
						return -1
					}
					return r
				}, k))
			}
		}
	}
	p.words = newKWDFA(words, func(c byte) int8 {
		if isAlnum(c) {
			return classKeep
		}
		return classSkip
	})
	p.punct = newKWDFA(punct, func(c byte) int8 {
		switch {
		case pieceJoin[c]:
			return classSkip
		case isAlnum(c) || c == '-' || c == '_':
			return classKeep
		}
		return classBreak
	})
	return p
})

// pieceJoin are the bytes between string pieces that concatenation or a
// template joins: quotes, white space, '+', '\', '$', '{', '}'.
var pieceJoin = func() (t [256]bool) {
	for _, c := range []byte("\"'` \t\r\n\f\v+\\${}") {
		t[c] = true
	}
	return t
}()

// mayMatter says whether a file's analysis could yield a host, a call, a
// setting or a finding; false only when it cannot (see above).
func mayMatter(data []byte) bool {
	p := thePrefilter()
	return p.off || urlTrigger(data) || opaque(data) || p.words.any(data) || p.punct.any(data)
}

// urlTrigger says a ':' in data could start a URL's "://", alone or with
// the piece that follows it.
func urlTrigger(data []byte) bool {
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], ':')
		if j < 0 || i+j+1 >= len(data) {
			return false
		}
		i += j + 1
		switch data[i] {
		case '/', '"', '\'', '`', '{', '$', '%', '\\':
			return true
		}
	}
}

// opaque says data holds what can turn into letters the bytes do not
// show: an escape that encodes a character, or a non-ASCII letter that
// case folding makes ASCII.
func opaque(data []byte) bool {
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], '\\')
		if j < 0 || i+j+1 >= len(data) {
			break
		}
		i += j + 1
		switch c := data[i]; {
		case c == 'x' || c == 'u' || c == 'U' || c == 'N' || isDigit(c):
			return true
		case c == '\\':
			i++ // an escaped backslash escapes nothing after it
		}
	}
	for _, s := range []string{"\u0130", "\u0131", "\u017f", "\u212a"} {
		if bytes.Contains(data, []byte(s)) {
			return true
		}
	}
	return false
}

func isAlnum(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func alnumOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return s != ""
}

// Byte classes of a kwDFA.
const (
	classBreak int8 = iota // back to the start
	classSkip              // as if absent
	classKeep              // a byte keywords are made of
)

// kwDFA finds whether any of its keywords occurs in a text: an
// Aho-Corasick automaton completed into a DFA over ASCII-folded bytes, in
// which skipped bytes leave the state alone.
type kwDFA struct {
	class  [256]int16 // byte → its class in next; -1 skipped
	nclass int
	next   []int32 // state*nclass+class → next state's offset; negated when it ends a keyword
}

func newKWDFA(words []string, classOf func(byte) int8) *kwDFA {
	d := &kwDFA{nclass: 1} // class 0 breaks
	idx := map[byte]int16{}
	for b := range 256 {
		c := lowerASCII(byte(b))
		switch classOf(c) {
		case classSkip:
			d.class[b] = -1
		case classKeep:
			if _, ok := idx[c]; !ok {
				idx[c] = int16(d.nclass)
				d.nclass++
			}
			d.class[b] = idx[c]
		}
	}
	// The trie.
	var next [][]int32
	var final []bool
	add := func() int32 {
		next = append(next, make([]int32, d.nclass))
		for i := range next[len(next)-1] {
			next[len(next)-1][i] = -1
		}
		final = append(final, false)
		return int32(len(next) - 1)
	}
	add()
	for _, w := range words {
		s := int32(0)
		for i := 0; i < len(w); i++ {
			c := d.class[w[i]]
			if c < 0 {
				continue // skipped in the text, so in the keyword too
			}
			if c == 0 {
				break // a byte that breaks: the prefix found is enough (a looser match)
			}
			if next[s][c] < 0 {
				t := add()
				next[s][c] = t
			}
			s = next[s][c]
		}
		final[s] = s != 0
	}
	// Failure links, breadth first, completing the transitions.
	fail := make([]int32, len(next))
	var queue []int32
	for c := range d.nclass {
		if t := next[0][c]; t > 0 && c != 0 {
			queue = append(queue, t)
		} else {
			next[0][c] = 0
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		final[s] = final[s] || final[fail[s]]
		for c := range d.nclass {
			t := next[s][c]
			if t < 0 || c == 0 {
				next[s][c] = next[fail[s]][c]
				if c == 0 {
					next[s][c] = 0
				}
				continue
			}
			fail[t] = next[fail[s]][c]
			queue = append(queue, t)
		}
	}
	d.next = make([]int32, 0, len(next)*d.nclass)
	for _, row := range next {
		for _, t := range row {
			off := t * int32(d.nclass)
			if final[t] {
				off = ^off
			}
			d.next = append(d.next, off)
		}
	}
	return d
}

// any says whether a keyword occurs in data.
func (d *kwDFA) any(data []byte) bool {
	next, class := d.next, &d.class
	off := int32(0)
	for _, b := range data {
		c := class[b]
		if c < 0 {
			continue
		}
		t := next[off+int32(c)]
		if t < 0 {
			return true
		}
		off = t
	}
	return false
}
