package code

import (
	"path"
	"strings"
)

// xurl is a URL a call reaches through a name another file defines.
type xurl struct {
	u    urlRef
	file string // where the URL is written
	// pkg: every step was a Go package's scope, which spans its files: as
	// good as the same file. Otherwise an import: at best likely.
	pkg bool
	via string // the name the call reads
}

// maxRefDepth bounds chains of names (a field set to a constant defined
// in a third file).
const maxRefDepth = 3

// xfile links calls to what other files define: it turns calls of
// wrappers into call sites and resolves every call's refs.
type xfile struct {
	byFile map[string]*fileFacts
	goPkg  map[string][]*fileFacts // directory → its Go files
	j      *join
	// subs: file + "\x00" + Python class → its subclasses that set URL
	// attributes (made on first use).
	subs map[string][]target
}

// crossFile resolves the links across files: wrapper calls first (they
// add call sites), then the names every call's URL reads.
func (j *join) crossFile() {
	x := &xfile{byFile: map[string]*fileFacts{}, goPkg: map[string][]*fileFacts{}, j: j}
	any := false
	for _, ff := range j.facts {
		x.byFile[ff.file] = ff
		if ff.lang == langGo {
			d := path.Dir(ff.file)
			x.goPkg[d] = append(x.goPkg[d], ff)
		}
		any = any || len(ff.wrapCalls) > 0
	}
	if any {
		for _, ff := range j.facts {
			for _, wc := range ff.wrapCalls {
				ff.calls = append(ff.calls, x.wrapperCalls(ff, wc)...)
			}
		}
	}
	for _, ff := range j.facts {
		for i := range ff.calls {
			c := &ff.calls[i]
			for _, r := range c.refs {
				c.xurls = append(c.xurls, x.resolve(ff, r, 0)...)
			}
		}
	}
}

// wrapperCalls are the call sites a call of a wrapper makes: the
// wrapper's credential to the URL passed, linked at best as likely.
func (x *xfile) wrapperCalls(ff *fileFacts, wc wrapCall) []callSite {
	var out []callSite
	add := func(ws []wrapperDef, name string) {
		for _, w := range ws {
			if w.name != name || w.arg >= len(wc.args) {
				continue
			}
			a := wc.args[w.arg]
			if len(a.urls) == 0 && len(a.settings) == 0 && len(a.refs) == 0 {
				continue
			}
			out = append(out, callSite{line: wc.line, symbol: wc.symbol, callee: w.name, grade: min(w.grade, gradeLikely),
				how: w.how + " set by " + w.name + "()", urls: a.urls, settings: a.settings, refs: a.refs})
		}
	}
	if wc.local {
		add(ff.wrappers, wc.target.name)
		return out
	}
	for _, t := range x.targets(ff, wc.target) {
		add(t.ff.wrappers, t.name)
	}
	return out
}

// subclasses are the classes that name cls of file ff as their base:
// in ff, or in a file that imports it.
func (x *xfile) subclasses(ff *fileFacts, cls string) []target {
	if x.subs == nil {
		x.subs = map[string][]target{}
		for _, g := range x.j.facts {
			for _, cd := range g.classes {
				if !strings.Contains(cd.base, ".") {
					k := g.file + "\x00" + cd.base
					x.subs[k] = append(x.subs[k], target{g, cd.name})
					continue
				}
				for _, t := range x.targets(g, symRef{name: cd.base}) {
					k := t.ff.file + "\x00" + t.name
					x.subs[k] = append(x.subs[k], target{g, cd.name})
				}
			}
		}
	}
	return x.subs[ff.file+"\x00"+cls]
}

// target is a name in a file.
type target struct {
	ff   *fileFacts
	name string
}

