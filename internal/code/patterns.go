package code

import (
	"fmt"
	"strings"

	"github.com/plumbsec/plumb/internal/words"
)

// Rule ids of plumb code. They are stable: reports and suppressions key on them.
const (
	RuleCredentialsToClaimable = "code.credentials-to-claimable-host"
	RuleDanglingDestination    = "code.dangling-destination"
	RuleTLSVerifyDisabled      = "code.tls-verify-disabled"
	RuleNoTimeout              = "code.no-timeout"
	RuleHardcodedSecret        = "code.hardcoded-secret"
	RuleCredentialsOverHTTP    = "code.credentials-over-http"
	RuleDestinationFromInput   = "code.destination-from-input"
	RuleDestinationFromEnv     = "code.destination-from-env"
	RuleAuthRedirect           = "code.auth-forwarded-on-redirect"
)

// statementPatterns finds patterns in assignments and definitions:
// verification turned off, secrets assigned to credential names, requests'
// auth-stripping overridden.
func (a *analyzer) statementPatterns(ff *fileFacts, s *stmt, fn *funcDef, sc *scope) {
	switch s.kind {
	case sAssign:
		n := targetName(s.target)
		if fn != nil && fn.name == "<class>" && isSelf(n) {
			n = fn.class + n[strings.IndexByte(n, '.'):]
		}
		key := lastKey(n)
		v := s.value
		switch {
		case key == "InsecureSkipVerify" && isTrue(v) && a.verifiesItself(fn, strings.TrimSuffix(n, ".InsecureSkipVerify"), s.line):
			// Go's default check replaced by the program's own.
		case a.u.lang == langPython && (key == "verify" && isFalse(v) || key == "check_hostname" && isFalse(v)), key == "InsecureSkipVerify" && isTrue(v),
			key == "verify_mode" && strings.HasSuffix(dotted(v), "CERT_NONE"),
			key == "_create_default_https_context" && strings.HasSuffix(dotted(v), "_create_unverified_context"):
			ff.issues = append(ff.issues, issue{rule: RuleTLSVerifyDisabled, line: s.line, symbol: n, detail: n + " turns certificate verification off"})
		case (key == "NODE_TLS_REJECT_UNAUTHORIZED" || key == "PYTHONHTTPSVERIFY") && v != nil && (v.kind == xStr && v.s == "0" || v.kind == xNum && v.s == "0"):
			ff.issues = append(ff.issues, issue{rule: RuleTLSVerifyDisabled, line: s.line, symbol: key, detail: key + "=0 turns certificate verification off for the whole process"})
		case key == "CheckRedirect":
			a.redirectHook(ff, v, sc, n)
		}
		if v != nil && v.kind == xStr && credentialName(key) && secretValue(n, v.s) {
			ff.issues = append(ff.issues, secretIssue(s.line, n, v.s))
		}
	case sFunc:
		if f := s.fn; f.class != "" && (f.name == "rebuild_auth" || f.name == "should_strip_auth") && f.inherits && f.words&wordSuper == 0 {
			ff.issues = append(ff.issues, issue{rule: RuleAuthRedirect, line: s.line, symbol: f.class + "." + f.name,
				detail: f.class + " overrides requests' " + f.name + ", which removes the Authorization header when a redirect leaves the host"})
		}
	}
}

func secretIssue(line int, symbol, val string) issue {
	v := strings.TrimSpace(val)
	for _, p := range []string{"Bearer ", "bearer ", "Basic ", "Token ", "token "} {
		v = strings.TrimPrefix(v, p)
	}
	return issue{rule: RuleHardcodedSecret, line: line, symbol: symbol, secretFP: secretFingerprint(v),
		detail: fmt.Sprintf("%s is written in the source (%s; value redacted)", words.A(fmt.Sprintf("%d-character secret", len(v))), secretFingerprint(v))}
}

func isFalse(e *expr) bool {
	return e != nil && (e.kind == xBool && e.s == "false" || e.kind == xNum && e.s == "0")
}

