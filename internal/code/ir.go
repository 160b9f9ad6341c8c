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
	name  string // "" for literals
	class string // the class (or Go receiver type) of a method
	// inherits: the class names a base class (other than object), so a
	// method may override one of the base's.
	inherits bool
	params   []string
	body     []stmt
	line     int
	// words says what the identifiers of the body name: enough to tell
	// whether it checks an allow-list.
	words wordFlags
}

// unit is one source file lowered to the IR.
type unit struct {
	lang    lang
	body    []stmt // module-level statements; functions are sFunc statements
	imports map[string]string
	// specs: JavaScript names imported from a file of the project, with
	// the module as written ("./constants").
	specs map[string]string
	// bases: Python classes' first base class, as written.
	bases map[string]string
	words wordFlags // of every identifier of the file
}

// wordFlags are what the analyzer asks of a body's identifiers (compared
// lower-cased): one names an allow-list, a context deadline, super.
type wordFlags uint8

const (
	// wordAllow: allow, whitelist, trusted, permitted, validhost or
	// valid_host is part of a name.
	wordAllow wordFlags = 1 << iota
	// wordDeadline: withtimeout or withdeadline is a name (Go's context).
	wordDeadline
	wordSuper // super
)

var allowMarks = []string{"allow", "whitelist", "trusted", "permitted", "validhost", "valid_host"}

// wordFlagsOf classifies one identifier without allocating (ASCII, the
// common case) or through its lower-cased form.
func wordFlagsOf(w string) wordFlags {
	if !isASCII(w) {
		return wordFlagsOfLower(strings.ToLower(w))
	}
	var f wordFlags
	for _, m := range allowMarks {
		if containsFoldASCII(w, m) {
			f |= wordAllow
			break
		}
	}
	if strings.EqualFold(w, "withtimeout") || strings.EqualFold(w, "withdeadline") {
		f |= wordDeadline
	}
	if strings.EqualFold(w, "super") {
		f |= wordSuper
	}
	return f
}

func wordFlagsOfLower(w string) wordFlags {
	var f wordFlags
	for _, m := range allowMarks {
		if strings.Contains(w, m) {
			f |= wordAllow
			break
		}
	}
	if w == "withtimeout" || w == "withdeadline" {
		f |= wordDeadline
	}
	if w == "super" {
		f |= wordSuper
	}
	return f
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// containsFoldASCII says ASCII s contains lower-case ASCII sub, ignoring case.
func containsFoldASCII(s, sub string) bool {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for j < n && lowerASCII(s[i+j]) == sub[j] {
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
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

// opCompare marks an xOther that compares its operands (==, !=, ===, in,
// is): a host literal there is checked against, not called.
const opCompare = "compare"

// compareOp is opCompare for an equality operator, "" for the others.
func compareOp(op string) string {
	switch op {
	case "==", "!=", "===", "!==":
		return opCompare
	}
	return ""
}
