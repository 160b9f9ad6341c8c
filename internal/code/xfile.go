package code

import (
	"sort"
	"strings"
)

// Links across the files of one project. A file says, besides its own
// facts, which names its URLs read that another file defines (refs: an
// explicit import, or a Go package's other files), what it defines that
// another file may import (syms), which of its functions send a
// credential to a URL their caller passes (wrappers) and which calls pass
// a URL to a function defined elsewhere (wrapCalls). The join resolves
// them by path (xjoin.go): never by a name alone.

// symRef is a name read in one file and defined in another.
type symRef struct {
	// mod is the JavaScript module as imported ("./constants"); "" in Go
	// (the package) and Python (name holds the module).
	mod string
	// name: Go "defaultBase" or "Client.base" (a field); Python the
	// qualified name as imported (".config.API_ROOT",
	// "shop.partner.transport.authed_get"); JavaScript the exported name.
	name string
	// after is the scheme of a literal "scheme://" the name follows: a
	// bare host it holds is that URL's host.
	after string
	// sub: a Python attribute of self (name "Class.attr") that the
	// class does not set: a subclass may.
	sub bool
}

// classDef is a Python class with a base class that sets attributes
// holding URLs (its syms "Class.attr").
type classDef struct {
	name string
	base string // canonical through the file's imports: ".base.BaseAPI"
}

// paramRef is parameter i of fn.
type paramRef struct {
	fn *funcDef
	i  int
}

// symDef is a top-level name (a Go struct field set by a literal:
// "Type.field") that holds URLs, a bare host or names of other files.
type symDef struct {
	name string
	urls []urlRef
	host string // a bare host string ("api.svc-sample.io"), line is where
	line int
	refs []symRef
}

// wrapperDef is a function that sends a credential to the URL its caller
// passes as positional argument arg.
type wrapperDef struct {
	name  string // as fnName names it: "authed_get", "Client.authed"
	arg   int
	grade grade
	how   string
}

// wrapCall is a call that passes URLs to a function that may be a
// wrapper: in this file (local) or another.
type wrapCall struct {
	line   int
	symbol string
	local  bool
	target symRef // local: name is the function's fnName
	args   []wrapArg
}

// wrapArg is what a positional argument of a wrapCall may hold.
type wrapArg struct {
	urls     []urlRef
	settings []string
	refs     []symRef
}

// goPredeclared are Go's predeclared names no file of a package defines.
var goPredeclared = map[string]bool{"_": true, "iota": true, "append": true, "len": true, "cap": true, "make": true, "new": true,
	"copy": true, "delete": true, "panic": true, "print": true, "println": true, "min": true, "max": true, "clear": true,
	"string": true, "byte": true, "rune": true, "int": true, "int64": true, "uint": true, "float64": true, "error": true, "any": true}

// maxWrapArgs bounds the arguments of a call looked at for URLs.
const maxWrapArgs = 4

func paramIndex(fn *funcDef, name string) int {
	for i, p := range fn.params {
		if p == name {
			return i
		}
	}
	return -1
}

// selfOffset is how many leading parameters a caller does not pass: the
// receiver of a Python or Go method.
func selfOffset(fn *funcDef) int {
	if fn.class != "" && len(fn.params) > 0 {
		switch fn.params[0] {
		case "self", "cls":
			return 1
		}
	}
	return 0
}

// refsAfterScheme marks refs read right after a literal "scheme://".
func refsAfterScheme(prefix string, rs []symRef) []symRef {
	if len(rs) == 0 || !strings.HasSuffix(prefix, "://") {
		return rs
	}
	out := make([]symRef, len(rs))
	for i, r := range rs {
		if r.after == "" {
			r.after = strings.ToLower(strings.TrimSuffix(prefix, "://"))
		}
		out[i] = r
	}
	return out
}

