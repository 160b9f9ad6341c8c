package code

import "strings"

// timeoutRule says whether a library sets a timeout by itself.
type timeoutRule uint8

const (
	timeoutDefault timeoutRule = iota // the library has one (httpx 5 s, undici, aiohttp)
	timeoutNone                       // none unless the caller sets one (requests, axios, got, Go's DefaultClient)
)

// api describes one HTTP request function: where its URL and options are.
type api struct {
	url     int    // positional index of the URL, -1 when it is in the options
	urlKw   string // keyword (Python) or options key (JavaScript) of the URL
	opts    int    // positional index of the options object (JavaScript), -1 none
	timeout timeoutRule
	lib     string
}

var pyVerbs = []string{"get", "post", "put", "patch", "delete", "head", "options"}

// requestAPIs are module-level request functions, by canonical name.
var requestAPIs = func() map[string]api {
	m := map[string]api{}
	for _, v := range pyVerbs {
		m["requests."+v] = api{url: 0, urlKw: "url", opts: -1, timeout: timeoutNone, lib: "requests"}
		m["httpx."+v] = api{url: 0, urlKw: "url", opts: -1, timeout: timeoutDefault, lib: "httpx"}
	}
	m["requests.request"] = api{url: 1, urlKw: "url", opts: -1, timeout: timeoutNone, lib: "requests"}
	m["httpx.request"] = api{url: 1, urlKw: "url", opts: -1, timeout: timeoutDefault, lib: "httpx"}
	m["httpx.stream"] = api{url: 1, urlKw: "url", opts: -1, timeout: timeoutDefault, lib: "httpx"}
	m["urllib.request.urlopen"] = api{url: 0, urlKw: "url", opts: -1, timeout: timeoutNone, lib: "urllib"}
	m["urllib3.request"] = api{url: 1, urlKw: "url", opts: -1, timeout: timeoutNone, lib: "urllib3"}
	m["aiohttp.request"] = api{url: 1, urlKw: "url", opts: -1, timeout: timeoutDefault, lib: "aiohttp"}
	// JavaScript.
	m["fetch"] = api{url: 0, opts: 1, timeout: timeoutDefault, lib: "fetch"}
	m["node-fetch"] = api{url: 0, opts: 1, timeout: timeoutNone, lib: "node-fetch"}
	m["axios"] = api{url: 0, urlKw: "url", opts: 1, timeout: timeoutNone, lib: "axios"}
	m["axios.request"] = api{url: -1, urlKw: "url", opts: 0, timeout: timeoutNone, lib: "axios"}
	for _, v := range []string{"get", "delete", "head", "options"} {
		m["axios."+v] = api{url: 0, opts: 1, timeout: timeoutNone, lib: "axios"}
		m["got."+v] = api{url: 0, opts: 1, timeout: timeoutNone, lib: "got"}
	}
	for _, v := range []string{"post", "put", "patch"} {
		m["axios."+v] = api{url: 0, opts: 2, timeout: timeoutNone, lib: "axios"}
		m["got."+v] = api{url: 0, opts: 1, timeout: timeoutNone, lib: "got"}
	}
	m["got"] = api{url: 0, urlKw: "url", opts: 1, timeout: timeoutNone, lib: "got"}
	for _, mod := range []string{"http", "https", "node:http", "node:https"} {
		m[mod+".request"] = api{url: 0, opts: 1, timeout: timeoutDefault, lib: "node-http"}
		m[mod+".get"] = api{url: 0, opts: 1, timeout: timeoutDefault, lib: "node-http"}
	}
	// Go: the package functions use http.DefaultClient, which has no timeout.
	for _, v := range []string{"Get", "Head", "Post", "PostForm"} {
		m["net/http."+v] = api{url: 0, opts: -1, timeout: timeoutNone, lib: "net/http"}
		m["net/http.DefaultClient."+v] = api{url: 0, opts: -1, timeout: timeoutNone, lib: "net/http"}
	}
	return m
}()

