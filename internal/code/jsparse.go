package code

import "strings"

// parseJS lowers JavaScript or TypeScript source to the IR with a tolerant
// recursive-descent parser over tokenizeJS's tokens. TypeScript's type
// annotations, interfaces and generics are skipped; so is JSX markup.
func parseJS(src []byte) *unit {
	p := &jsParser{cursor: cursor{ts: tokenizeJS(src)}, imports: map[string]string{}, specs: map[string]string{}}
	var body []stmt
	for !p.eof() {
		start := p.i
		body = append(body, p.statement("")...)
		if p.i == start {
			p.next()
		}
	}
	u := &unit{lang: langJS, body: body, imports: p.imports, specs: p.specs, words: collectWords(p.ts, 0, len(p.ts))}
	putTokens(p.ts)
	return u
}

type jsParser struct {
	cursor
	imports map[string]string
	// specs: local name → the relative module ("./config") it is imported
	// from, so a name read in a URL can be resolved to that file.
	specs map[string]string
}

// noteSpec records that local is imported from module spec when spec is
// a file of the same project ("./x", "../x").
func (p *jsParser) noteSpec(local, spec string) {
	if p.specs != nil && (strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../")) {
		p.specs[local] = spec
	}
}

// block parses statements up to the '}' closing a block already opened.
func (p *jsParser) block(class string) []stmt {
	var out []stmt
	for !p.eof() && !p.acceptOp("}") {
		start := p.i
		out = append(out, p.statement(class)...)
		if p.i == start {
			p.next()
		}
	}
	return out
}

// endStatement consumes an optional ';'.
func (p *jsParser) endStatement() { p.acceptOp(";") }

func (p *jsParser) statement(class string) []stmt {
	t := p.peek()
	if t.kind == tOp {
		switch t.text {
		case ";":
			p.next()
			return nil
		case "{":
			p.next()
			return p.block(class)
		case "@": // a decorator
			p.next()
			p.unary()
			return nil
		}
	}
	if t.kind != tName {
		return p.exprStatement(class)
	}
	switch t.text {
	case "import":
		if n := p.at(1); n.kind == tOp && (n.text == "(" || n.text == ".") {
			return p.exprStatement(class)
		}
		p.importDecl()
		return nil
	case "export":
		p.next()
		p.acceptName("default")
		if p.isOp("{") || p.isOp("*") {
			p.skipLineOrStatement()
			return nil
		}
		return p.statement(class)
	case "const", "let", "var":
		p.next()
		return p.declarators()
	case "async":
		if p.at(1).text == "function" {
			p.next()
			return p.functionDecl(class)
		}
	case "function":
		return p.functionDecl(class)
	case "class":
		return p.classDecl()
	case "return", "throw":
		p.next()
		if p.isOp(";") || p.isOp("}") || p.peek().nl || p.eof() {
			p.endStatement()
			return nil
		}
		e := p.expression()
		p.endStatement()
		if t.text == "throw" || e == nil {
			return exprStmt(e)
		}
		return []stmt{{kind: sReturn, line: t.line, value: e}}
	case "if", "while", "switch", "with", "catch":
		p.next()
		var out []stmt
		if p.acceptOp("(") {
			if e := p.expression(); e != nil {
				out = exprStmt(e)
			}
			p.skipBalanced("(")
		}
		return append(out, p.statement(class)...)
	case "for":
		p.next()
		p.acceptName("await")
		if p.acceptOp("(") {
			p.skipBalanced("(")
		}
		return p.statement(class)
	case "else", "try", "finally", "do":
		p.next()
		return p.statement(class)
	case "case":
		p.next()
		p.expression()
		p.acceptOp(":")
		return nil
	case "default":
		if p.at(1).text == ":" {
			p.next()
			p.next()
			return nil
		}
	case "break", "continue", "debugger":
		p.next()
		if n := p.peek(); n.kind == tName && !n.nl {
			p.next()
		}
		p.endStatement()
		return nil
	case "interface", "enum", "namespace", "module", "declare", "abstract":
		if n := p.at(1); n.kind == tName && !n.nl {
			p.skipDeclaration()
			return nil
		}
	case "type":
		if n := p.at(1); n.kind == tName && !n.nl {
			p.skipLineOrStatement()
			return nil
		}
	}
	return p.exprStatement(class)
}