// symRefOf says which other file's name an unresolved name reads: a Go
// identifier no declaration of this file binds (the package's other files
// may), a Python name imported with `import`/`from … import`, a
// JavaScript name imported from a relative module.
func (a *analyzer) symRefOf(name string) (symRef, bool) {
	if name == "" {
		return symRef{}, false
	}
	first, rest, dot := strings.Cut(name, ".")
	switch a.u.lang {
	case langGo:
		if dot || goPredeclared[name] {
			return symRef{}, false
		}
		return symRef{name: name}, true
	case langPython:
		q, ok := a.u.imports[first]
		if !ok {
			return symRef{}, false
		}
		if dot {
			q += "." + rest
		}
		return symRef{name: q}, true
	case langJS:
		spec := a.u.specs[first]
		if spec == "" {
			return symRef{}, false
		}
		sym := strings.TrimPrefix(strings.TrimPrefix(a.u.imports[first], spec), ".")
		if dot {
			sym = strings.TrimPrefix(sym+"."+rest, ".")
		}
		if sym == "" {
			return symRef{}, false
		}
		return symRef{mod: spec, name: sym}, true
	}
	return symRef{}, false
}

// noteWrapper records fn as a wrapper when the credentialed call's URL is
// one of fn's own parameters.
func (a *analyzer) noteWrapper(ff *fileFacts, fn *funcDef, ps []paramRef, g grade, how string) {
	if fn == nil || fn.name == "" || fn.name == "<class>" {
		return
	}
	name := fnName(fn)
	for _, p := range ps {
		if p.fn != fn {
			continue
		}
		arg := p.i - selfOffset(fn)
		if arg < 0 || arg >= maxWrapArgs {
			continue
		}
		dup := false
		for i, w := range ff.wrappers {
			if w.name == name && w.arg == arg {
				dup = true
				if g > w.grade {
					ff.wrappers[i].grade = g
				}
			}
		}
		if !dup {
			ff.wrappers = append(ff.wrappers, wrapperDef{name: name, arg: arg, grade: g, how: how})
		}
	}
}

// wrapCallSite records a call to a function of this file or another that
// passes it URLs, so the join can link them if the function is a wrapper.
//
// Calls of this file's functions are looked at (local) only once the
// file is known to have a wrapper: most files have none.
func (a *analyzer) wrapCallSite(ff *fileFacts, e *expr, fn *funcDef, sc *scope, local bool) {
	if len(e.args) == 0 || e.x == nil {
		return
	}
	name := dotted(e.x)
	if name == "" {
		return
	}
	target, ok := a.wrapTarget(ff, name, sc, local)
	if !ok {
		return
	}
	// Wrappers are rare and calls that pass names of other files are
	// not: a call of a function elsewhere is kept when it passes a URL,
	// a setting or a host-ish name.
	var args [maxWrapArgs]wrapArg
	n, found := 0, false
	for _, x := range e.args {
		if n == maxWrapArgs {
			break
		}
		switch x.kind {
		case xStr, xName, xAttr, xConcat, xIndex:
			v := a.eval(x, sc)
			args[n] = wrapArg{urls: v.urls, settings: v.settings, refs: v.refs}
			found = found || len(v.urls) > 0 || len(v.settings) > 0 || local && len(v.refs) > 0 || hostishRefs(v.refs)
		}
		n++
	}
	if !found {
		return
	}
	ff.wrapCalls = append(ff.wrapCalls, wrapCall{line: e.line, symbol: fnName(fn) + ":" + name, local: local, target: target,
		args: append([]wrapArg(nil), args[:n]...)})
}

// wrapTarget says which function a call may call that may be a wrapper:
// local, one of this file's wrappers; otherwise a function of another
// file of the Go package (a bare name or a method no file here
// declares), or a name imported into a Python or JavaScript file.
func (a *analyzer) wrapTarget(ff *fileFacts, name string, sc *scope, local bool) (symRef, bool) {
	if local {
		fd := a.localFunc(name, sc)
		if fd == nil {
			return symRef{}, false
		}
		n := fnName(fd)
		for _, w := range ff.wrappers {
			if w.name == n {
				return symRef{name: n}, true
			}
		}
		return symRef{}, false
	}
	first, _, _ := strings.Cut(name, ".")
	switch a.u.lang {
	case langGo:
		if rest, ok := strings.CutPrefix(name, "self."); ok {
			if sc.class == "" || strings.Contains(rest, ".") || a.funcs[sc.class+"."+rest] != nil {
				return symRef{}, false
			}
			return symRef{name: sc.class + "." + rest}, true // a method in another file of the package
		}
		if first != name || a.funcs[name] != nil || goPredeclared[name] {
			return symRef{}, false
		}
		if _, bound := a.boundAnywhere(name, sc); bound {
			return symRef{}, false
		}
	case langPython:
		if _, ok := a.u.imports[first]; !ok || a.localFunc(name, sc) != nil {
			return symRef{}, false
		}
		if _, known := requestAPIs[a.canon(name)]; known {
			return symRef{}, false
		}
	case langJS:
		if a.u.specs[first] == "" || a.localFunc(name, sc) != nil {
			return symRef{}, false
		}
	default:
		return symRef{}, false
	}
	return a.symRefOf(name)
}

