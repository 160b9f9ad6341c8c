package code

import (
	"fmt"
	"strings"
)

// fileFacts is what one file says: hosts it names, calls that carry
// credentials (or not) and where they go, settings that hold URLs, and
// remediation-pattern issues.
type fileFacts struct {
	file   string
	test   bool // a test or fixture file (relative to the scan root)
	lang   lang
	dests  []dest
	calls  []callSite
	defs   []settingDef
	issues []issue
	// credLines are lines that attach a credential to something; a file
	// with any links its unlinked hosts as "possible".
	credLines []int
	// Links across files (xfile.go): names other files may import,
	// functions that send a credential to the URL they are passed, and
	// calls that pass URLs to a function.
	syms      []symDef
	classes   []classDef
	wrappers  []wrapperDef
	wrapCalls []wrapCall
}

// dest is one host named in the file.
type dest struct {
	urlRef
}

// callSite is one outbound HTTP call (or, in configuration, a block that
// pairs a URL with a credential).
type callSite struct {
	line   int
	symbol string // the enclosing function and callee, e.g. "report:requests.post"
	callee string
	grade  grade // of the credential link; gradeNone without a credential
	how    string
	urls   []urlRef
	// settings the URL is read from, resolved against other files' settings
	// (a link through a setting is at best likely).
	settings []string
	// refs are names of other files the URL is read from; the join
	// resolves them (xjoin.go) into xurls.
	refs     []symRef
	xurls    []xurl
	env      bool // the host part comes from the environment
	input    bool // … from the request being served
	location bool // … from a response's Location header
	allow    bool // the enclosing function checks an allow-list
}

// settingDef is a setting (module constant, class attribute, config key)
// whose value holds URLs; other files' calls read it by name.
type settingDef struct {
	name string
	urls []urlRef
	line int
	env  bool // the value is read from the environment (with a default)
	// allow: the file defining it checks hosts against an allow-list.
	allow bool
}

// issue is a remediation-pattern finding before it becomes a Finding.
type issue struct {
	rule   string
	line   int
	symbol string
	host   string
	detail string
	// secretFP is the redacted fingerprint of a hard-coded secret.
	secretFP string
}

// analyzeSource lowers nothing itself: it reads a unit already in the IR.
func analyzeSource(file string, u *unit) *fileFacts {
	a := newAnalyzer(u)
	ff := &fileFacts{file: file, lang: u.lang}
	a.attachments(ff)
	walkStmts(u.body, nil, func(s *stmt, fn *funcDef) {
		sc := a.scopeOf(fn)
		a.statementPatterns(ff, s, fn, sc)
		for _, e := range []*expr{s.value, s.target} {
			walkExpr(e, func(x *expr) {
				switch x.kind {
				case xCall:
					a.callSite(ff, x, fn, sc)
					a.wrapCallSite(ff, x, fn, sc, false)
					a.callPatterns(ff, x, fn, sc)
					a.fieldPatterns(ff, x.kw, fn, calleeOf(x))
				case xDict:
					a.fieldPatterns(ff, x.kw, fn, "")
				}
			})
		}
		a.collectDests(ff, s, fn)
	})
	a.settingDefs(ff)
	if len(ff.wrappers) > 0 {
		// Calls of this file's wrappers, now that they are known.
		walkStmts(u.body, nil, func(s *stmt, fn *funcDef) {
			sc := a.scopeOf(fn)
			for _, e := range []*expr{s.value, s.target} {
				walkExpr(e, func(x *expr) {
					if x.kind == xCall {
						a.wrapCallSite(ff, x, fn, sc, true)
					}
				})
			}
		})
	}
	switch u.lang {
	case langGo:
		a.goFieldSyms(ff)
	case langPython:
		a.pyClassDefs(ff)
	}
	return ff
}