// clientMethod returns the API of method on a client of the given kind.
func clientMethod(c *client, method string) (api, bool) {
	switch c.kind {
	case "axios", "got":
		a, ok := requestAPIs[c.kind+"."+method]
		if !ok && method == "request" && c.kind == "axios" {
			a, ok = requestAPIs["axios.request"], true
		}
		return a, ok
	case "net/http.Client":
		switch method {
		case "Get", "Head", "Post", "PostForm":
			return api{url: 0, opts: -1, timeout: timeoutNone, lib: "net/http"}, true
		case "Do":
			return api{url: 0, opts: -1, timeout: timeoutNone, lib: "net/http"}, true
		}
		return api{}, false
	}
	rule := timeoutDefault
	if c.kind == "requests.Session" || c.kind == "urllib3.PoolManager" {
		rule = timeoutNone
	}
	for _, v := range pyVerbs {
		if method == v {
			return api{url: 0, urlKw: "url", opts: -1, timeout: rule, lib: c.kind}, true
		}
	}
	switch method {
	case "request", "stream", "urlopen":
		return api{url: 1, urlKw: "url", opts: -1, timeout: rule, lib: c.kind}, true
	}
	return api{}, false
}

// call evaluates a call expression's value.
func (a *analyzer) call(e *expr, sc *scope) value {
	name := dotted(e.x)
	c := a.canon(name)
	method := lastPart(name)
	if e.x != nil && e.x.kind == xAttr {
		method = e.x.s
	}
	if v, ok := a.envGet(e, c, sc); ok {
		return v
	}
	if isInput(c) {
		return value{input: true}
	}
	if strings.EqualFold(method, "get") || method == "Get" {
		if k := e.arg(0); k != nil && k.kind == xStr && strings.EqualFold(k.s, "location") {
			recv := name
			if i := strings.LastIndexByte(recv, '.'); i > 0 {
				recv = recv[:i]
			}
			if strings.HasSuffix(strings.ToLower(recv), "headers") || strings.HasSuffix(recv, "Header") || e.x.kind == xAttr {
				return value{location: true}
			}
		}
	}
	switch method {
	case "str", "String", "toString", "strip", "rstrip", "lstrip", "trim", "trimEnd", "trimStart", "TrimSuffix", "TrimRight", "TrimSpace", "lower", "toLowerCase", "geturl", "urljoin", "JoinPath", "URL", "Parse", "href":
		if recv := receiver(e); recv != nil && method != "urljoin" && method != "URL" && method != "Parse" && method != "JoinPath" {
			return a.eval(recv, sc)
		}
		if method == "URL" && e.arg(1) != nil {
			return a.eval(e.arg(1), sc)
		}
		return a.eval(e.arg(0), sc)
	case "Headers":
		return a.eval(e.arg(0), sc)
	}
	if cl := a.clientCtor(e, c, sc); cl != nil {
		return value{client: cl}
	}
	if fn := a.localFunc(name, sc); fn != nil {
		return a.returns(fn)
	}
	if recv := receiver(e); recv != nil {
		rv := a.eval(recv, sc)
		if rv.input {
			return value{input: true}
		}
		if rv.client != nil && rv.client.kind == "oauth2.Config" && method == "Client" {
			return value{client: &client{kind: "net/http.Client", line: e.line, cred: &cred{line: e.line, how: "OAuth2 client", wrapper: true}}}
		}
	}
	return value{}
}

// receiver is the object a method is called on (x in x.m()), or nil.
func receiver(e *expr) *expr {
	if e.x == nil {
		return nil
	}
	if e.x.kind == xAttr {
		return e.x.x
	}
	if e.x.kind == xName {
		if i := strings.LastIndexByte(e.x.s, '.'); i > 0 {
			return &expr{kind: xName, s: e.x.s[:i], line: e.line}
		}
	}
	return nil
}

// localFunc finds the function a call calls in this file: a module
// function, a method of the class (self.m), or a class method (C.m).
func (a *analyzer) localFunc(name string, sc *scope) *funcDef {
	if name == "" {
		return nil
	}
	if rest, ok := strings.CutPrefix(name, "self."); ok && sc.class != "" {
		return a.funcs[sc.class+"."+rest]
	}
	if rest, ok := strings.CutPrefix(name, "this."); ok && sc.class != "" {
		return a.funcs[sc.class+"."+rest]
	}
	return a.funcs[name]
}

