package code

import "strings"

// analyzer evaluates one unit's expressions: which URLs, settings and
// credentials a value may hold. It is a flow-insensitive, bounded
// abstract interpretation: every assignment to a name counts, functions
// return the union of their return statements, and the work per file is
// capped (evalBudget).
type analyzer struct {
	u       *unit
	module  *scope
	scopes  map[*funcDef]*scope
	parent  map[*funcDef]*funcDef
	classes map[string]*scope
	funcs   map[string]*funcDef
	attach  map[*scope]map[string][]attachment
	budget  int
	// depth is how deep eval is nested: a chain of names each defined
	// through the previous one (minified bundles) would otherwise grow
	// the goroutine's stack to hundreds of megabytes.
	depth int
	words wordFlags // of every function's identifiers
	// origin is the method scope a self.x assignment was made in (it is
	// bound in the class scope): its value is evaluated there, where the
	// method's parameters and locals are.
	origin map[*expr]*scope
}

// attachment is something set on an object after it was made: a
// credential header, a timeout, a base URL.
type attachment struct {
	cred    *cred
	timeout bool
	base    *expr
	sc      *scope
}

const evalBudget = 200000

// maxEvalDepth bounds eval's nesting; real code's URLs are a few names
// deep, a generated chain is cut there.
const maxEvalDepth = 1000

func newAnalyzer(u *unit) *analyzer {
	a := &analyzer{u: u, scopes: map[*funcDef]*scope{}, parent: map[*funcDef]*funcDef{}, classes: map[string]*scope{},
		funcs: map[string]*funcDef{}, attach: map[*scope]map[string][]attachment{}, budget: evalBudget}
	a.module = newScope(nil, nil)
	a.module.memo = map[string]*value{}
	// Register functions and their nesting, then bind every assignment in
	// the scope of the function it is in.
	walkStmts(u.body, nil, func(s *stmt, fn *funcDef) {
		if s.kind == sFunc && s.fn != nil {
			a.parent[s.fn] = fn
			a.registerFunc(s.fn)
		}
		for _, e := range []*expr{s.value, s.target} {
			walkExpr(e, func(x *expr) {
				if x.kind == xFunc && x.fn != nil {
					a.parent[x.fn] = fn
				}
			})
		}
	})
	walkStmts(u.body, nil, func(s *stmt, fn *funcDef) {
		if s.kind != sAssign {
			return
		}
		name := targetName(s.target)
		if name == "" {
			return
		}
		sc := a.scopeOf(fn)
		if isSelf(name) && sc.class != "" {
			if cs := a.classScope(sc.class); cs != sc {
				if a.origin == nil {
					a.origin = map[*expr]*scope{}
				}
				if s.value != nil {
					a.origin[s.value] = sc
				}
				sc = cs
			}
		}
		sc.vars[name] = append(sc.vars[name], s.value)
	})
	if u.lang == langGo {
		a.bindStructLiterals()
	}
	return a
}

// bindStructLiterals binds the fields of a Go struct literal of a type
// of this package (one with methods here, or any keyed literal of an
// unqualified type: its methods may be in another file) as that type's
// attributes: &Client{baseURL: defaultBaseURL} makes self.baseURL in
// Client's methods hold defaultBaseURL, evaluated where the literal is.
func (a *analyzer) bindStructLiterals() {
	types := map[string]bool{}
	for _, fn := range a.funcs {
		if fn.class != "" {
			types[fn.class] = true
		}
	}
	walkStmts(a.u.body, nil, func(s *stmt, fn *funcDef) {
		sc := a.scopeOf(fn)
		for _, e := range []*expr{s.value, s.target} {
			walkExpr(e, func(x *expr) {
				if x.kind != xCall || x.x == nil || x.x.kind != xName || !types[x.x.s] && !compositeLiteral(x) {
					return
				}
				cs := a.classScope(x.x.s)
				for _, f := range x.kw {
					if f.key == "" || f.val == nil {
						continue
					}
					cs.vars["self."+f.key] = append(cs.vars["self."+f.key], f.val)
					if cs != sc {
						if a.origin == nil {
							a.origin = map[*expr]*scope{}
						}
						a.origin[f.val] = sc
					}
				}
			})
		}
	})
}

