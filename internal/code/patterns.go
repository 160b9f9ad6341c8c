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
		case key == "verify" && isFalse(v), key == "check_hostname" && isFalse(v), key == "InsecureSkipVerify" && isTrue(v),
			key == "verify_mode" && strings.HasSuffix(dotted(v), "CERT_NONE"),
			key == "_create_default_https_context" && strings.HasSuffix(dotted(v), "_create_unverified_context"):
			ff.issues = append(ff.issues, issue{rule: RuleTLSVerifyDisabled, line: s.line, symbol: n, detail: n + " turns certificate verification off"})
		case (key == "NODE_TLS_REJECT_UNAUTHORIZED" || key == "PYTHONHTTPSVERIFY") && v != nil && (v.kind == xStr && v.s == "0" || v.kind == xNum && v.s == "0"):
			ff.issues = append(ff.issues, issue{rule: RuleTLSVerifyDisabled, line: s.line, symbol: key, detail: key + "=0 turns certificate verification off for the whole process"})
		case key == "CheckRedirect":
			a.redirectHook(ff, v, sc, n)
		}
		if v != nil && v.kind == xStr && credentialName(key) && literalSecret(v.s) {
			ff.issues = append(ff.issues, secretIssue(s.line, n, v.s))
		}
	case sFunc:
		if f := s.fn; f.class != "" && (f.name == "rebuild_auth" || f.name == "should_strip_auth") && f.words&wordSuper == 0 {
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
func (a *analyzer) fieldPatterns(ff *fileFacts, fields []field, fn *funcDef) {
	for _, f := range fields {
		v := f.val
		switch f.key {
		case "verify", "verify_ssl", "ssl", "strictSSL", "rejectUnauthorized", "check_hostname":
			if isFalse(v) {
				ff.issues = append(ff.issues, issue{rule: RuleTLSVerifyDisabled, line: f.line, symbol: fnName(fn) + ":" + f.key,
					detail: f.key + "=false turns certificate verification off"})
			}
		case "InsecureSkipVerify", "insecureSkipVerify", "insecure_skip_verify":
			if isTrue(v) {
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
		if v != nil && v.kind == xStr && (credentialName(f.key) || credentialHeader(f.key)) && literalSecret(v.s) {
			ff.issues = append(ff.issues, secretIssue(f.line, fnName(fn)+":"+f.key, v.s))
		}
	}
}

// collectDests records every host the statement names, with the variable,
// setting or callee that names it.
func (a *analyzer) collectDests(ff *fileFacts, s *stmt, fn *funcDef) {
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
		byName := credentialName(lastKey(name)) && literalSecret(e.s) || credentialHeader(lastKey(name))
		if title, m, ok := knownSecret(e.s); ok && !byName {
			ff.issues = append(ff.issues, shapeIssue(e.line, orName(name, "string literal"), title, m))
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
		for _, x := range e.args {
			n := name
			if n == "" {
				n = callee
			}
			a.destsIn(ff, x, n, true)
		}
		for _, f := range e.kw {
			a.destsIn(ff, f.val, fieldName(f, name), true)
		}
	case xDict:
		for _, f := range e.kw {
			a.destsIn(ff, f.val, fieldName(f, name), true)
		}
	case xFunc:
		// Function bodies are walked as statements.
	default:
		a.destsIn(ff, e.x, name, true)
		for _, x := range e.args {
			a.destsIn(ff, x, name, true)
		}
		for _, f := range e.kw {
			if f.key != "?" {
				a.destsIn(ff, f.val, name, true)
			}
		}
	}
}

func fieldName(f field, outer string) string {
	if f.key != "" {
		return f.key
	}
	return outer
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
		var urls []urlRef
		for _, u := range v.urls {
			if u.file == "" {
				urls = append(urls, u)
			}
		}
		if len(urls) > 0 {
			ff.defs = append(ff.defs, settingDef{name: name, urls: nameURLs(urls, name), line: s.line, env: v.env, allow: a.allowListed(nil)})
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
