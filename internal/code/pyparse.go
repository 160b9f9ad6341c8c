package code

import "strings"

// parsePython lowers Python source to the IR with a tolerant
// recursive-descent parser over pyLexer's tokens: statements it cannot
// read are skipped to the end of their logical line.
func parsePython(src string) *unit {
	p := &pyParser{cursor: cursor{ts: tokenizePythonInto(getTokens(len(src)), src, 1)}, imports: map[string]string{}}
	body := p.block(false, "")
	u := &unit{lang: langPython, body: body, imports: p.imports, bases: p.bases, words: collectWords(p.ts, 0, len(p.ts))}
	putTokens(p.ts)
	return u
}

type pyParser struct {
	cursor
	imports map[string]string
	derived map[string]bool   // classes with a base class
	bases   map[string]string // class → its first base class, as written
}

// compound statement keywords whose blocks are flattened into the
// enclosing body.
var pyCompound = map[string]bool{"if": true, "elif": true, "else": true, "while": true, "for": true, "try": true,
	"except": true, "finally": true, "with": true}

// block parses statements up to the DEDENT closing an indented block (or
// EOF). class names the class whose body this is ("" elsewhere).
func (p *pyParser) block(indented bool, class string) []stmt {
	var out []stmt
	for !p.eof() {
		t := p.peek()
		switch {
		case t.kind == tDedent:
			p.next()
			if indented {
				return out
			}
		case t.kind == tNewline || t.kind == tIndent:
			p.next()
		case t.kind == tOp && t.text == "@":
			p.skipLine()
		case t.kind == tName && (t.text == "def" || t.text == "async" && p.at(1).text == "def"):
			out = append(out, p.def(class))
		case t.kind == tName && t.text == "class":
			out = append(out, p.class()...)
		case t.kind == tName && (pyCompound[t.text] || t.text == "async" && (p.at(1).text == "with" || p.at(1).text == "for")):
			out = append(out, p.compound(class)...)
		case t.kind == tName && (t.text == "match" || t.text == "case") && p.headerEndsWithColon():
			out = append(out, p.compound(class)...)
		default:
			out = append(out, p.simpleLine(class)...)
		}
	}
	return out
}

// headerEndsWithColon reports whether the logical line ahead ends with ':'
// (match and case are keywords only then).
func (p *pyParser) headerEndsWithColon() bool {
	for k := 1; ; k++ {
		t := p.at(k)
		if t.kind == tNewline || t.kind == tEOF {
			prev := p.at(k - 1)
			return prev.kind == tOp && prev.text == ":"
		}
	}
}

func (p *pyParser) skipLine() {
	for !p.eof() && p.peek().kind != tNewline {
		p.next()
	}
	p.next()
}

// suite parses what follows a compound header's ':': an indented block or
// simple statements on the same line.
func (p *pyParser) suite(class string) []stmt {
	if p.peek().kind == tNewline {
		p.next()
		if p.peek().kind == tIndent {
			p.next()
			return p.block(true, class)
		}
		return nil
	}
	return p.simpleLine(class)
}

func (p *pyParser) def(class string) stmt {
	p.acceptName("async")
	line := p.next().line // def
	fd := &funcDef{class: class, line: line, inherits: p.derived[class]}
	if t := p.peek(); t.kind == tName {
		fd.name = t.text
		p.next()
	}
	if p.acceptOp("[") { // PEP 695 type parameters
		p.skipBalanced("[")
	}
	var defaults []stmt
	if p.acceptOp("(") {
		fd.params, defaults = p.params(")")
	}
	for !p.eof() && !p.isOp(":") && p.peek().kind != tNewline {
		p.next() // return annotation
	}
	p.acceptOp(":")
	start := p.i
	fd.body = defaults
	fd.body = append(fd.body, p.suite("")...)
	fd.words = collectWords(p.ts, start, p.i)
	return stmt{kind: sFunc, line: line, fn: fd}
}

// params reads parameter names up to the closing bracket (already past
// the opening one), skipping annotations, and the assignments their
// string defaults make (see defaultStmt).
func (p *pyParser) params(closer string) ([]string, []stmt) {
	var out []string
	var defaults []stmt
	expectName := true
	for !p.eof() && !p.isOp(closer) {
		t := p.next()
		switch {
		case t.kind == tOp && (t.text == "(" || t.text == "[" || t.text == "{"):
			p.skipBalanced(t.text)
		case t.kind == tOp && t.text == ",":
			expectName = true
		case t.kind == tOp && t.text == "=" && len(out) > 0:
			if st, ok := defaultStmt(out[len(out)-1], p.test(), t.line); ok {
				defaults = append(defaults, st)
			}
		case t.kind == tName && expectName:
			out = append(out, t.text)
			expectName = false
		}
	}
	p.acceptOp(closer)
	return out, defaults
}