// compositeLiteral says a Go call is a composite literal of a type of
// this package (T{f: v}): Go calls have no keyword arguments. The
// package's other files may declare T's methods.
func compositeLiteral(x *expr) bool {
	return len(x.kw) > 0 && !strings.Contains(x.x.s, ".")
}

func (a *analyzer) registerFunc(fn *funcDef) {
	a.words |= fn.words
	if fn.name == "" || fn.name == "<class>" {
		return
	}
	key := fn.name
	if fn.class != "" {
		key = fn.class + "." + fn.name
	}
	if _, dup := a.funcs[key]; !dup {
		a.funcs[key] = fn
	}
}

// scopeOf returns the scope of fn (the module for nil), made on first use.
func (a *analyzer) scopeOf(fn *funcDef) *scope {
	if fn == nil {
		return a.module
	}
	if sc, ok := a.scopes[fn]; ok {
		return sc
	}
	sc := newScope(a.scopeOf(a.parent[fn]), fn)
	if fn.name == "<class>" {
		sc = a.classScope(fn.class)
	}
	a.scopes[fn] = sc
	return sc
}

func (a *analyzer) classScope(class string) *scope {
	if sc, ok := a.classes[class]; ok {
		return sc
	}
	sc := newScope(a.module, nil)
	sc.class = class
	a.classes[class] = sc
	return sc
}

func isSelf(name string) bool {
	return strings.HasPrefix(name, "self.") || strings.HasPrefix(name, "this.") || strings.HasPrefix(name, "cls.")
}

// targetName names an assignment target: a dotted name, or a subscript
// with a literal key as base[key] ("app.config[METRICS_URL]").
func targetName(t *expr) string {
	if n := dotted(t); n != "" {
		return n
	}
	if t != nil && t.kind == xIndex && t.arg(0) != nil && t.arg(0).kind == xStr {
		if b := dotted(t.x); b != "" {
			return b + "[" + t.arg(0).s + "]"
		}
	}
	return ""
}

// canon qualifies a dotted name through the file's imports:
// rq.get → requests.get, fetch → node-fetch.
func (a *analyzer) canon(name string) string {
	first, rest, dot := strings.Cut(name, ".")
	if q, ok := a.u.imports[first]; ok {
		if dot {
			return q + "." + rest
		}
		return q
	}
	return name
}

// eval returns what e may hold, evaluated in sc.
func (a *analyzer) eval(e *expr, sc *scope) value {
	if e == nil || a.budget <= 0 || a.depth >= maxEvalDepth {
		return value{}
	}
	a.budget--
	a.depth++
	defer func() { a.depth-- }()
	switch e.kind {
	case xStr:
		return strValue(e)
	case xNum, xBool:
		return value{str: e.s, strOK: true}
	case xName:
		return a.lookup(e.s, sc, e.line)
	case xAttr:
		return a.attr(e, sc)
	case xCall:
		return a.call(e, sc)
	case xIndex:
		return a.index(e, sc)
	case xDict:
		return value{dict: e, dictSc: sc, cred: a.dictCred(e, sc)}
	case xList:
		var v value
		for _, x := range e.args {
			v.merge(a.eval(x, sc))
		}
		v.dict, v.client, v.fn = nil, nil, nil
		return v
	case xConcat:
		return a.concat(e, sc)
	case xOr:
		var v value
		for _, x := range e.args {
			v.merge(a.eval(x, sc))
		}
		if e.s == paramDefault {
			for i := range v.urls {
				v.urls[i].dflt = true
			}
		}
		return v
	case xFunc:
		return value{fn: e.fn}
	}
	var v value
	for _, x := range e.args { // an operator: keep taint of its operands
		o := a.eval(x, sc)
		v.input = v.input || o.input
	}
	return v
}