func exprStmt(e *expr) []stmt {
	if e == nil {
		return nil
	}
	return []stmt{{kind: sExpr, line: e.line, value: e}}
}

// exprStatement parses an expression statement; a top-level assignment
// becomes sAssign.
func (p *jsParser) exprStatement(class string) []stmt {
	e := p.expression()
	p.endStatement()
	if e == nil {
		return nil
	}
	if e.kind == xOther && e.s == "=" && len(e.args) == 2 {
		target := e.args[0]
		if class != "" && target.kind == xName && !strings.Contains(target.s, ".") {
			target = &expr{kind: xName, s: "this." + target.s, line: target.line}
		}
		return []stmt{{kind: sAssign, line: target.line, target: target, value: e.args[1]}}
	}
	return exprStmt(e)
}

// skipDeclaration skips a TypeScript interface/enum/namespace/declare.
func (p *jsParser) skipDeclaration() {
	for !p.eof() {
		t := p.next()
		if t.kind == tOp && t.text == "{" {
			p.skipBalanced("{")
			return
		}
		if t.kind == tOp && t.text == ";" || p.peek().nl {
			return
		}
	}
}

// skipLineOrStatement skips to the end of a statement: a ';' or a line
// break outside brackets.
func (p *jsParser) skipLineOrStatement() {
	for !p.eof() {
		t := p.next()
		if t.kind == tOp {
			switch t.text {
			case "(", "[", "{":
				p.skipBalanced(t.text)
			case ";":
				return
			}
		}
		if p.peek().nl {
			return
		}
	}
}

func (p *jsParser) importDecl() {
	p.next() // import
	p.acceptName("type")
	var names [][2]string // local, imported ("" = default, "*" = namespace)
	for !p.eof() && !p.isName("from") && p.peek().kind != tStr {
		t := p.next()
		switch {
		case t.kind == tOp && t.text == "{":
			for !p.eof() && !p.acceptOp("}") {
				n := p.next()
				if n.kind != tName || n.text == "type" && p.peek().kind == tName {
					continue
				}
				local := n.text
				if p.acceptName("as") {
					local = p.next().text
				}
				names = append(names, [2]string{local, n.text})
			}
		case t.kind == tOp && t.text == "*":
			if p.acceptName("as") {
				names = append(names, [2]string{p.next().text, "*"})
			}
		case t.kind == tName && t.text != "as":
			if p.isOp("=") { // import x = require("m")
				p.next()
				if e := p.expression(); e != nil && e.kind == xCall && e.arg(0) != nil && e.arg(0).kind == xStr {
					p.imports[t.text] = e.arg(0).s
					p.noteSpec(t.text, e.arg(0).s)
				}
				p.endStatement()
				return
			}
			names = append(names, [2]string{t.text, ""})
		}
	}
	p.acceptName("from")
	if t := p.peek(); t.kind == tStr {
		p.next()
		for _, n := range names {
			if n[1] != "" { // a default import names no exported constant
				p.noteSpec(n[0], t.text)
			}
			switch n[1] {
			case "", "*":
				p.imports[n[0]] = t.text
			default:
				p.imports[n[0]] = t.text + "." + n[1]
			}
		}
	}
	p.endStatement()
}

// declarators parses `a = 1, {b, c: d} = obj, e: T = f` after const/let/var.
func (p *jsParser) declarators() []stmt {
	var out []stmt
	for !p.eof() {
		t := p.peek()
		switch {
		case t.kind == tName:
			p.next()
			p.skipTypeAnnotation()
			if p.acceptOp("=") {
				if v := p.assign(); v != nil {
					out = append(out, stmt{kind: sAssign, line: t.line, target: &expr{kind: xName, s: t.text, line: t.line}, value: v})
					p.noteRequire(t.text, v)
				}
			}
		case t.kind == tOp && t.text == "{":
			p.next()
			pairs := p.objectPattern()
			p.skipTypeAnnotation()
			if p.acceptOp("=") {
				if v := p.assign(); v != nil {
					for _, pr := range pairs {
						val := member(v, pr.prop)
						if pr.dflt != nil && hasString(pr.dflt) {
							val = &expr{kind: xOr, line: val.line, args: []*expr{val, pr.dflt}}
						}
						out = append(out, stmt{kind: sAssign, line: t.line, target: &expr{kind: xName, s: pr.local, line: t.line}, value: val})
						p.noteRequire(pr.local, member(v, pr.prop))
					}
				}
			}
		case t.kind == tOp && t.text == "[":
			p.next()
			p.skipBalanced("[")
			if p.acceptOp("=") {
				out = append(out, exprStmt(p.assign())...)
			}
		default:
			p.endStatement()
			return out
		}
		if !p.acceptOp(",") {
			p.endStatement()
			return out
		}
	}
	return out
}