// class parses a class: its methods become functions of the class and
// its class-level assignments are attributes (self.NAME).
func (p *pyParser) class() []stmt {
	p.next() // class
	name := ""
	if t := p.peek(); t.kind == tName {
		name = t.text
		p.next()
	}
	for !p.eof() && !p.isOp(":") && p.peek().kind != tNewline {
		if t := p.next(); t.kind == tOp && (t.text == "(" || t.text == "[") {
			if t.text == "(" && p.hasBases() {
				if p.derived == nil {
					p.derived = map[string]bool{}
				}
				p.derived[name] = true
				p.noteBase(name)
			}
			p.skipBalanced(t.text)
		}
	}
	p.acceptOp(":")
	return classBody(name, p.suite(name))
}

// noteBase records the first base class of class name when it is a
// dotted name (class Billing(BaseAPI), class C(base.Client, Mixin)).
func (p *pyParser) noteBase(name string) {
	t, n := p.peek(), p.at(1)
	if t.kind != tName || name == "" {
		return
	}
	base := t.text
	for i := 1; n.kind == tOp && n.text == "."; i += 2 {
		nn := p.at(i + 1)
		if nn.kind != tName {
			return
		}
		base += "." + nn.text
		n = p.at(i + 2)
	}
	if n.kind == tOp && (n.text == "," || n.text == ")") {
		if p.bases == nil {
			p.bases = map[string]string{}
		}
		p.bases[name] = base
	}
}

// hasBases says the parenthesis just opened after a class name lists a
// base class: it is not empty and not just (object).
func (p *pyParser) hasBases() bool {
	t := p.peek()
	switch {
	case t.kind == tOp && t.text == ")":
		return false
	case t.kind == tName && t.text == "object":
		n := p.at(1)
		return n.kind != tOp || n.text != ")"
	}
	return true
}

// classBody keeps a class's methods and gathers its other statements
// (attributes) into a pseudo-method, so they belong to the class.
func classBody(name string, body []stmt) []stmt {
	attrs := &funcDef{name: "<class>", class: name}
	var out []stmt
	for _, s := range body {
		if s.kind == sFunc {
			out = append(out, s)
			continue
		}
		if attrs.line == 0 {
			attrs.line = s.line
		}
		attrs.body = append(attrs.body, s)
	}
	if len(attrs.body) > 0 {
		out = append(out, stmt{kind: sFunc, line: attrs.line, fn: attrs})
	}
	return out
}

// compound parses the header of if/while/for/with/try/except/match…:
// calls in it are kept as expression statements, `with X as y` binds y,
// and the suite is flattened into the enclosing body.
func (p *pyParser) compound(class string) []stmt {
	kw := p.next()
	if kw.text == "async" {
		kw = p.next()
	}
	var out []stmt
	for !p.eof() && !p.isOp(":") && p.peek().kind != tNewline {
		start := p.i
		e := p.test()
		if p.acceptName("as") {
			if t := p.peek(); t.kind == tName && e != nil {
				p.next()
				out = append(out, stmt{kind: sAssign, line: t.line, target: &expr{kind: xName, s: t.text, line: t.line}, value: e})
				e = nil
			}
		}
		if e != nil {
			out = append(out, stmt{kind: sExpr, line: e.line, value: e})
		}
		if !p.acceptOp(",") && p.i == start {
			p.next() // not an expression: skip a token to make progress
		}
	}
	p.acceptOp(":")
	return append(out, p.suite(class)...)
}

// simpleLine parses the simple statements of one logical line.
func (p *pyParser) simpleLine(class string) []stmt {
	var out []stmt
	for !p.eof() && p.peek().kind != tNewline && p.peek().kind != tDedent {
		start := p.i
		out = append(out, p.simple(class)...)
		if p.acceptOp(";") {
			continue
		}
		if p.i == start || p.peek().kind != tNewline {
			p.skipLine() // something this parser does not read
			return out
		}
	}
	if p.peek().kind == tNewline {
		p.next()
	}
	return out
}