// detach copies every string the facts keep, so they do not pin the
// file's source (a substring shares its whole backing array): memory then
// holds what was found, not what was read.
func (ff *fileFacts) detach() *fileFacts {
	c := strings.Clone
	urls := func(us []urlRef) []urlRef {
		out := make([]urlRef, len(us))
		for i, u := range us {
			out[i] = urlRef{raw: c(u.raw), scheme: c(u.scheme), host: c(u.host), line: u.line, name: c(u.name), file: c(u.file), dflt: u.dflt}
		}
		return out
	}
	for i := range ff.dests {
		ff.dests[i].urlRef = urls([]urlRef{ff.dests[i].urlRef})[0]
	}
	for i := range ff.calls {
		cs := &ff.calls[i]
		cs.urls, cs.symbol, cs.callee, cs.how = urls(cs.urls), c(cs.symbol), c(cs.callee), c(cs.how)
		for j := range cs.settings {
			cs.settings[j] = c(cs.settings[j])
		}
	}
	for i := range ff.defs {
		ff.defs[i].name, ff.defs[i].urls = c(ff.defs[i].name), urls(ff.defs[i].urls)
	}
	refs := func(rs []symRef) []symRef {
		out := make([]symRef, len(rs))
		for i, r := range rs {
			out[i] = symRef{mod: c(r.mod), name: c(r.name), after: c(r.after), sub: r.sub}
		}
		return out
	}
	for i := range ff.calls {
		ff.calls[i].refs = refs(ff.calls[i].refs)
	}
	for i := range ff.syms {
		d := &ff.syms[i]
		d.name, d.host, d.urls, d.refs = c(d.name), c(d.host), urls(d.urls), refs(d.refs)
	}
	for i := range ff.classes {
		ff.classes[i].name, ff.classes[i].base = c(ff.classes[i].name), c(ff.classes[i].base)
	}
	for i := range ff.wrappers {
		ff.wrappers[i].name, ff.wrappers[i].how = c(ff.wrappers[i].name), c(ff.wrappers[i].how)
	}
	for i := range ff.wrapCalls {
		wc := &ff.wrapCalls[i]
		wc.symbol, wc.target = c(wc.symbol), refs([]symRef{wc.target})[0]
		for j := range wc.args {
			ar := &wc.args[j]
			ar.urls, ar.refs = urls(ar.urls), refs(ar.refs)
			for k := range ar.settings {
				ar.settings[k] = c(ar.settings[k])
			}
		}
	}
	for i := range ff.issues {
		is := &ff.issues[i]
		is.symbol, is.host, is.detail = c(is.symbol), c(is.host), c(is.detail)
	}
	return ff
}

// fnName names a function for symbols ("Class.method", "<module>").
func fnName(fn *funcDef) string {
	switch {
	case fn == nil:
		return "<module>"
	case fn.name == "<class>":
		return fn.class
	case fn.name == "":
		return "<lambda>"
	case fn.class != "":
		return fn.class + "." + fn.name
	}
	return fn.name
}

// attachments registers what statements set on objects made elsewhere:
// credential headers, auth, timeouts, base URLs, interceptors.
func (a *analyzer) attachments(ff *fileFacts) {
	walkStmts(a.u.body, nil, func(s *stmt, fn *funcDef) {
		sc := a.scopeOf(fn)
		switch s.kind {
		case sAssign:
			n := targetName(s.target)
			obj, at := a.assignAttachment(n, s, sc)
			if obj != "" {
				a.addAttachment(obj, at, sc)
				if at.cred != nil {
					ff.credLines = append(ff.credLines, s.line)
				}
			}
		case sExpr:
			if s.value == nil || s.value.kind != xCall {
				return
			}
			obj, at := a.callAttachment(s.value, sc)
			if obj != "" {
				a.addAttachment(obj, at, sc)
				if at.cred != nil {
					ff.credLines = append(ff.credLines, s.line)
				}
			}
		}
	})
}

// objectOf returns the object a header/defaults path belongs to:
// "s" for s.headers[…], "client" for client.defaults.headers.common.X.
func objectOf(n string) string {
	for _, marker := range []string{".defaults.", ".headers", ".Header", ".auth", ".interceptors.", ".Timeout", ".defaults"} {
		if i := strings.Index(n, marker); i > 0 {
			return n[:i]
		}
	}
	return ""
}

func (a *analyzer) assignAttachment(n string, s *stmt, sc *scope) (string, attachment) {
	if n == "" {
		return "", attachment{}
	}
	obj := objectOf(n)
	if obj == "" {
		return "", attachment{}
	}
	rest := strings.TrimPrefix(n, obj)
	lower := strings.ToLower(rest)
	switch {
	case strings.Contains(lower, "header") && credentialHeader(lastKey(n)) && !emptyLiteral(s.value):
		return obj, attachment{cred: &cred{line: s.line, how: lastKey(n) + " header"}}
	case (lower == ".headers" || lower == ".defaults.headers" || lower == ".defaults.headers.common" || rest == ".Header"):
		if v := a.eval(s.value, sc); v.cred != nil {
			return obj, attachment{cred: v.cred}
		}
	case lower == ".auth" && !emptyLiteral(s.value):
		return obj, attachment{cred: &cred{line: s.line, how: "auth"}}
	case rest == ".Timeout" || lower == ".defaults.timeout":
		return obj, attachment{timeout: true}
	case lower == ".defaults.baseurl":
		return obj, attachment{base: s.value, sc: sc}
	}
	return "", attachment{}
}

