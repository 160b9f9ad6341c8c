package code

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

// token is one lexical token. Comments and whitespace are dropped.
type token struct {
	kind  tokKind
	text  string
	line  int
	parts []tmplPart
	// nl says a line break came before the token (JavaScript's automatic
	// semicolon insertion needs it).
	nl bool
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