// targets are the files (and the name in each) a ref may be defined in:
// the Go package's other files; the module file a Python import names
// (relative to the file, or to a directory above it within the project);
// the JavaScript module file a relative import names.
func (x *xfile) targets(ff *fileFacts, r symRef) []target {
	var out []target
	proj := x.j.projectOf(ff.file)
	try := func(file, name string) {
		if t := x.byFile[file]; t != nil && t != ff && x.j.projectOf(file) == proj {
			out = append(out, target{t, name})
		}
	}
	switch ff.lang {
	case langGo:
		for _, t := range x.goPkg[path.Dir(ff.file)] {
			if t != ff {
				out = append(out, target{t, r.name})
			}
		}
	case langPython:
		x.pythonTargets(ff, r, proj, try)
	case langJS:
		if r.mod == "" {
			return nil
		}
		base := path.Join(path.Dir(ff.file), r.mod)
		try(base, r.name)
		stem := base
		if ext := path.Ext(base); ext == ".js" || ext == ".mjs" || ext == ".cjs" || ext == ".jsx" {
			stem = strings.TrimSuffix(base, ext) // "./x.js" in TypeScript is x.ts
		}
		for _, ext := range []string{".ts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"} {
			try(stem+ext, r.name)
			try(base+"/index"+ext, r.name)
		}
	}
	return out
}

// pythonTargets splits a qualified name into a module and a name in it
// (the last one or two components: config.API_ROOT, Config.API_ROOT of
// a module's class are not followed) and tries the module's files.
func (x *xfile) pythonTargets(ff *fileFacts, r symRef, proj string, try func(file, name string)) {
	q := r.name
	dots := len(q) - len(strings.TrimLeft(q, "."))
	parts := strings.Split(q[dots:], ".")
	if len(parts) < 1 || parts[0] == "" {
		return
	}
	for k := 1; k <= 2 && k <= len(parts); k++ {
		mod, name := parts[:len(parts)-k], strings.Join(parts[len(parts)-k:], ".")
		files := func(base string) {
			p := path.Join(append([]string{base}, mod...)...)
			if len(mod) > 0 {
				try(p+".py", name)
			}
			try(p+"/__init__.py", name)
		}
		if dots > 0 {
			base := path.Dir(ff.file)
			for range dots - 1 {
				base = path.Dir(base)
			}
			files(base)
			continue
		}
		if len(mod) == 0 {
			continue
		}
		// An absolute import: the package's root is a directory above.
		for d := path.Dir(ff.file); ; d = path.Dir(d) {
			files(d)
			if d == proj || d == "." || d == "/" || d == "" {
				break
			}
		}
	}
}

// resolve returns the URLs a ref reaches, following names defined through
// other names up to maxRefDepth.
func (x *xfile) resolve(ff *fileFacts, r symRef, depth int) []xurl {
	var out []xurl
	pkg := ff.lang == langGo
	var ts []target
	if !r.sub {
		ts = x.targets(ff, r)
	} else if i := strings.LastIndexByte(r.name, '.'); i > 0 {
		// self.attr of a base class: the attribute its subclasses set.
		pkg = false
		cls, attr := r.name[:i], r.name[i+1:]
		for _, t := range x.subclasses(ff, cls) {
			ts = append(ts, target{t.ff, t.name + "." + attr})
		}
	}
	for _, t := range ts {
		for _, d := range t.ff.syms {
			if d.name != t.name {
				continue
			}
			for _, u := range d.urls {
				out = append(out, xurl{u: u, file: t.ff.file, pkg: pkg, via: r.name})
			}
			if d.host != "" && r.after != "" {
				if h, ok := bareHost(d.host); ok {
					out = append(out, xurl{u: urlRef{raw: r.after + "://" + d.host, scheme: r.after, host: h, line: d.line, name: d.name},
						file: t.ff.file, pkg: pkg, via: r.name})
				}
			}
			if depth+1 >= maxRefDepth {
				continue
			}
			for _, rr := range d.refs {
				if rr.after == "" {
					rr.after = r.after
				}
				for _, s := range x.resolve(t.ff, rr, depth+1) {
					s.pkg = s.pkg && pkg
					s.via = r.name
					out = append(out, s)
				}
			}
		}
	}
	return out
}