func (a *analyzer) callAttachment(e *expr, sc *scope) (string, attachment) {
	n := dotted(e.x)
	if n == "" {
		return "", attachment{}
	}
	switch {
	case strings.HasSuffix(n, ".headers.update"):
		if v := a.eval(e.arg(0), sc); v.cred != nil {
			return strings.TrimSuffix(n, ".headers.update"), attachment{cred: v.cred}
		}
	case strings.HasSuffix(n, ".Header.Set") || strings.HasSuffix(n, ".Header.Add") || strings.HasSuffix(n, ".headers.set") || strings.HasSuffix(n, ".headers.setdefault"):
		if k := a.eval(e.arg(0), sc); k.strOK && credentialHeader(k.str) {
			obj := n[:strings.LastIndexByte(n[:strings.LastIndexByte(n, '.')], '.')]
			return obj, attachment{cred: &cred{line: e.line, how: k.str + " header"}}
		}
	case strings.HasSuffix(n, ".SetBasicAuth") || strings.HasSuffix(n, ".SetAuth"):
		return strings.TrimSuffix(strings.TrimSuffix(n, ".SetBasicAuth"), ".SetAuth"), attachment{cred: &cred{line: e.line, how: "basic auth"}}
	case strings.HasSuffix(n, ".interceptors.request.use"):
		if v := a.eval(e.arg(0), sc); v.fn != nil && a.setsAuth(v.fn) {
			return strings.TrimSuffix(n, ".interceptors.request.use"), attachment{cred: &cred{line: e.line, how: "Authorization set by a request interceptor", wrapper: true}}
		}
	}
	return "", attachment{}
}

// addAttachment files at under the scope that binds obj (the module for
// names bound nowhere, such as the global axios object).
func (a *analyzer) addAttachment(obj string, at attachment, sc *scope) {
	target := a.module
	for s := sc; s != nil; s = s.parent {
		if isSelf(obj) && s.class != "" {
			target = a.classScope(s.class)
			break
		}
		if _, ok := s.vars[obj]; ok {
			target = s
			break
		}
	}
	if a.attach[target] == nil {
		a.attach[target] = map[string][]attachment{}
	}
	a.attach[target][obj] = append(a.attach[target][obj], at)
	delete(target.memo, obj)
}

// callSite records an HTTP call: its destination, whether and how it
// carries a credential, and the timeout and redirect patterns it shows.
func (a *analyzer) callSite(ff *fileFacts, e *expr, fn *funcDef, sc *scope) {
	name := dotted(e.x)
	c := a.canon(name)
	method := lastPart(name)
	if e.x != nil && e.x.kind == xAttr {
		method = e.x.s
	}
	ap, found := requestAPIs[c]
	var cl *client
	if !found {
		recv := receiver(e)
		if recv == nil {
			return
		}
		rv := a.eval(recv, sc)
		if rv.client == nil {
			// x.Do(req) on a client this file did not make: the request
			// object says where it goes.
			if (method == "Do" || method == "RoundTrip") && a.u.lang == langGo {
				if av := a.eval(e.arg(0), sc); av.client != nil && av.client.request {
					rv.client = &client{kind: "net/http.Client", line: e.line, timeout: true}
				}
			}
			if rv.client == nil {
				return
			}
		}
		cl = rv.client
		if ap, found = clientMethod(cl, method); !found {
			return
		}
		c = cl.kind + "." + method
	}
	if ap.lib == "axios" && cl == nil { // the global axios object's defaults
		if ats := a.attach[a.module]["axios"]; len(ats) > 0 {
			cl = &client{kind: "axios", line: e.line}
			for _, at := range ats {
				if at.cred != nil && cl.cred == nil {
					cl.cred = at.cred
				}
				cl.timeout = cl.timeout || at.timeout
			}
		}
	}
	urlE, urlSc := e.arg(ap.url), sc
	if ap.url < 0 {
		urlE = nil
	}
	if urlE == nil && ap.urlKw != "" {
		urlE = e.kwarg(ap.urlKw)
	}
	var opts value
	if ap.opts >= 0 {
		opts = a.eval(e.arg(ap.opts), sc)
	}
	if urlE != nil && ap.opts >= 0 {
		if uv := a.eval(urlE, sc); uv.dict != nil { // axios(config), got({url})
			opts, urlE, urlSc = uv, uv.dict.kwarg(ap.urlKw), uv.dictSc
		}
	} else if urlE == nil && opts.dict != nil && ap.urlKw != "" {
		urlE, urlSc = opts.dict.kwarg(ap.urlKw), opts.dictSc
	}
	urlV := a.eval(urlE, urlSc)
	cs := callSite{line: e.line, callee: c, symbol: fnName(fn) + ":" + c}
	var reqObj *client
	if urlV.client != nil && urlV.client.request {
		reqObj = urlV.client
		urlV = reqObj.base
	}
	if ap.lib == "node-http" && opts.dict == nil && urlV.dict != nil { // https.request({hostname, headers})
		opts = urlV
		urlV = a.eval(urlV.dict.kwarg("hostname"), urlV.dictSc)
		if !urlV.hostKnown() {
			urlV = a.eval(opts.dict.kwarg("host"), opts.dictSc)
		}
		urlV.urls = append(urlV.urls, hostsAfterScheme("https://", urlV, e.line)...)
	}
	// The credential: on the call itself, on the request object, or on the client.
	var cr *cred
	g := gradeNone
	callCred := a.optionCred(e, sc)
	if a.u.lang == langJS {
		callCred = a.jsOptionCred(opts)
	}
	switch {
	case callCred != nil:
		cr, g = callCred, gradeConfirmed
	case reqObj != nil && reqObj.cred != nil:
		cr, g = reqObj.cred, gradeConfirmed
	case cl != nil && cl.cred != nil:
		cr, g = cl.cred, gradeLikely
	}
	if cr != nil && cr.wrapper && g > gradeLikely {
		g = gradeLikely
	}
	if cl != nil && urlV.relative() && (len(urlV.params) == 0 || cl.base.hostKnown()) {
		// A path on a client with a base URL goes to the base.
		urlV = cl.base
		if cr != nil && cr == cl.cred && cl.credSameCall {
			g = gradeConfirmed
		}
	}
	cs.urls, cs.settings, cs.refs = urlV.urls, urlV.settings, urlV.refs
	if cr != nil && len(urlV.urls) == 0 && len(urlV.refs) == 0 && len(urlV.params) > 0 {
		a.noteWrapper(ff, fn, urlV.params, g, cr.how)
	}
	cs.env, cs.input, cs.location = urlV.env, urlV.input, urlV.location
	cs.allow = a.allowListed(fn)
	if cr != nil {
		cs.grade, cs.how = g, cr.how
		ff.credLines = append(ff.credLines, cr.line)
	}
	ff.calls = append(ff.calls, cs)
	a.timeoutPattern(ff, e, ap, cl, opts, fn, cs)
	if cs.location && cs.grade > gradeNone {
		ff.issues = append(ff.issues, issue{rule: RuleAuthRedirect, line: e.line, symbol: cs.symbol,
			detail: "the call follows a redirect by hand (the URL is a response's Location header) and sends the " + cs.how + " with it"})
	}
}