func strValue(e *expr) value {
	v := value{str: e.s, strOK: true}
	if scheme, host, ok := urlHost(e.s, true); ok {
		v.urls = []urlRef{{raw: e.s, scheme: scheme, host: host, line: e.line}}
	}
	if authScheme(e.s) {
		v.cred = &cred{line: e.line, how: "Authorization value"}
	}
	return v
}

// lookup resolves a dotted name in sc and its parents.
func (a *analyzer) lookup(name string, sc *scope, line int) value {
	if a.u.specs != nil {
		if first, _, _ := strings.Cut(name, "."); a.u.specs[first] != "" {
			// const {X} = require("./m") binds X to the import: what it
			// holds is in ./m.
			return a.unresolved(name, line)
		}
	}
	for s := sc; s != nil; s = s.parent {
		if isSelf(name) && s.class != "" {
			cs := a.classScope(s.class)
			if _, ok := cs.vars[name]; !ok && (a.u.lang == langGo || a.u.lang == langPython) && strings.HasPrefix(name, "self.") {
				// A field no literal in this file sets: the package's
				// other files may (&Client{base: defaultBase}). An
				// attribute no method of the class sets: a subclass may
				// (base_url = "https://…" in class Billing(BaseAPI)).
				return value{refs: []symRef{{name: s.class + "." + strings.TrimPrefix(name, "self."), sub: a.u.lang == langPython}}}
			}
			return a.bound(cs, name)
		}
		if vs, ok := s.vars[name]; ok {
			if len(vs) == 0 && s.fn != nil {
				if i := paramIndex(s.fn, name); i >= 0 {
					return value{params: []paramRef{{fn: s.fn, i: i}}}
				}
			}
			return a.bound(s, name)
		}
	}
	// Class attributes: Config.METRICS_URL.
	if first, rest, ok := strings.Cut(name, "."); ok {
		if cs, ok := a.classes[first]; ok {
			if _, ok := cs.vars["self."+rest]; ok {
				return a.bound(cs, "self."+rest)
			}
		}
		// A field of a dict bound to the prefix: CONFIG.url in JS.
		if i := strings.LastIndexByte(name, '.'); i > 0 {
			base := a.lookupKnown(name[:i], sc)
			if base.dict != nil {
				if f := base.dict.kwarg(name[i+1:]); f != nil {
					return a.eval(f, base.dictSc)
				}
			}
			if base.input {
				return value{input: true}
			}
		}
	}
	return a.unresolved(name, line)
}

// lookupKnown is lookup without the fallbacks for unknown names.
func (a *analyzer) lookupKnown(name string, sc *scope) value {
	for s := sc; s != nil; s = s.parent {
		if _, ok := s.vars[name]; ok {
			return a.bound(s, name)
		}
	}
	if isInput(a.canon(name)) {
		return value{input: true}
	}
	return value{}
}

// bound evaluates every assignment to name in s (memoized; a name that
// refers to itself evaluates to nothing the second time round) and applies
// what was attached to the object later.
func (a *analyzer) bound(s *scope, name string) value {
	if v, ok := s.memo[name]; ok {
		return *v
	}
	s.memo[name] = &value{}
	var v value
	for _, e := range s.vars[name] {
		es := s
		if o := a.origin[e]; o != nil {
			es = o
		}
		v.merge(a.eval(e, es))
	}
	for _, u := range v.urls {
		if u.name == "" {
			v.urls = nameURLs(v.urls, name)
			break
		}
	}
	if v.client != nil {
		c := *v.client
		for _, at := range a.attach[s][name] {
			if at.cred != nil && c.cred == nil {
				c.cred = at.cred
			}
			c.timeout = c.timeout || at.timeout
			if at.base != nil {
				c.base.merge(a.eval(at.base, at.sc))
			}
		}
		v.client = &c
	}
	s.memo[name] = &v
	return v
}