func isTrue(e *expr) bool { return e != nil && e.kind == xBool && e.s == "true" }

// redirectHook reports a redirect callback (Go CheckRedirect, follow-
// redirects' beforeRedirect) that puts a credential on the next request.
func (a *analyzer) redirectHook(ff *fileFacts, v *expr, sc *scope, symbol string) {
	fv := a.eval(v, sc)
	if fv.fn == nil && v != nil && v.kind == xName {
		fv.fn = a.funcs[v.s]
	}
	if fv.fn != nil && a.setsAuth(fv.fn) {
		ff.issues = append(ff.issues, issue{rule: RuleAuthRedirect, line: fv.fn.line, symbol: symbol,
			detail: symbol + " copies the credential onto the redirected request, whatever host it goes to"})
	}
}

// callPatterns finds patterns in calls: an unverified SSL context, a
// secret passed literally as a header value.
func (a *analyzer) callPatterns(ff *fileFacts, e *expr, fn *funcDef, sc *scope) {
	n := a.canon(dotted(e.x))
	switch {
	case n == "ssl._create_unverified_context":
		ff.issues = append(ff.issues, issue{rule: RuleTLSVerifyDisabled, line: e.line, symbol: fnName(fn) + ":" + n, detail: n + "() makes a context that verifies nothing"})
	case strings.HasSuffix(n, "Header.Set") || strings.HasSuffix(n, "Header.Add") || strings.HasSuffix(n, "headers.set"):
		if k, v := e.arg(0), e.arg(1); k != nil && k.kind == xStr && credentialHeader(k.s) && v != nil && v.kind == xStr && literalSecret(v.s) {
			ff.issues = append(ff.issues, secretIssue(e.line, fnName(fn)+":"+k.s, v.s))
		}
	}
}

// fieldPatterns finds patterns in keyword arguments, dict/object entries
// and struct fields.
func (a *analyzer) fieldPatterns(ff *fileFacts, fields []field, fn *funcDef, callee string) {
	for _, f := range fields {
		v := f.val
		switch f.key {
		case "verify", "verify_ssl", "ssl", "strictSSL", "rejectUnauthorized", "check_hostname":
			if isFalse(v) && (callee == "" || f.key != "verify" || httpCallee(callee)) {
				ff.issues = append(ff.issues, issue{rule: RuleTLSVerifyDisabled, line: f.line, symbol: fnName(fn) + ":" + f.key,
					detail: f.key + "=false turns certificate verification off"})
			}
		case "InsecureSkipVerify", "insecureSkipVerify", "insecure_skip_verify":
			if isTrue(v) && !hasField(fields, "VerifyPeerCertificate") && !hasField(fields, "VerifyConnection") {
				ff.issues = append(ff.issues, issue{rule: RuleTLSVerifyDisabled, line: f.line, symbol: fnName(fn) + ":" + f.key,
					detail: f.key + ": true turns certificate verification off"})
			}
		case "cert_reqs":
			if v != nil && (v.kind == xStr && v.s == "CERT_NONE" || strings.HasSuffix(dotted(v), "CERT_NONE")) {
				ff.issues = append(ff.issues, issue{rule: RuleTLSVerifyDisabled, line: f.line, symbol: fnName(fn) + ":cert_reqs", detail: "cert_reqs=CERT_NONE turns certificate verification off"})
			}
		case "CheckRedirect", "beforeRedirect":
			a.redirectHook(ff, v, a.scopeOf(fn), fnName(fn)+":"+f.key)
		}
		if headerCredential(f.key, v) {
			// A header map that carries a credential, wherever it is sent:
			// the file attaches one, so its unlinked hosts are possible.
			ff.credLines = append(ff.credLines, f.line)
		}
		if v != nil && v.kind == xStr && !dataKey(f.key) && (credentialName(f.key) || credentialHeader(f.key)) && secretValue(f.key, v.s) {
			ff.issues = append(ff.issues, secretIssue(f.line, fnName(fn)+":"+f.key, v.s))
		}
	}
}