// noteRequire records `x = require("m")` (and `x = require("m").y`) as an import.
func (p *jsParser) noteRequire(local string, v *expr) {
	suffix := ""
	for v != nil && v.kind == xAttr {
		suffix = "." + v.s + suffix
		v = v.x
	}
	if v != nil && v.kind == xCall && dotted(v.x) == "require" && v.arg(0) != nil && v.arg(0).kind == xStr {
		p.imports[local] = v.arg(0).s + suffix
		p.noteSpec(local, v.arg(0).s)
	}
}

// member is v.name as an expression.
func member(v *expr, name string) *expr {
	if v.kind == xName {
		return &expr{kind: xName, s: v.s + "." + name, line: v.line}
	}
	return &expr{kind: xAttr, x: v, s: name, line: v.line}
}

// objectPattern reads a destructuring pattern `{a, b: c, d = 1, ...rest}`
// (past its '{') as (local, property) pairs with their defaults.
func (p *jsParser) objectPattern() []patField {
	var out []patField
	for !p.eof() && !p.acceptOp("}") {
		t := p.next()
		if t.kind != tName {
			if t.kind == tOp && (t.text == "(" || t.text == "[" || t.text == "{") {
				p.skipBalanced(t.text)
			}
			continue
		}
		f := patField{local: t.text, prop: t.text, line: t.line}
		if p.acceptOp(":") {
			if n := p.peek(); n.kind == tName {
				f.local = n.text
				p.next()
			} else if p.acceptOp("{") || p.acceptOp("[") {
				p.skipBalanced(p.at(-1).text)
				continue
			}
		}
		if p.acceptOp("=") {
			f.dflt = p.assign()
		}
		out = append(out, f)
	}
	return out
}

// patField is one name a destructuring pattern binds: local takes the
// value's property prop, or dflt when it has none.
type patField struct {
	local, prop string
	dflt        *expr
	line        int
}

// defaultStmt is `name = dflt` for a parameter or pattern default that
// holds a string (a base URL, a host): the function body sees the value it
// gets when the caller passes none. Other defaults (flags, numbers, empty
// objects) are dropped: only strings name destinations.
func defaultStmt(name string, dflt *expr, line int) (stmt, bool) {
	if name == "" || dflt == nil || !hasString(dflt) {
		return stmt{}, false
	}
	val := &expr{kind: xOr, s: paramDefault, line: dflt.line, args: []*expr{dflt}}
	return stmt{kind: sAssign, line: line, target: &expr{kind: xName, s: name, line: line}, value: val}, true
}

// paramDefault marks the xOr that wraps a parameter's default value.
const paramDefault = "param-default"

func hasString(e *expr) bool {
	found := false
	walkExpr(e, func(x *expr) { found = found || x.kind == xStr })
	return found
}

// skipTypeAnnotation skips `: Type` (and a definite-assignment '!').
func (p *jsParser) skipTypeAnnotation() {
	p.acceptOp("!")
	if !p.acceptOp(":") {
		return
	}
	p.skipType()
}

// skipType skips a TypeScript type up to a token that cannot continue
// it: a brace or parenthesis after a complete type (a function body, a
// call), a name after a complete type, '=', ',', ';' and closers.
func (p *jsParser) skipType() {
	expect := true // a type (or another part of one) must come next
	for !p.eof() {
		t := p.peek()
		switch {
		case t.kind == tOp && (t.text == "{" || t.text == "(" || t.text == "["):
			if !expect && t.text != "[" {
				return
			}
			p.next()
			p.skipBalanced(t.text)
			if t.text == "(" && p.isOp("=>") { // a function type
				p.next()
				continue
			}
			expect = false
		case t.kind == tOp && t.text == "<":
			p.next()
			p.skipAngles()
			expect = false
		case t.kind == tOp && (t.text == "|" || t.text == "&" || t.text == "." || t.text == "?"):
			p.next()
			expect = true
		case t.kind == tName && (t.text == "keyof" || t.text == "typeof" || t.text == "readonly" || t.text == "infer" || t.text == "unique"):
			p.next()
			expect = true
		case t.kind == tName && (t.text == "is" || t.text == "extends") && !expect:
			p.next()
			expect = true
		case expect && (t.kind == tName || t.kind == tStr || t.kind == tNum || t.kind == tTemplate):
			p.next()
			expect = false
		default:
			return
		}
	}
}