func (p *pyParser) simple(class string) []stmt {
	t := p.peek()
	if t.kind == tName {
		switch t.text {
		case "return":
			p.next()
			if p.peek().kind == tNewline || p.isOp(";") {
				return nil
			}
			return []stmt{{kind: sReturn, line: t.line, value: p.exprList()}}
		case "import":
			p.next()
			p.importNames("")
			return nil
		case "from":
			p.next()
			mod := p.dottedName()
			if p.acceptName("import") {
				p.importNames(mod)
			}
			return nil
		case "pass", "break", "continue", "global", "nonlocal":
			for !p.eof() && p.peek().kind != tNewline && !p.isOp(";") {
				p.next()
			}
			return nil
		case "raise", "assert", "del", "yield", "print", "exec", "type":
			if p.at(1).kind != tOp || p.at(1).text != "=" {
				p.next()
			}
		}
	}
	e := p.exprList()
	if e == nil {
		return nil
	}
	if p.acceptOp(":") { // annotated assignment: x: T = v
		p.test()
		if !p.acceptOp("=") {
			return nil
		}
		return assignAll([]*expr{e}, p.exprList(), class)
	}
	targets := []*expr{}
	for p.isOp("=") {
		p.next()
		targets = append(targets, e)
		e = p.exprList()
		if e == nil {
			return nil
		}
	}
	if len(targets) > 0 {
		return assignAll(targets, e, class)
	}
	if t := p.peek(); t.kind == tOp && strings.HasSuffix(t.text, "=") && t.text != "==" && len(t.text) >= 2 {
		p.next() // augmented assignment: keep the value's calls
		v := p.exprList()
		return []stmt{{kind: sExpr, line: t.line, value: v}}
	}
	return []stmt{{kind: sExpr, line: e.line, value: e}}
}

// assignAll binds value to every target; tuple targets take the matching
// tuple element. In a class body a bare name is the attribute self.NAME.
func assignAll(targets []*expr, value *expr, class string) []stmt {
	var out []stmt
	for _, t := range targets {
		if t.kind == xList && value.kind == xList && len(t.args) == len(value.args) {
			for i := range t.args {
				out = append(out, assignAll([]*expr{t.args[i]}, value.args[i], class)...)
			}
			continue
		}
		if t.kind == xList {
			continue
		}
		if class != "" && t.kind == xName && !strings.Contains(t.s, ".") {
			t = &expr{kind: xName, s: "self." + t.s, line: t.line}
		}
		out = append(out, stmt{kind: sAssign, line: t.line, target: t, value: value})
	}
	return out
}

func (p *pyParser) dottedName() string {
	var b strings.Builder
	for p.isOp(".") {
		p.next()
		b.WriteByte('.')
	}
	for p.peek().kind == tName && p.peek().text != "import" { // from . import x
		b.WriteString(p.next().text)
		if !p.isOp(".") {
			break
		}
		p.next()
		b.WriteByte('.')
	}
	return b.String()
}

// importNames records `import a.b as c` and `from m import x as y` as
// local name → qualified name.
func (p *pyParser) importNames(from string) {
	paren := p.acceptOp("(")
	for !p.eof() && p.peek().kind != tNewline && !p.isOp(";") {
		if p.acceptOp(")") {
			break
		}
		if p.acceptOp(",") || p.acceptOp("*") {
			continue
		}
		name := p.dottedName()
		if name == "" {
			p.next()
			continue
		}
		local := name
		if from == "" {
			local = strings.SplitN(name, ".", 2)[0]
		}
		if p.acceptName("as") && p.peek().kind == tName {
			local = p.next().text
		} else if from == "" {
			name = local
		}
		if from != "" {
			name = strings.TrimSuffix(from, ".") + "." + name
		}
		p.imports[local] = name
	}
	_ = paren
}

// exprList parses a comma-separated expression list; more than one
// element is a tuple (xList).
func (p *pyParser) exprList() *expr {
	first := p.test()
	if first == nil || !p.isOp(",") {
		return first
	}
	tup := &expr{kind: xList, line: first.line, args: []*expr{first}}
	for p.acceptOp(",") {
		if t := p.peek(); t.kind == tNewline || t.kind == tEOF || t.kind == tOp && (t.text == "=" || t.text == ")" || t.text == ";" || t.text == ":") {
			break
		}
		e := p.test()
		if e == nil {
			break
		}
		tup.args = append(tup.args, e)
	}
	return tup
}