// verifiesItself says the InsecureSkipVerify set on obj at line sits next
// to obj.VerifyPeerCertificate or obj.VerifyConnection in the function (or
// the file, at module level): no other InsecureSkipVerify of obj between
// them. A tls.Config that skips Go's default verification to run its own
// (pinning, libpq's verify-ca) still verifies; the branch beside it that
// sets only InsecureSkipVerify does not.
func (a *analyzer) verifiesItself(fn *funcDef, obj string, line int) bool {
	body := a.u.body
	if fn != nil {
		body = fn.body
	}
	type set struct {
		line   int
		verify bool
	}
	var sets []set
	walkStmts(body, fn, func(s *stmt, _ *funcDef) {
		if s.kind != sAssign {
			return
		}
		switch targetName(s.target) {
		case obj + ".VerifyPeerCertificate", obj + ".VerifyConnection":
			sets = append(sets, set{s.line, true})
		case obj + ".InsecureSkipVerify":
			sets = append(sets, set{s.line, false})
		}
	})
	for i, st := range sets {
		if st.line == line && !st.verify {
			return i > 0 && sets[i-1].verify || i+1 < len(sets) && sets[i+1].verify
		}
	}
	return false
}

func hasField(fields []field, key string) bool {
	for _, f := range fields {
		if f.key == key {
			return true
		}
	}
	return false
}

// calleeOf is the dotted name of a call's callee ("" when it has none).
func calleeOf(e *expr) string {
	if c := dotted(e.x); c != "" {
		return c
	}
	if e.x != nil && e.x.kind == xAttr {
		return e.x.s
	}
	return ""
}

// httpCallee says a call whose keyword verify=False is read could be an
// HTTP or TLS call: requests/httpx/aiohttp verbs and clients, boto3's
// client(…, verify=False), a transport adapter. ctx.findroot(…, verify=False)
// is not one: "verify" is too common a word to trust alone.
func httpCallee(callee string) bool {
	last := strings.ToLower(callee[strings.LastIndexByte(callee, '.')+1:])
	switch last {
	case "get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream", "urlopen", "build_opener",
		"session", "client", "asyncclient", "resource", "clientsession", "tcpconnector", "httpadapter", "mount", "cert_verify", "connect":
		return true
	}
	for _, w := range []string{"http", "request", "session", "client", "url", "fetch", "download", "upload", "api", "ssl", "tls", "transport", "conn"} {
		if strings.Contains(last, w) {
			return true
		}
	}
	return false
}

// dataKey says a map key is data rather than a name: "AWS::IAM::AccessKey",
// "urn:…:token", "path/to/secret" or a phrase. Names of settings, fields
// and headers have none of ':', '/' or spaces.
func dataKey(k string) bool {
	return strings.ContainsAny(k, ":/ ")
}

// headerCredential says a map entry is a credential header with a value:
// the key is spelled as a header (Authorization, X-API-Key), not as a field
// (input_token, SecretAccessKey), and the value is no URL (an OAuth
// provider's "authorization" endpoint) and no empty string or label.
func headerCredential(key string, v *expr) bool {
	headerName := strings.EqualFold(key, "Authorization") || strings.EqualFold(key, "Proxy-Authorization") ||
		strings.Contains(key, "-") && credentialHeader(key)
	if !headerName {
		return false
	}
	switch {
	case v == nil || v.kind == xNull || v.kind == xBool || v.kind == xNum || v.kind == xDict || v.kind == xFunc:
		// {authorization: {url, params}} configures an OAuth endpoint.
		return false
	case v.kind == xStr:
		s := strings.TrimSpace(v.s)
		_, _, isURL := urlHost(s, true)
		return s != "" && !isURL && !wordLike(s)
	case v.kind == xConcat && len(v.args) > 0 && v.args[0].kind == xStr:
		head := strings.ToLower(v.args[0].s)
		return !strings.HasPrefix(head, "https://") && !strings.HasPrefix(head, "http://")
	}
	return true
}