// skipAngles skips TypeScript type arguments up to the matching '>'.
func (p *jsParser) skipAngles() {
	depth := 1
	for !p.eof() && depth > 0 {
		t := p.next()
		if t.kind != tOp {
			continue
		}
		switch t.text {
		case "<":
			depth++
		case ">":
			depth--
		case ">>":
			depth -= 2
		case ">>>":
			depth -= 3
		case "(", "[", "{":
			p.skipBalanced(t.text)
		case ";", ")", "}":
			return
		}
	}
}

func (p *jsParser) functionDecl(class string) []stmt {
	line := p.next().line // function
	p.acceptOp("*")
	name := ""
	if t := p.peek(); t.kind == tName {
		name = t.text
		p.next()
	}
	fd := p.functionRest(name, class, line)
	if fd == nil {
		return nil
	}
	return []stmt{{kind: sFunc, line: line, fn: fd}}
}

// functionRest parses `<T>(params): T { body }`.
func (p *jsParser) functionRest(name, class string, line int) *funcDef {
	if p.acceptOp("<") {
		p.skipAngles()
	}
	if !p.acceptOp("(") {
		return nil
	}
	params, defaults := p.jsParams()
	fd := &funcDef{name: name, class: class, line: line, params: params}
	p.skipTypeAnnotation()
	if !p.acceptOp("{") {
		return fd // an overload signature or declaration
	}
	start := p.i
	fd.body = defaults
	fd.body = append(fd.body, p.block("")...)
	fd.words = collectWords(p.ts, start, p.i)
	return fd
}

// jsParams reads parameter names up to ')' (already past '('), and the
// assignments their string defaults make (see defaultStmt), including
// those of a destructured options object.
func (p *jsParser) jsParams() ([]string, []stmt) {
	var out []string
	var defaults []stmt
	expect := true
	for !p.eof() && !p.acceptOp(")") {
		t := p.next()
		switch {
		case t.kind == tOp && t.text == "{" && expect:
			for _, f := range p.objectPattern() {
				if st, ok := defaultStmt(f.local, f.dflt, f.line); ok {
					defaults = append(defaults, st)
				}
			}
			out = append(out, "")
			expect = false
		case t.kind == tOp && (t.text == "(" || t.text == "[" || t.text == "{"):
			p.skipBalanced(t.text)
			if expect {
				out = append(out, "")
				expect = false
			}
		case t.kind == tOp && t.text == ",":
			expect = true
		case t.kind == tOp && t.text == ":":
			p.skipType()
		case t.kind == tOp && t.text == "=":
			v := p.assign()
			if len(out) > 0 {
				if st, ok := defaultStmt(out[len(out)-1], v, t.line); ok {
					defaults = append(defaults, st)
				}
			}
		case t.kind == tName && expect:
			switch t.text {
			case "public", "private", "protected", "readonly", "override":
				continue
			}
			out = append(out, t.text)
			expect = false
		}
	}
	return out, defaults
}

func (p *jsParser) classDecl() []stmt {
	p.next() // class
	name := ""
	if t := p.peek(); t.kind == tName && t.text != "extends" && t.text != "implements" {
		name = t.text
		p.next()
	}
	for !p.eof() && !p.isOp("{") {
		if p.acceptOp("<") {
			p.skipAngles()
			continue
		}
		p.next()
	}
	if !p.acceptOp("{") {
		return nil
	}
	return classBody(name, p.classBody(name))
}