// hostishRefs says one of rs is named like a destination (apiURL,
// defaultBaseURL, API_HOST).
func hostishRefs(rs []symRef) bool {
	for _, r := range rs {
		if settingLike(lastPart(r.name)) {
			return true
		}
	}
	return false
}

// boundAnywhere says a name is assigned in sc or a scope around it.
func (a *analyzer) boundAnywhere(name string, sc *scope) (*scope, bool) {
	for s := sc; s != nil; s = s.parent {
		if _, ok := s.vars[name]; ok {
			return s, true
		}
	}
	return nil, false
}

// symDefOf records a top-level name that holds URLs, a bare host or
// other files' names, for files that import it.
func (a *analyzer) symDefOf(ff *fileFacts, name string, v value, line int) {
	if a.u.lang == langJS {
		name = strings.TrimPrefix(strings.TrimPrefix(name, "module.exports."), "exports.")
	}
	if name == "" || strings.ContainsAny(name, ".[") {
		return
	}
	a.addSym(ff, name, v, line)
}

// addSym records name (top-level, or "Class.attr") if v holds URLs, a
// bare host under a host-ish name, or other files' names.
func (a *analyzer) addSym(ff *fileFacts, name string, v value, line int) {
	d := symDef{name: name, line: line, refs: v.refs}
	for _, u := range v.urls {
		if u.file == "" {
			d.urls = append(d.urls, u)
		}
	}
	if v.strOK && hostishName(lastPart(name)) { // as settingDef: a label is no host
		if h, ok := bareHost(v.str); ok && !ignoredHost(h) && !strings.Contains(v.str, "/") {
			d.host = v.str
		}
	}
	if len(d.urls) == 0 && len(d.refs) == 0 && d.host == "" {
		return
	}
	d.urls = nameURLs(d.urls, name)
	ff.syms = append(ff.syms, d)
}

// mayNameURL says one of the expressions could hold a URL or another
// file's name: not a number, a literal without "://", a call or a
// function.
func mayNameURL(es []*expr) bool {
	for _, e := range es {
		switch {
		case e == nil:
		case e.kind == xStr:
			if strings.Contains(e.s, "://") {
				return true
			}
		case e.kind == xName || e.kind == xAttr || e.kind == xConcat || e.kind == xOr || e.kind == xIndex:
			return true
		}
	}
	return false
}

// goFieldSyms records the fields of a Go type that this file's struct
// literals set to URLs, as "Type.field", for the package's other files.
func (a *analyzer) goFieldSyms(ff *fileFacts) {
	for class, cs := range a.classes {
		for name := range cs.vars {
			field, ok := strings.CutPrefix(name, "self.")
			if !ok || strings.Contains(field, ".") || !mayNameURL(cs.vars[name]) {
				continue
			}
			v := a.bound(cs, name)
			d := symDef{name: class + "." + field, refs: v.refs}
			for _, u := range v.urls {
				if u.file == "" {
					d.urls = append(d.urls, u)
				}
			}
			if len(d.urls) > 0 || len(d.refs) > 0 {
				ff.syms = append(ff.syms, d)
			}
		}
	}
}

// pyClassDefs records the classes with a base class that set URL
// attributes, so a base class's method reading self.attr can be linked.
func (a *analyzer) pyClassDefs(ff *fileFacts) {
	classes := make([]string, 0, len(a.u.bases))
	for class := range a.u.bases {
		classes = append(classes, class)
	}
	sort.Strings(classes)
	for _, class := range classes {
		base := a.u.bases[class]
		for _, d := range ff.syms {
			if strings.HasPrefix(d.name, class+".") {
				ff.classes = append(ff.classes, classDef{name: class, base: a.canon(base)})
				break
			}
		}
	}
}