// collectDests records every host the statement names, with the variable,
// setting or callee that names it.
func (a *analyzer) collectDests(ff *fileFacts, s *stmt, fn *funcDef) {
	if s.kind == sExpr && s.value != nil && s.value.kind == xStr {
		// A string standing alone is a docstring ("use strict" in JS): its
		// URLs, DSNs and sample keys document, they are not used.
		return
	}
	name := ""
	if s.kind == sAssign {
		name = lastKey(targetName(s.target))
	}
	a.destsIn(ff, s.value, name, true)
}

func (a *analyzer) destsIn(ff *fileFacts, e *expr, name string, complete bool) {
	if e == nil {
		return
	}
	switch e.kind {
	case xStr:
		// A credential name with a literal is reported by statementPatterns.
		byName := credentialName(lastKey(name)) && secretValue(name, e.s) || credentialHeader(lastKey(name))
		if title, m, ok := knownSecret(e.s); ok && !byName {
			ff.issues = append(ff.issues, shapeIssue(e.line, orName(name, "string literal"), title, m))
		}
		if skippedKey(lastKey(name)) {
			// "$id": "https://…", "homepage": "https://…": names, not calls.
			return
		}
		if scheme, host, ok := urlHost(e.s, complete); ok && !ignoredHost(host) {
			ff.dests = append(ff.dests, dest{urlRef{raw: e.s, scheme: scheme, host: host, line: e.line, name: name}})
		} else if complete && hostishName(name) {
			if h, ok := bareHost(e.s); ok && !ignoredHost(h) {
				ff.dests = append(ff.dests, dest{urlRef{raw: e.s, host: h, line: e.line, name: name}})
			}
		}
	case xConcat:
		for i, p := range e.args {
			a.destsIn(ff, p, name, i == len(e.args)-1 && p.kind == xStr && i == 0)
		}
	case xCall:
		callee := dotted(e.x)
		if callee == "" && e.x != nil && e.x.kind == xAttr {
			callee = e.x.s
		}
		a.destsIn(ff, e.x, name, true)
		// host.endswith("amazonaws.com") compares and
		// console.warn("… https://docs…") tells: neither calls, but a
		// call in their arguments still may.
		text := stringTest(callee) || messageCall(callee)
		for _, x := range e.args {
			if text && textual(x) {
				continue
			}
			n := name
			if n == "" {
				n = callee
			}
			a.destsIn(ff, x, n, true)
		}
		for _, f := range e.kw {
			if text && textual(f.val) {
				continue
			}
			a.destsIn(ff, f.val, fieldName(f, name), true)
		}
	case xDict:
		for _, f := range e.kw {
			a.destsIn(ff, f.val, fieldName(f, name), true)
		}
	case xFunc:
		// Function bodies are walked as statements.
	default:
		cmp := e.kind == xOther && e.s == opCompare // host == "api.github.com" checks, it calls nothing
		a.destsIn(ff, e.x, name, true)
		for _, x := range e.args {
			if cmp && textual(x) {
				continue
			}
			a.destsIn(ff, x, name, true)
		}
		for _, f := range e.kw {
			if f.key != "?" {
				a.destsIn(ff, f.val, name, true)
			}
		}
	}
}

// stringTests are the string methods and functions (Python, JavaScript,
// Go) whose arguments a host name is compared with or cut by.
var stringTests = map[string]bool{
	"endswith": true, "startswith": true, "endsWith": true, "startsWith": true, "includes": true, "indexOf": true, "lastIndexOf": true,
	"HasSuffix": true, "HasPrefix": true, "Contains": true, "EqualFold": true, "TrimSuffix": true, "TrimPrefix": true, "CutSuffix": true, "CutPrefix": true,
	"removesuffix": true, "removeprefix": true, "find": true, "rfind": true, "count": true, "Index": true, "LastIndex": true,
}

