package code

import "sync"

// tokKind is the kind of a token of the Python and JavaScript front-ends.
type tokKind uint8

const (
	tEOF      tokKind = iota
	tName             // identifiers and keywords
	tNum              // numbers
	tStr              // a string literal: text is its value
	tTemplate         // an f-string or template literal: parts
	tOp               // operators and punctuation
	tNewline          // end of a logical line (Python)
	tIndent           // Python
	tDedent           // Python
	tRegexp           // a JavaScript regular expression literal
)

// token is one lexical token. Comments and whitespace are dropped. It is
// kept small: a file's tokens are the front-ends' largest allocation.
type token struct {
	text string
	line int
	tmpl *[]tmplPart // a tTemplate's pieces
	kind tokKind
	// nl says a line break came before the token (JavaScript's automatic
	// semicolon insertion needs it).
	nl bool
}

// parts returns a template token's pieces.
func (t *token) parts() []tmplPart {
	if t.tmpl == nil {
		return nil
	}
	return *t.tmpl
}

// tokenBufs recycles token slices between files: the parsers keep no
// token once a file is lowered to the IR.
var tokenBufs sync.Pool

// maxPooledTokens is the largest buffer kept for reuse, 2.5 MB (a huge
// file's buffer is left to the garbage collector, so what the pool keeps
// stays small).
const maxPooledTokens = 1 << 16

// getTokens returns an empty token slice with room for a source of n bytes.
func getTokens(n int) []token {
	if p, ok := tokenBufs.Get().(*[]token); ok {
		return (*p)[:0]
	}
	return make([]token, 0, min(n/4+16, maxPooledTokens))
}

// putTokens hands ts back for reuse, dropping what it points to.
func putTokens(ts []token) {
	if cap(ts) > maxPooledTokens {
		return
	}
	clear(ts[:cap(ts)])
	ts = ts[:0]
	tokenBufs.Put(&ts)
}

// tmplPart is a literal piece of an f-string or template literal, or one of
// its embedded expressions, already tokenized.
type tmplPart struct {
	lit  string
	expr []token
	line int
}

// maxTokens bounds one file's token stream; a file past it is read up to
// the bound (the walker's size cap keeps honest files far below it).
const maxTokens = 4 << 20

// maxNesting bounds bracket and expression nesting in the tolerant parsers,
// so hostile input cannot exhaust the stack.
const maxNesting = 200