// test parses a full expression: lambda, conditional expression, walrus.
func (p *pyParser) test() *expr {
	if p.depth >= maxNesting {
		return nil
	}
	p.depth++
	defer func() { p.depth-- }()
	if p.isName("lambda") {
		line := p.next().line
		fd := &funcDef{line: line}
		fd.params, fd.body = p.params(":")
		start := p.i
		if body := p.test(); body != nil {
			fd.body = append(fd.body, stmt{kind: sReturn, line: body.line, value: body})
		}
		fd.words = collectWords(p.ts, start, p.i)
		return &expr{kind: xFunc, line: line, fn: fd}
	}
	e := p.or()
	if e == nil {
		return nil
	}
	if p.isName("if") && p.at(1).kind != tNewline {
		p.next()
		cond := p.or()
		if p.acceptName("else") {
			alt := p.test()
			return &expr{kind: xOr, line: e.line, args: []*expr{e, alt}, kw: []field{{key: "?", val: cond}}}
		}
	}
	if p.acceptOp(":=") {
		v := p.test()
		return &expr{kind: xOther, line: e.line, args: []*expr{e, v}}
	}
	return e
}

func (p *pyParser) or() *expr {
	return orChain(p.and(), func() bool { return p.acceptName("or") }, p.and)
}

// orChain gathers an or-chain's operands (each a value the whole may
// take): first, then one operand after each operator accept consumes.
// Without an operator, first stands alone.
func orChain(first *expr, accept func() bool, operand func() *expr) *expr {
	if first == nil || !accept() {
		return first
	}
	out := &expr{kind: xOr, line: first.line, args: []*expr{first}}
	for ok := true; ok; ok = accept() {
		if r := operand(); r != nil {
			out.args = append(out.args, r)
		}
	}
	return out
}

func (p *pyParser) and() *expr {
	e := p.not()
	for e != nil && p.acceptName("and") {
		e = &expr{kind: xOther, line: e.line, args: []*expr{e, p.not()}}
	}
	return e
}

func (p *pyParser) not() *expr {
	if t := p.peek(); t.kind == tName && t.text == "not" {
		p.next()
		return &expr{kind: xOther, line: t.line, args: []*expr{p.not()}}
	}
	return p.comparison()
}

var pyCompareOps = map[string]bool{"<": true, ">": true, "==": true, ">=": true, "<=": true, "!=": true,
	"|": true, "^": true, "&": true, "<<": true, ">>": true, "-": true, "*": true, "/": true, "//": true, "@": true, "**": true}

// comparison parses every binary operator below `not`: + concatenates,
// % formats a string literal, the others keep their operands for walking.
func (p *pyParser) comparison() *expr {
	e := p.unary()
	for e != nil {
		t := p.peek()
		switch {
		case t.kind == tOp && t.text == "+":
			p.next()
			r := p.unary()
			e = concat(e, r)
		case t.kind == tOp && t.text == "%":
			p.next()
			r := p.unary()
			if e.kind == xStr && r != nil {
				args := []*expr{r}
				if r.kind == xList {
					args = r.args
				}
				e = percentConcat(e.s, args, e.line)
			} else {
				e = &expr{kind: xOther, line: e.line, args: []*expr{e, r}}
			}
		case t.kind == tOp && pyCompareOps[t.text]:
			p.next()
			e = &expr{kind: xOther, s: compareOp(t.text), line: e.line, args: []*expr{e, p.unary()}}
		case t.kind == tName && (t.text == "in" || t.text == "is"):
			p.next()
			p.acceptName("not")
			e = &expr{kind: xOther, s: opCompare, line: e.line, args: []*expr{e, p.unary()}}
		case t.kind == tName && t.text == "not" && p.at(1).text == "in":
			p.next()
			p.next()
			e = &expr{kind: xOther, s: opCompare, line: e.line, args: []*expr{e, p.unary()}}
		default:
			return e
		}
	}
	return e
}

// concat joins two operands of +, flattening nested concatenations.
func concat(l, r *expr) *expr {
	if l == nil || r == nil {
		return &expr{kind: xOther, args: []*expr{l, r}}
	}
	out := &expr{kind: xConcat, line: l.line}
	for _, e := range []*expr{l, r} {
		if e.kind == xConcat {
			out.args = append(out.args, e.args...)
		} else {
			out.args = append(out.args, e)
		}
	}
	return out
}