// textual says an operand is literal text (a string, a formatted string,
// a tuple or list of them), not something that may hold a call.
func textual(x *expr) bool {
	return x != nil && (x.kind == xStr || x.kind == xConcat || x.kind == xList)
}

// messageCall says a callee logs, prints or raises a message: its
// string arguments are text for a person (with links to documentation),
// not destinations.
func messageCall(callee string) bool {
	last := callee[strings.LastIndexByte(callee, '.')+1:]
	switch last {
	case "warn", "warning", "error", "info", "debug", "trace", "fatal", "log", "print", "println",
		"Print", "Printf", "Println", "Errorf", "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Warn", "Warnf", "Warning", "Warningf",
		"Info", "Infof", "Debug", "Debugf", "Error", "exception", "critical":
		return true
	case "New":
		return callee == "errors.New"
	}
	return strings.HasSuffix(last, "Error") || strings.HasSuffix(last, "Exception") || strings.HasSuffix(last, "Warning")
}

// stringTest says a callee compares strings: its last segment is one of
// stringTests.
func stringTest(callee string) bool {
	return stringTests[callee[strings.LastIndexByte(callee, '.')+1:]]
}

func fieldName(f field, outer string) string {
	if f.key != "" {
		return f.key
	}
	return outer
}

// settingDef records the setting name = value if the value holds URLs,
// or, under a host-ish name (SEARCH_HOST), is a bare host name.
func (a *analyzer) settingDef(ff *fileFacts, name string, v value, line int) {
	var urls []urlRef
	for _, u := range v.urls {
		if u.file == "" {
			urls = append(urls, u)
		}
	}
	if len(urls) == 0 && v.strOK && hostishName(name) {
		if h, ok := bareHost(v.str); ok && !ignoredHost(h) {
			urls = []urlRef{{raw: v.str, host: h, line: line, name: name}}
		}
	}
	if len(urls) > 0 {
		ff.defs = append(ff.defs, settingDef{name: name, urls: nameURLs(urls, name), line: line, env: v.env, allow: a.allowListed(nil)})
	}
}

// settingDefs records module constants and class attributes that hold
// URLs: settings other files read by name (Flask's config.py, Django's
// settings.py, a Go package's constants).
func (a *analyzer) settingDefs(ff *fileFacts) {
	add := func(s *stmt, sc *scope) {
		if s.kind != sAssign {
			return
		}
		n := targetName(s.target)
		name := lastKey(n)
		if name == "" {
			return
		}
		v := a.eval(s.value, sc)
		a.settingDef(ff, name, v, s.line)
		top := sc == a.module
		if top {
			a.symDefOf(ff, n, v, s.line)
		} else if attr := strings.TrimPrefix(n, "self."); a.u.lang == langPython && sc.class != "" && !strings.ContainsAny(attr, ".[") {
			a.addSym(ff, sc.class+"."+attr, v, s.line) // a class attribute a base class's method may read
		}
		if s.value != nil && s.value.kind == xDict {
			// PAYMENTS = {"BASE_URL": …}: settings["BASE_URL"] elsewhere.
			for _, f := range s.value.kw {
				if f.key != "" && f.val != nil && f.val.kind != xDict {
					fv := a.eval(f.val, sc)
					a.settingDef(ff, f.key, fv, f.line)
					if top && (n == "module.exports" || n == "exports") && a.u.lang == langJS {
						a.symDefOf(ff, f.key, fv, f.line)
					}
				}
			}
		}
	}
	for i := range a.u.body {
		s := &a.u.body[i]
		if s.kind == sFunc && s.fn != nil && s.fn.name == "<class>" {
			sc := a.scopeOf(s.fn)
			for j := range s.fn.body {
				add(&s.fn.body[j], sc)
			}
			continue
		}
		add(s, a.module)
	}
}
