package code

import "strings"

// exprKind says what an IR expression is. The IR keeps only what linking
// a URL to a credential needs; everything else is xOther.
type exprKind uint8

const (
	xOther  exprKind = iota
	xStr             // s: the literal's value
	xNum             // s: the literal as written
	xBool            // s: "true" or "false"
	xNull            // None, null, nil, undefined
	xName            // s: a dotted name: "requests.get", "self.session", "process.env.API_URL"
	xAttr            // x.s where x is not a plain name (a call result, a subscript)
	xCall            // x(args, kw...): kw holds keyword arguments (Python)
	xIndex           // x[args[0]]
	xDict            // {kw...}; a field with an empty key and keyX nil spreads its val (**d, ...o)
	xList            // [args...]
	xConcat          // args joined: "a" + b, f"…{b}", `…${b}`, fmt.Sprintf("%s…", b)
	xOr              // any of args: a or b, a || b, a ?? b
	xFunc            // a lambda, arrow function or function literal: fn
)

// expr is one IR expression.
type expr struct {
	kind exprKind
	s    string
	line int
	x    *expr
	args []*expr
	kw   []field
	fn   *funcDef
}

// field is a keyword argument or a dict/object entry.
type field struct {
	key  string // the key when it is a literal or a bare name
	keyX *expr  // a computed key
	val  *expr
	line int
}

// stmtKind says what an IR statement is.
type stmtKind uint8

const (
	sExpr   stmtKind = iota // an expression evaluated for effect (usually a call)
	sAssign                 // target = value
	sReturn                 // return value
	sFunc                   // a function or method definition: fn
)

// stmt is one IR statement. Control flow is flattened: the statements of
// if, for, try and with blocks belong to the enclosing function.
type stmt struct {
	kind   stmtKind
	line   int
	target *expr // sAssign: a name, attribute or subscript
	value  *expr
	fn     *funcDef
}

// funcDef is a function, method or lambda.
type funcDef struct {
	name   string // "" for literals
	class  string // the class (or Go receiver type) of a method
	params []string
	body   []stmt
	line   int
	// words are every identifier in the body, lower-cased: enough to tell
	// whether it checks an allow-list.
	words map[string]bool
}

// unit is one source file lowered to the IR.
type unit struct {
	lang    lang
	body    []stmt // module-level statements; functions are sFunc statements
	imports map[string]string
	words   map[string]bool // every identifier of the file, lower-cased
}

// dotted returns the dotted name of e ("a.b.c"), or "" when e is not a
// plain name or attribute chain of names.
func dotted(e *expr) string {
	if e == nil {
		return ""
	}
	switch e.kind {
	case xName:
		return e.s
	case xAttr:
		if b := dotted(e.x); b != "" {
			return b + "." + e.s
		}
	}
	return ""
}

// lastPart returns what follows the last dot of a dotted name.
func lastPart(name string) string {
	return name[strings.LastIndexByte(name, '.')+1:]
}

// arg returns positional argument i of a call, or nil.
func (e *expr) arg(i int) *expr {
	if e == nil || i < 0 || i >= len(e.args) {
		return nil
	}
	return e.args[i]
}

// kwarg returns the value of keyword argument or dict entry name, or nil.
func (e *expr) kwarg(name string) *expr {
	if e == nil {
		return nil
	}
	for _, f := range e.kw {
		if f.key == name {
			return f.val
		}
	}
	return nil
}

// hasKw reports whether the call or dict sets name.
func (e *expr) hasKw(name string) bool { return e.kwarg(name) != nil }

// walkExpr calls fn for e and every expression inside it (not into
// function literals' bodies).
func walkExpr(e *expr, fn func(*expr)) {
	if e == nil {
		return
	}
	fn(e)
	walkExpr(e.x, fn)
	for _, a := range e.args {
		walkExpr(a, fn)
	}
	for _, f := range e.kw {
		walkExpr(f.keyX, fn)
		walkExpr(f.val, fn)
	}
}

// walkStmts calls fn for every statement, descending into function bodies;
// fnOf is the function the statement belongs to (nil at module level).
func walkStmts(body []stmt, outer *funcDef, fn func(s *stmt, fnOf *funcDef)) {
	for i := range body {
		s := &body[i]
		fn(s, outer)
		if s.kind == sFunc && s.fn != nil {
			walkStmts(s.fn.body, s.fn, fn)
		}
		for _, e := range []*expr{s.value, s.target} {
			walkExpr(e, func(x *expr) {
				if x.kind == xFunc && x.fn != nil {
					walkStmts(x.fn.body, x.fn, fn)
				}
			})
		}
	}
}