// nameURLs labels URLs without a name with the variable they were read through.
func nameURLs(us []urlRef, name string) []urlRef {
	out := make([]urlRef, len(us))
	for i, u := range us {
		if u.name == "" {
			u.name = name
		}
		out[i] = u
	}
	return out
}

// unresolved is what an unknown name may be: the environment, user
// input, a response's Location header, or a setting defined elsewhere.
func (a *analyzer) unresolved(name string, line int) value {
	c := a.canon(name)
	lower := strings.ToLower(c)
	switch {
	case strings.HasPrefix(c, "process.env."):
		return value{settings: []string{lastPart(c)}, env: true}
	case isInput(c):
		return value{input: true}
	case strings.HasSuffix(lower, "headers.location"):
		return value{location: true}
	}
	var v value
	last := lastPart(c)
	if settingLike(last) && (strings.Contains(c, ".") || c != name) {
		v.settings = []string{last}
	} else if settingLike(name) && strings.ToUpper(name) == name {
		v.settings = []string{name}
	}
	if r, ok := a.symRefOf(name); ok {
		v.refs = []symRef{r}
	}
	return v
}

// settingLike says a name could be a configuration setting holding a URL
// or host (METRICS_URL, baseUrl, apiHost): what cross-file links key on.
func settingLike(name string) bool {
	return len(name) >= 3 && hostishName(name)
}