// classBody parses members up to '}': methods become functions of the
// class, fields become attributes (this.NAME).
func (p *jsParser) classBody(class string) []stmt {
	var out []stmt
	for !p.eof() && !p.acceptOp("}") {
		start := p.i
		for {
			t := p.peek()
			if t.kind == tName && isModifier(t.text) && p.at(1).kind == tName || t.kind == tOp && (t.text == "*" || t.text == "@") {
				p.next()
				if t.text == "@" {
					p.unary()
				}
				continue
			}
			break
		}
		t := p.peek()
		switch {
		case t.kind == tName || t.kind == tStr:
			p.next()
			p.acceptOp("?")
			p.acceptOp("!")
			if p.isOp("(") || p.isOp("<") {
				if fd := p.functionRest(t.text, class, t.line); fd != nil {
					out = append(out, stmt{kind: sFunc, line: t.line, fn: fd})
				}
				continue
			}
			p.skipTypeAnnotation()
			if p.acceptOp("=") {
				if v := p.assign(); v != nil {
					out = append(out, stmt{kind: sAssign, line: t.line, target: &expr{kind: xName, s: "this." + t.text, line: t.line}, value: v})
				}
			}
			p.endStatement()
		case t.kind == tOp && t.text == "{": // a static block
			p.next()
			out = append(out, p.block(class)...)
		case t.kind == tOp && t.text == "[":
			p.next()
			p.skipBalanced("[")
		default:
			p.next()
		}
		if p.i == start {
			p.next()
		}
	}
	return out
}

func isModifier(w string) bool {
	switch w {
	case "static", "public", "private", "protected", "readonly", "async", "get", "set", "override", "abstract", "declare", "accessor":
		return true
	}
	return false
}

// expression parses a comma expression (the last value wins).
func (p *jsParser) expression() *expr {
	e := p.assign()
	for e != nil && p.isOp(",") {
		p.next()
		if r := p.assign(); r != nil {
			e = r
		}
	}
	return e
}

var jsAssignOps = map[string]bool{"=": true, "||=": true, "??=": true, "&&=": true, "+=": true, "-=": true, "*=": true,
	"/=": true, "%=": true, "**=": true, "<<=": true, ">>=": true, ">>>=": true, "&=": true, "|=": true, "^=": true}

// assign parses an assignment expression; `a = b` is xOther{s: "="}.
func (p *jsParser) assign() *expr {
	if p.depth >= maxNesting {
		return nil
	}
	p.depth++
	defer func() { p.depth-- }()
	if fn := p.arrow(); fn != nil {
		return fn
	}
	e := p.conditional()
	if e == nil {
		return nil
	}
	if t := p.peek(); t.kind == tOp && jsAssignOps[t.text] {
		p.next()
		v := p.assign()
		if v == nil {
			return e
		}
		switch t.text {
		case "=", "||=", "??=":
			return &expr{kind: xOther, s: "=", line: e.line, args: []*expr{e, v}}
		}
		return &expr{kind: xOther, line: e.line, args: []*expr{e, v}}
	}
	return e
}

// arrow parses an arrow function if one starts here.
func (p *jsParser) arrow() *expr {
	start := p.i
	line := p.peek().line
	p.acceptName("async")
	var params []string
	var defaults []stmt
	switch t := p.peek(); {
	case t.kind == tName && p.at(1).kind == tOp && p.at(1).text == "=>":
		p.next()
		params = []string{t.text}
	case t.kind == tOp && (t.text == "(" || t.text == "<"):
		if !p.arrowAhead() {
			p.i = start
			return nil
		}
		if p.acceptOp("<") {
			p.skipAngles()
		}
		p.next() // (
		params, defaults = p.jsParams()
		p.skipTypeAnnotation()
	default:
		p.i = start
		return nil
	}
	if !p.acceptOp("=>") {
		p.i = start
		return nil
	}
	fd := &funcDef{params: params, line: line, body: defaults}
	bodyStart := p.i
	if p.acceptOp("{") {
		fd.body = append(fd.body, p.block("")...)
	} else if v := p.assign(); v != nil {
		fd.body = append(fd.body, stmt{kind: sReturn, line: v.line, value: v})
	}
	fd.words = collectWords(p.ts, bodyStart, p.i)
	return &expr{kind: xFunc, line: line, fn: fd}
}