func (p *pyParser) unary() *expr {
	t := p.peek()
	if t.kind == tOp && (t.text == "-" || t.text == "+" || t.text == "~") {
		p.next()
		return &expr{kind: xOther, line: t.line, args: []*expr{p.unary()}}
	}
	if t.kind == tName && t.text == "await" {
		p.next()
		return p.unary()
	}
	return p.primary()
}

func (p *pyParser) primary() *expr {
	e := p.atom()
	for e != nil {
		t := p.peek()
		if t.kind != tOp {
			return e
		}
		switch t.text {
		case ".":
			p.next()
			n := p.peek()
			if n.kind != tName {
				return e
			}
			p.next()
			if e.kind == xName {
				e = &expr{kind: xName, s: e.s + "." + n.text, line: e.line}
			} else {
				e = &expr{kind: xAttr, x: e, s: n.text, line: e.line}
			}
		case "(":
			p.next()
			e = p.call(e)
		case "[":
			p.next()
			e = p.subscript(e)
		default:
			return e
		}
	}
	return e
}

func (p *pyParser) call(fn *expr) *expr {
	c := &expr{kind: xCall, x: fn, line: fn.line}
	for !p.eof() && !p.isOp(")") {
		start := p.i
		switch {
		case p.acceptOp("**"):
			if v := p.test(); v != nil {
				c.kw = append(c.kw, field{val: v, line: v.line})
			}
		case p.acceptOp("*"):
			if v := p.test(); v != nil {
				c.args = append(c.args, v)
			}
		case p.peek().kind == tName && p.at(1).kind == tOp && p.at(1).text == "=":
			k := p.next()
			p.next()
			if v := p.test(); v != nil {
				c.kw = append(c.kw, field{key: k.text, val: v, line: k.line})
			}
		default:
			if v := p.test(); v != nil {
				c.args = append(c.args, v)
			}
			if p.isName("for") || p.isName("async") { // a generator argument
				p.skipBalanced("(")
				return c
			}
		}
		if !p.acceptOp(",") && !p.isOp(")") {
			if p.i == start {
				p.next()
			}
			if p.peek().kind == tNewline || p.peek().kind == tEOF {
				break
			}
		}
	}
	p.acceptOp(")")
	// "…{}…".format(x) is a concatenation.
	if fn.kind == xAttr && fn.s == "format" && fn.x.kind == xStr {
		return braceConcat(fn.x.s, c)
	}
	return c
}

func (p *pyParser) subscript(base *expr) *expr {
	k := p.test()
	if !p.isOp("]") { // slices, tuples of indexes
		p.skipBalanced("[")
		return &expr{kind: xOther, line: base.line, args: []*expr{base, k}}
	}
	p.next()
	return &expr{kind: xIndex, x: base, args: []*expr{k}, line: base.line}
}

func (p *pyParser) atom() *expr {
	t := p.peek()
	switch t.kind {
	case tName:
		switch t.text {
		case "True", "False":
			p.next()
			return &expr{kind: xBool, s: strings.ToLower(t.text), line: t.line}
		case "None":
			p.next()
			return &expr{kind: xNull, line: t.line}
		case "if", "else", "elif", "for", "in", "is", "and", "or", "not", "as", "from", "import", "return",
			"def", "class", "with", "while", "try", "except", "finally", "lambda", "pass", "yield", "del", "global", "nonlocal", "raise", "assert":
			return nil
		}
		p.next()
		return &expr{kind: xName, s: t.text, line: t.line}
	case tNum:
		p.next()
		return &expr{kind: xNum, s: t.text, line: t.line}
	case tStr, tTemplate:
		return p.strings()
	case tOp:
		switch t.text {
		case "(":
			p.next()
			return p.parenthesized(t.line)
		case "[":
			p.next()
			l := &expr{kind: xList, line: t.line}
			p.elements(l, "]")
			return l
		case "{":
			p.next()
			return p.dictOrSet(t.line)
		case "...":
			p.next()
			return &expr{kind: xOther, line: t.line}
		}
	}
	return nil
}