// returns is the union of what fn returns; credentials it returns come
// from a helper, so they link at best as likely.
func (a *analyzer) returns(fn *funcDef) value {
	sc := a.scopeOf(fn)
	key := "<return>"
	if v, ok := sc.memo[key]; ok {
		return *v
	}
	sc.memo[key] = &value{}
	var v value
	for _, s := range fn.body {
		if s.kind == sReturn {
			v.merge(a.eval(s.value, sc))
		}
	}
	if v.cred != nil {
		c := *v.cred
		c.wrapper = true
		v.cred = &c
	}
	sc.memo[key] = &v
	return v
}

// envGet evaluates environment and configuration getters:
// os.environ.get("X", default), os.Getenv("X"), config.get("X").
func (a *analyzer) envGet(e *expr, c string, sc *scope) (value, bool) {
	k := e.arg(0)
	if k == nil {
		k = e.kwarg("key")
	}
	if k == nil || k.kind != xStr {
		return value{}, false
	}
	lower := strings.ToLower(c)
	isEnv := strings.Contains(lower, "environ") || strings.Contains(lower, "getenv") || strings.HasSuffix(lower, "lookupenv") ||
		lower == "env" || strings.HasPrefix(lower, "env.")
	isCfg := configBase(strings.TrimSuffix(strings.TrimSuffix(c, ".get"), ".Get")) || strings.HasPrefix(lower, "viper.") ||
		strings.HasSuffix(lower, "config.get") || strings.HasSuffix(lower, ".getstring")
	if !isEnv && !isCfg {
		return value{}, false
	}
	v := value{settings: []string{k.s}, env: isEnv}
	def := e.arg(1)
	if def == nil {
		def = e.kwarg("default")
	}
	if def != nil {
		d := a.eval(def, sc)
		v.urls = nameURLs(d.urls, k.s)
		v.settings = append(v.settings, d.settings...)
	}
	return v, true
}

// clientCtor returns the client a call makes, or nil.
func (a *analyzer) clientCtor(e *expr, c string, sc *scope) *client {
	switch c {
	case "requests.Session", "requests.session", "requests.sessions.Session":
		return &client{kind: "requests.Session", line: e.line}
	case "httpx.Client", "httpx.AsyncClient", "aiohttp.ClientSession", "urllib3.PoolManager":
		kind := c
		if c == "httpx.AsyncClient" {
			kind = "httpx.Client"
		}
		cl := &client{kind: kind, line: e.line, timeoutNA: c != "urllib3.PoolManager"}
		cl.base = a.eval(e.kwarg("base_url"), sc)
		cl.cred = a.optionCred(e, sc)
		cl.credSameCall = cl.cred != nil && !cl.cred.wrapper
		cl.timeout = e.hasKw("timeout")
		return cl
	case "urllib.request.Request":
		u := e.arg(0)
		if u == nil {
			u = e.kwarg("url")
		}
		cl := &client{kind: "urllib.Request", line: e.line, request: true, base: a.eval(u, sc)}
		cl.cred = a.optionCred(e, sc)
		cl.credSameCall = cl.cred != nil
		return cl
	case "axios.create", "got.extend":
		kind := strings.TrimSuffix(strings.TrimSuffix(c, ".create"), ".extend")
		opts := a.eval(e.arg(0), sc)
		cl := &client{kind: kind, line: e.line}
		if opts.dict != nil {
			cl.base = a.eval(opts.dict.kwarg("baseURL"), opts.dictSc)
			if kind == "got" {
				cl.base = a.eval(opts.dict.kwarg("prefixUrl"), opts.dictSc)
			}
			cl.cred = a.jsOptionCred(opts)
			cl.timeout = opts.dict.hasKw("timeout")
		}
		cl.credSameCall = cl.cred != nil && !cl.cred.wrapper
		return cl
	case "net/http.Client":
		cl := &client{kind: "net/http.Client", line: e.line, timeout: e.hasKw("Timeout")}
		if tr := e.kwarg("Transport"); tr != nil {
			if tv := a.eval(tr, sc); tv.cred != nil {
				cl.cred = tv.cred
			}
		}
		return cl
	case "net/http.NewRequest", "net/http.NewRequestWithContext":
		i := 1
		if c == "net/http.NewRequestWithContext" {
			i = 2
		}
		return &client{kind: "net/http.Request", line: e.line, request: true, base: a.eval(e.arg(i), sc)}
	case "golang.org/x/oauth2.NewClient", "golang.org/x/oauth2/clientcredentials.NewClient":
		return &client{kind: "net/http.Client", line: e.line, cred: &cred{line: e.line, how: "OAuth2 client", wrapper: true}}
	case "golang.org/x/oauth2.Config", "golang.org/x/oauth2/clientcredentials.Config":
		return &client{kind: "oauth2.Config", line: e.line}
	}
	// A Go struct with a RoundTrip method that sets a credential header
	// is an authenticating transport (used as http.Client{Transport: …}).
	if e.x != nil && e.x.kind == xName && !strings.Contains(e.x.s, ".") {
		if rt := a.funcs[e.x.s+".RoundTrip"]; rt != nil && a.setsAuth(rt) {
			return &client{kind: "transport", line: e.line, cred: &cred{line: rt.line, how: "Authorization set by " + e.x.s + ".RoundTrip", wrapper: true}}
		}
	}
	return nil
}