// isInput says a canonical name reads the request being served.
func isInput(c string) bool {
	lower := strings.ToLower(c)
	for _, p := range []string{"flask.request.", "request.args", "request.form", "request.values", "request.json", "request.get_json", "request.data",
		"request.get", "request.post", "request.query_params", "request.query", "request.body", "request.params",
		"req.query", "req.body", "req.params", "ctx.query", "ctx.request.body", "ctx.params", "event.querystringparameters", "event.body"} {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	return strings.HasSuffix(lower, ".formvalue") || strings.HasSuffix(lower, ".postformvalue") || strings.Contains(lower, ".url.query") ||
		strings.HasSuffix(lower, "mux.vars")
}

func (a *analyzer) attr(e *expr, sc *scope) value {
	base := a.eval(e.x, sc)
	switch {
	case base.dict != nil:
		if f := base.dict.kwarg(e.s); f != nil {
			return a.eval(f, base.dictSc)
		}
	case base.input:
		return value{input: true}
	case strings.EqualFold(e.s, "location") && e.x.kind == xAttr && strings.EqualFold(e.x.s, "headers"):
		return value{location: true}
	}
	return value{}
}

func (a *analyzer) index(e *expr, sc *scope) value {
	key := ""
	if k := e.arg(0); k != nil {
		if kv := a.eval(k, sc); kv.strOK {
			key = kv.str
		}
	}
	base := a.canon(dotted(e.x))
	switch {
	case base == "os.environ" || base == "process.env" || strings.HasSuffix(base, ".environ"):
		if key != "" {
			return value{settings: []string{key}, env: true}
		}
		return value{env: true}
	case configBase(base) && key != "":
		if n := base + "[" + key + "]"; a.hasBinding(n, sc) {
			return a.lookup(n, sc, e.line)
		}
		return value{settings: []string{key}}
	case isInput(base) || isInput(base+"."):
		return value{input: true}
	case strings.EqualFold(key, "location") && strings.HasSuffix(strings.ToLower(base), "headers"):
		return value{location: true}
	case strings.EqualFold(key, "location") && e.x.kind == xAttr && strings.EqualFold(e.x.s, "headers"):
		return value{location: true}
	}
	b := a.eval(e.x, sc)
	if b.dict != nil && key != "" {
		if f := b.dict.kwarg(key); f != nil {
			return a.eval(f, b.dictSc)
		}
	}
	if b.input {
		return value{input: true}
	}
	if key != "" && settingLike(key) && b.dict == nil && len(b.urls) == 0 && b.client == nil {
		// settings.PAYMENTS["BASE_URL"], CONFIG["apiUrl"]: a setting
		// defined elsewhere, by its key.
		return value{settings: append(b.settings, key), env: b.env}
	}
	return value{}
}

func (a *analyzer) hasBinding(name string, sc *scope) bool {
	for s := sc; s != nil; s = s.parent {
		if _, ok := s.vars[name]; ok {
			return true
		}
	}
	return false
}

// configBase says a dotted name is an application's configuration mapping.
func configBase(base string) bool {
	switch strings.ToLower(lastPart(base)) {
	case "config", "settings", "conf", "cfg", "configuration", "options", "env", "environ":
		return true
	}
	return false
}

// concat evaluates a concatenation. The host is decided by the literal
// prefix when it holds a complete host, otherwise by the first part that
// is not a literal (a base URL variable, a host from the environment…).
func (a *analyzer) concat(e *expr, sc *scope) value {
	var v value
	prefix, exact, decided := "", true, false
	for i, p := range e.args {
		pv := a.eval(p, sc)
		if v.cred == nil && pv.cred != nil {
			v.cred = pv.cred
		}
		if exact && pv.strOK {
			prefix += pv.str
			continue
		}
		if !exact {
			continue
		}
		exact = false
		if scheme, host, ok := urlHost(prefix, false); ok {
			v.urls = append(v.urls, urlRef{raw: prefix + "…", scheme: scheme, host: host, line: e.line})
			decided = true
			continue
		}
		if i == 0 || strings.HasSuffix(prefix, "://") {
			v.urls = append(v.urls, hostsAfterScheme(prefix, pv, e.line)...)
			v.settings = append(v.settings, pv.settings...)
			v.refs = append(v.refs, refsAfterScheme(prefix, pv.refs)...)
			if i == 0 {
				v.params = pv.params
			}
			v.env, v.input, v.location = pv.env, pv.input, pv.location
			decided = true
		}
	}
	if exact {
		v.str, v.strOK = prefix, true
		if scheme, host, ok := urlHost(prefix, true); ok {
			v.urls = append(v.urls, urlRef{raw: prefix, scheme: scheme, host: host, line: e.line})
		}
	}
	_ = decided
	if v.cred == nil && authScheme(prefix) {
		v.cred = &cred{line: e.line, how: "Authorization value"}
	}
	return v
}

// hostsAfterScheme turns the value following a literal "https://" into
// URLs: a bare host string becomes https://host.
func hostsAfterScheme(prefix string, pv value, line int) []urlRef {
	if prefix == "" {
		return pv.urls
	}
	var out []urlRef
	scheme := strings.ToLower(strings.TrimSuffix(prefix, "://"))
	out = append(out, pv.urls...)
	if pv.strOK {
		if h, ok := bareHost(pv.str); ok {
			out = append(out, urlRef{raw: prefix + pv.str, scheme: scheme, host: h, line: line})
		}
	}
	return out
}

// dictCred says a dict/object literal carries a credential: a credential
// header key with a value, or a spread of one that does.
func (a *analyzer) dictCred(e *expr, sc *scope) *cred {
	for _, f := range e.kw {
		key := f.key
		if f.key == "" && f.keyX == nil { // a spread
			if v := a.eval(f.val, sc); v.cred != nil {
				return v.cred
			}
			continue
		}
		if f.keyX != nil {
			if kv := a.eval(f.keyX, sc); kv.strOK {
				key = kv.str
			}
		}
		if credentialHeader(key) && !emptyLiteral(f.val) {
			return &cred{line: f.line, how: key + " header"}
		}
	}
	return nil
}

// emptyLiteral says e is "", None/null/nil or absent.
func emptyLiteral(e *expr) bool {
	return e == nil || e.kind == xNull || e.kind == xStr && strings.TrimSpace(e.s) == ""
}