// strings reads adjacent string literals, which Python concatenates.
func (p *pyParser) strings() *expr {
	var parts []*expr
	line := p.peek().line
	for {
		t := p.peek()
		if t.kind == tStr {
			p.next()
			parts = append(parts, &expr{kind: xStr, s: t.text, line: t.line})
			continue
		}
		if t.kind == tTemplate {
			p.next()
			parts = append(parts, templateExpr(t, parsePyEmbedded))
			continue
		}
		break
	}
	if len(parts) == 1 {
		return parts[0]
	}
	out := &expr{kind: xConcat, line: line}
	for _, e := range parts {
		if e.kind == xConcat {
			out.args = append(out.args, e.args...)
		} else {
			out.args = append(out.args, e)
		}
	}
	return foldStrings(out)
}

// templateExpr turns an f-string or template literal token into a
// concatenation, parsing each embedded expression with parse.
func templateExpr(t token, parse func([]token) *expr) *expr {
	out := &expr{kind: xConcat, line: t.line}
	for _, part := range t.parts() {
		if part.expr == nil {
			out.args = append(out.args, &expr{kind: xStr, s: part.lit, line: part.line})
			continue
		}
		e := parse(part.expr)
		if e == nil {
			e = &expr{kind: xOther, line: part.line}
		}
		out.args = append(out.args, e)
	}
	return foldStrings(out)
}

// foldStrings merges adjacent literals of a concatenation; a concatenation
// of literals only becomes one literal.
func foldStrings(c *expr) *expr {
	var args []*expr
	for _, a := range c.args {
		if a.kind == xStr && a.s == "" {
			continue
		}
		if n := len(args); n > 0 && a.kind == xStr && args[n-1].kind == xStr {
			args[n-1] = &expr{kind: xStr, s: args[n-1].s + a.s, line: args[n-1].line}
			continue
		}
		args = append(args, a)
	}
	if len(args) == 1 && args[0].kind == xStr {
		return args[0]
	}
	if len(args) == 0 {
		return &expr{kind: xStr, line: c.line}
	}
	c.args = args
	return c
}

func parsePyEmbedded(ts []token) *expr {
	p := &pyParser{cursor: cursor{ts: ts}, imports: map[string]string{}}
	return p.test()
}

func (p *pyParser) parenthesized(line int) *expr {
	if p.acceptOp(")") {
		return &expr{kind: xList, line: line}
	}
	first := p.test()
	if first == nil {
		p.skipBalanced("(")
		return &expr{kind: xOther, line: line}
	}
	if p.isName("for") || p.isName("async") {
		p.skipBalanced("(")
		return &expr{kind: xOther, line: line, args: []*expr{first}}
	}
	if p.acceptOp(")") {
		return first
	}
	tup := &expr{kind: xList, line: line, args: []*expr{first}}
	p.elements(tup, ")")
	return tup
}

// elements reads comma-separated elements into l.args up to closer;
// comprehensions are skipped.
func (p *pyParser) elements(l *expr, closer string) {
	for !p.eof() && !p.acceptOp(closer) {
		start := p.i
		p.acceptOp(",")
		if p.acceptOp(closer) {
			return
		}
		p.acceptOp("*")
		if e := p.test(); e != nil {
			l.args = append(l.args, e)
		}
		if p.isName("for") || p.isName("async") {
			p.skipBalanced(map[string]string{")": "(", "]": "[", "}": "{"}[closer])
			return
		}
		if p.i == start {
			p.next()
		}
	}
}

func (p *pyParser) dictOrSet(line int) *expr {
	d := &expr{kind: xDict, line: line}
	for !p.eof() && !p.acceptOp("}") {
		start := p.i
		if p.acceptOp(",") {
			continue
		}
		if p.acceptOp("**") {
			if v := p.or(); v != nil {
				d.kw = append(d.kw, field{val: v, line: v.line})
			}
			continue
		}
		k := p.test()
		if k == nil {
			if p.i == start {
				p.next()
			}
			continue
		}
		if p.isName("for") || p.isName("async") {
			p.skipBalanced("{")
			return &expr{kind: xOther, line: line}
		}
		if !p.acceptOp(":") { // a set
			d.kind = xList
			d.args = append(d.args, k)
			continue
		}
		v := p.test()
		if v == nil {
			v = &expr{kind: xOther, line: k.line}
		}
		f := field{val: v, line: k.line}
		if k.kind == xStr && k.s != "" {
			f.key = k.s
		} else {
			f.keyX = k
		}
		d.kw = append(d.kw, f)
		if p.isName("for") || p.isName("async") {
			p.skipBalanced("{")
			return &expr{kind: xOther, line: line}
		}
	}
	return d
}