// optionCred finds a credential in Python keyword options: headers= with a
// credential header, or auth=.
func (a *analyzer) optionCred(e *expr, sc *scope) *cred {
	if h := e.kwarg("headers"); h != nil {
		if v := a.eval(h, sc); v.cred != nil {
			return v.cred
		}
	}
	if au := e.kwarg("auth"); au != nil && au.kind != xNull {
		return &cred{line: au.line, how: "auth="}
	}
	for _, f := range e.kw {
		if f.key == "" && f.keyX == nil { // **kwargs
			if v := a.eval(f.val, sc); v.dict != nil {
				if c := a.optionCred(v.dict, v.dictSc); c != nil {
					return c
				}
			}
		}
	}
	return nil
}

// jsOptionCred finds a credential in a JavaScript options object: headers
// with a credential header, or auth.
func (a *analyzer) jsOptionCred(opts value) *cred {
	if opts.dict == nil {
		return opts.cred
	}
	if h := opts.dict.kwarg("headers"); h != nil {
		if v := a.eval(h, opts.dictSc); v.cred != nil {
			return v.cred
		}
	}
	if au := opts.dict.kwarg("auth"); au != nil && au.kind != xNull {
		return &cred{line: au.line, how: "auth option"}
	}
	return nil
}

// setsAuth says a function sets a credential header on something:
// r.Header.Set("Authorization", …), options.headers.authorization = …,
// config.headers["Authorization"] = ….
func (a *analyzer) setsAuth(fn *funcDef) bool {
	found := false
	walkStmts(fn.body, fn, func(s *stmt, _ *funcDef) {
		if found {
			return
		}
		if s.kind == sAssign {
			if n := targetName(s.target); n != "" && credentialHeader(lastKey(n)) && strings.Contains(strings.ToLower(n), "header") {
				found = true
				return
			}
			if n := dotted(s.target); strings.HasSuffix(n, ".Header") {
				found = true // r.Header = via[0].Header: headers copied wholesale
				return
			}
		}
		walkExpr(s.value, func(x *expr) {
			if x.kind != xCall || found {
				return
			}
			n := dotted(x.x)
			if (strings.HasSuffix(n, "Header.Set") || strings.HasSuffix(n, "Header.Add") || strings.HasSuffix(n, "headers.set")) &&
				x.arg(0) != nil && x.arg(0).kind == xStr && credentialHeader(x.arg(0).s) {
				found = true
			}
			if strings.HasSuffix(n, ".SetBasicAuth") {
				found = true
			}
		})
	})
	return found
}

// lastKey is the last component of a target name: the key of
// a[b] or the attribute of a.b.
func lastKey(n string) string {
	if i := strings.LastIndexByte(n, '['); i >= 0 && strings.HasSuffix(n, "]") {
		return n[i+1 : len(n)-1]
	}
	return lastPart(n)
}