// arrowAhead reports whether the parenthesized list (or type parameters)
// ahead is followed by '=>' (possibly after a return type).
func (p *jsParser) arrowAhead() bool {
	depth := 0
	for k := 0; k < 4096; k++ {
		t := p.at(k)
		if t.kind == tEOF {
			return false
		}
		if t.kind != tOp {
			continue
		}
		switch t.text {
		case "(", "[", "{", "<":
			depth++
		case ")", "]", "}", ">":
			depth--
			if depth == 0 {
				n := p.at(k + 1)
				if n.kind == tOp && n.text == "=>" {
					return true
				}
				if n.kind == tOp && n.text == "(" && t.text == ">" {
					continue // type parameters, then the parameter list
				}
				if n.kind == tOp && n.text == ":" && t.text == ")" {
					// A return type: look for '=>' before a ';' or '{' at this depth.
					for j := k + 2; j < k+256; j++ {
						m := p.at(j)
						if m.kind == tOp && m.text == "=>" {
							return true
						}
						if m.kind == tEOF || m.kind == tOp && (m.text == ";" || m.text == "{" || m.text == ")") {
							return false
						}
					}
				}
				return false
			}
		}
	}
	return false
}

func (p *jsParser) conditional() *expr {
	e := p.or()
	if e == nil || !p.isOp("?") {
		return e
	}
	p.next()
	a := p.assign()
	if !p.acceptOp(":") {
		return e
	}
	b := p.assign()
	return &expr{kind: xOr, line: e.line, args: nonNil(a, b), kw: []field{{key: "?", val: e}}}
}