// allowListed says the function (or, at module level, the file) checks
// destinations against a list: a name with allow, whitelist, trusted or
// permitted in it.
func (a *analyzer) allowListed(fn *funcDef) bool {
	words := a.u.words
	if fn != nil {
		words = fn.words
	}
	return words&wordAllow != 0
}

// callerContext says the function (or one enclosing it) takes its
// caller's context (a ctx parameter): Go code that sends a request with it
// leaves the deadline to the caller, the idiom of every Go SDK.
func callerContext(fn *funcDef) bool {
	if fn == nil {
		return false
	}
	for _, p := range fn.params {
		if p == "ctx" {
			return true
		}
	}
	return false
}

// timeoutPattern reports a call (or the client it uses) that can wait for
// ever on a slow upstream.
func (a *analyzer) timeoutPattern(ff *fileFacts, e *expr, ap api, cl *client, opts value, fn *funcDef, cs callSite) {
	if t := e.kwarg("timeout"); t != nil && t.kind == xNull {
		ff.issues = append(ff.issues, issue{rule: RuleNoTimeout, line: e.line, symbol: cs.symbol, detail: "timeout=None turns the library's timeout off"})
		return
	}
	rule := ap.timeout
	if cl != nil && cl.kind == "net/http.Client" {
		if cl.timeout || a.words&wordDeadline != 0 || callerContext(fn) {
			return
		}
		ff.issues = append(ff.issues, issue{rule: RuleNoTimeout, line: cl.line, symbol: fnName(fn) + ":net/http.Client",
			detail: "an http.Client without Timeout waits for ever on a server that stops answering"})
		return
	}
	if rule != timeoutNone || (cl != nil && cl.timeout) {
		return
	}
	if strings.HasPrefix(cs.callee, "net/http.") {
		if a.words&wordDeadline != 0 {
			return
		}
		ff.issues = append(ff.issues, issue{rule: RuleNoTimeout, line: e.line, symbol: cs.symbol,
			detail: cs.callee + " uses http.DefaultClient, which has no timeout"})
		return
	}
	if e.hasKw("timeout") || opts.dict != nil && (opts.dict.hasKw("timeout") || opts.dict.hasKw("signal")) {
		return
	}
	if ap.lib == "urllib" && e.arg(2) != nil {
		return
	}
	ff.issues = append(ff.issues, issue{rule: RuleNoTimeout, line: e.line, symbol: cs.symbol,
		detail: fmt.Sprintf("%s has no timeout by default and none is set", ap.lib)})
}