func nonNil(es ...*expr) []*expr {
	var out []*expr
	for _, e := range es {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

func (p *jsParser) or() *expr {
	return orChain(p.and(), func() bool { return p.acceptOp("||") || p.acceptOp("??") }, p.and)
}

func (p *jsParser) and() *expr {
	e := p.binary()
	for e != nil && p.acceptOp("&&") {
		e = &expr{kind: xOther, line: e.line, args: nonNil(e, p.binary())}
	}
	return e
}

var jsBinaryOps = map[string]bool{"==": true, "!=": true, "===": true, "!==": true, "<": true, ">": true, "<=": true, ">=": true,
	"|": true, "^": true, "&": true, "<<": true, ">>": true, ">>>": true, "-": true, "*": true, "/": true, "%": true, "**": true}

// binary parses the binary operators above &&: + concatenates, the others
// keep their operands for walking.
func (p *jsParser) binary() *expr {
	e := p.unary()
	for e != nil {
		t := p.peek()
		switch {
		case t.kind == tOp && t.text == "+":
			p.next()
			e = concat(e, p.unary())
		case t.kind == tOp && jsBinaryOps[t.text]:
			p.next()
			e = &expr{kind: xOther, s: compareOp(t.text), line: e.line, args: nonNil(e, p.unary())}
		case t.kind == tName && (t.text == "instanceof" || t.text == "in") && !t.nl:
			p.next()
			e = &expr{kind: xOther, s: opCompare, line: e.line, args: nonNil(e, p.unary())}
		case t.kind == tName && (t.text == "as" || t.text == "satisfies") && !t.nl:
			p.next()
			p.acceptName("const")
			p.skipType()
		default:
			return e
		}
	}
	return e
}

func (p *jsParser) unary() *expr {
	t := p.peek()
	switch {
	case t.kind == tOp && (t.text == "!" || t.text == "-" || t.text == "+" || t.text == "~" || t.text == "++" || t.text == "--"):
		p.next()
		return &expr{kind: xOther, line: t.line, args: nonNil(p.unary())}
	case t.kind == tName && (t.text == "typeof" || t.text == "void" || t.text == "delete"):
		p.next()
		return &expr{kind: xOther, line: t.line, args: nonNil(p.unary())}
	case t.kind == tName && (t.text == "await" || t.text == "yield") && !p.at(1).nl:
		if n := p.at(1); n.kind == tOp && (n.text == ")" || n.text == ";" || n.text == "," || n.text == "]" || n.text == "}") {
			break
		}
		p.next()
		p.acceptOp("*")
		return p.unary()
	case t.kind == tName && t.text == "new":
		p.next()
		if p.acceptOp(".") { // new.target
			p.next()
			return &expr{kind: xOther, line: t.line}
		}
		callee := p.memberOnly()
		if callee == nil {
			return nil
		}
		if p.acceptOp("<") {
			p.skipAngles()
		}
		c := &expr{kind: xCall, x: callee, line: t.line}
		if p.acceptOp("(") {
			p.args(c)
		}
		return p.trailers(c)
	}
	e := p.postfix()
	if e != nil && (p.isOp("++") || p.isOp("--")) && !p.peek().nl {
		p.next()
	}
	return e
}

// memberOnly parses the callee of `new`: a primary and its property
// accesses, without calls.
func (p *jsParser) memberOnly() *expr {
	e := p.primary()
	for e != nil && p.isOp(".") {
		p.next()
		n := p.next()
		e = member(e, n.text)
	}
	return e
}

func (p *jsParser) postfix() *expr { return p.trailers(p.primary()) }

// trailers parses property accesses, calls, subscripts, optional chains,
// non-null assertions and generic call arguments after e.
func (p *jsParser) trailers(e *expr) *expr {
	for e != nil {
		t := p.peek()
		if t.kind != tOp {
			if t.kind == tTemplate || t.kind == tStr && !t.nl { // tagged template
				p.next()
				continue
			}
			return e
		}
		switch t.text {
		case ".", "?.":
			p.next()
			n := p.peek()
			switch {
			case n.kind == tName:
				p.next()
				e = member(e, n.text)
			case n.kind == tOp && n.text == "(":
				p.next()
				c := &expr{kind: xCall, x: e, line: e.line}
				p.args(c)
				e = c
			case n.kind == tOp && n.text == "[":
				p.next()
				e = p.index(e)
			default:
				return e
			}
		case "(":
			if t.nl && e.kind == xFunc {
				return e
			}
			p.next()
			c := &expr{kind: xCall, x: e, line: e.line}
			p.args(c)
			e = c
		case "[":
			if t.nl {
				return e
			}
			p.next()
			e = p.index(e)
		case "!":
			if n := p.at(1); n.kind == tOp && (n.text == "." || n.text == ")" || n.text == "," || n.text == ";" || n.text == "]" || n.text == "(") {
				p.next()
				continue
			}
			return e
		case "<":
			if !p.genericCall() {
				return e
			}
		default:
			return e
		}
	}
	return e
}

// genericCall skips `<T, U>` when type arguments of a call follow.
func (p *jsParser) genericCall() bool {
	depth := 0
	for k := 0; k < 64; k++ {
		t := p.at(k)
		switch {
		case t.kind == tEOF, t.kind == tStr, t.kind == tNum && depth <= 0:
			return false
		case t.kind == tOp && t.text == "<":
			depth++
		case t.kind == tOp && t.text == ">":
			depth--
			if depth == 0 {
				if n := p.at(k + 1); n.kind == tOp && n.text == "(" {
					p.i += k + 1
					return true
				}
				return false
			}
		case t.kind == tOp && (t.text == ";" || t.text == "=" || t.text == "&&" || t.text == "||" || t.text == ")"):
			return false
		}
	}
	return false
}

func (p *jsParser) index(base *expr) *expr {
	k := p.expression()
	p.skipBalanced("[")
	return &expr{kind: xIndex, x: base, args: []*expr{k}, line: base.line}
}

// args parses call arguments up to ')' (already past '(').
func (p *jsParser) args(c *expr) {
	for !p.eof() && !p.acceptOp(")") {
		start := p.i
		p.acceptOp("...")
		if a := p.assign(); a != nil {
			c.args = append(c.args, a)
		}
		if !p.acceptOp(",") && !p.isOp(")") {
			if p.i == start {
				p.next()
			} else {
				p.skipBalanced("(")
				return
			}
		}
	}
}

func (p *jsParser) primary() *expr {
	t := p.peek()
	switch t.kind {
	case tName:
		switch t.text {
		case "true", "false":
			p.next()
			return &expr{kind: xBool, s: t.text, line: t.line}
		case "null", "undefined":
			p.next()
			return &expr{kind: xNull, line: t.line}
		case "function":
			p.next()
			p.acceptOp("*")
			name := ""
			if n := p.peek(); n.kind == tName {
				name = n.text
				p.next()
			}
			if fd := p.functionRest(name, "", t.line); fd != nil {
				return &expr{kind: xFunc, line: t.line, fn: fd}
			}
			return &expr{kind: xOther, line: t.line}
		case "async":
			if p.at(1).text == "function" {
				p.next()
				return p.primary()
			}
		case "class":
			p.next()
			for !p.eof() && !p.isOp("{") {
				p.next()
			}
			if p.acceptOp("{") {
				p.skipBalanced("{")
			}
			return &expr{kind: xOther, line: t.line}
		case "in", "of", "instanceof", "else", "case", "default", "return", "const", "let", "var", "if", "for", "while", "do",
			"try", "catch", "finally", "switch", "break", "continue", "throw", "export", "extends", "implements", "interface":
			return nil
		}
		p.next()
		return &expr{kind: xName, s: t.text, line: t.line}
	case tNum:
		p.next()
		return &expr{kind: xNum, s: t.text, line: t.line}
	case tStr:
		p.next()
		return &expr{kind: xStr, s: t.text, line: t.line}
	case tTemplate:
		p.next()
		return templateExpr(t, parseJSEmbedded)
	case tRegexp:
		p.next()
		return &expr{kind: xOther, line: t.line}
	case tOp:
		switch t.text {
		case "(":
			p.next()
			e := p.expression()
			p.skipBalanced("(")
			if e == nil {
				e = &expr{kind: xOther, line: t.line}
			}
			return e
		case "[":
			p.next()
			l := &expr{kind: xList, line: t.line}
			for !p.eof() && !p.acceptOp("]") {
				start := p.i
				p.acceptOp("...")
				if a := p.assign(); a != nil {
					l.args = append(l.args, a)
				}
				if !p.acceptOp(",") && p.i == start {
					p.next()
				}
			}
			return l
		case "{":
			p.next()
			return p.object(t.line)
		case "<": // JSX or a type assertion: skip to the end of the expression
			p.skipJSX()
			return &expr{kind: xOther, line: t.line}
		}
	}
	return nil
}

// skipJSX skips markup: to the end of the enclosing bracket or statement.
func (p *jsParser) skipJSX() {
	for !p.eof() {
		t := p.peek()
		if t.kind == tOp {
			switch t.text {
			case ")", "]", "}", ";", ",":
				return
			case "(", "[", "{":
				p.next()
				p.skipBalanced(t.text)
				continue
			}
		}
		p.next()
	}
}

func parseJSEmbedded(ts []token) *expr {
	p := &jsParser{cursor: cursor{ts: ts}, imports: map[string]string{}}
	return p.expression()
}

// object parses an object literal (past its '{').
func (p *jsParser) object(line int) *expr {
	d := &expr{kind: xDict, line: line}
	for !p.eof() && !p.acceptOp("}") {
		start := p.i
		if p.acceptOp(",") {
			continue
		}
		if p.acceptOp("...") {
			if v := p.assign(); v != nil {
				d.kw = append(d.kw, field{val: v, line: v.line})
			}
			continue
		}
		for {
			if t := p.peek(); t.kind == tName && (t.text == "async" || t.text == "get" || t.text == "set" || t.text == "static") &&
				(p.at(1).kind == tName || p.at(1).kind == tStr || p.at(1).kind == tOp && p.at(1).text == "[") {
				p.next()
				continue
			}
			break
		}
		p.acceptOp("*")
		k := p.peek()
		f := field{line: k.line}
		switch {
		case k.kind == tName || k.kind == tStr || k.kind == tNum:
			p.next()
			f.key = k.text
		case k.kind == tOp && k.text == "[":
			p.next()
			f.keyX = p.assign()
			p.skipBalanced("[")
		default:
			if p.i == start {
				p.next()
			}
			continue
		}
		switch {
		case p.acceptOp(":"):
			f.val = p.assign()
		case p.isOp("(") || p.isOp("<"):
			if fd := p.functionRest(f.key, "", k.line); fd != nil {
				f.val = &expr{kind: xFunc, line: k.line, fn: fd}
			}
		case p.acceptOp("="): // a default in a pattern
			p.assign()
			f.val = &expr{kind: xName, s: f.key, line: k.line}
		default: // shorthand {token}
			f.val = &expr{kind: xName, s: f.key, line: k.line}
		}
		if f.val == nil {
			f.val = &expr{kind: xOther, line: k.line}
		}
		if f.key == "" && f.keyX == nil {
			f.keyX = &expr{kind: xStr, line: k.line}
		}
		d.kw = append(d.kw, f)
	}
	return d
}
