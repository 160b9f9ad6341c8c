package fingerprints

import (
	"strings"
	"unicode"
)

// The rules below decide whether an HTTP matcher token is "generic": text that
// healthy servers and APIs also return (default 404 pages, JSON errors), and
// therefore never takeover evidence on its own. A matcher must carry at least
// one specific token (see matcherSpecific); Load rejects entries that don't.

// genericWords are words that, alone or combined, say nothing about which
// service answered. A token made only of these (after the phrases below are
// removed) is generic.
var genericWords = wordSet(`
404 400 401 403 405 410 429 500 502 503 504 error errors not found page pages file files
the a an this that these those it is was were be been are am has have had no such or and of on in at
to for from with by as its your you yours we us our they i me my can cannot could couldn doesn don
isn wasn won aren t s re ve ll d m does do did exist exists existing available unavailable
temporarily service server servers site sites website websites web http https www com net org
html htm index request requested requests url urls uri link links path resource resources missing
oops sorry whoops uh oh hmm nginx apache iis caddy openresty cloudflare akamai varnish gunicorn
werkzeug express next js node bad gateway forbidden unauthorized internal timeout timed out method
allowed denied access invalid message detail details status code title h1 h2 h3 h4 p div span
strong em br hr b i body head center pre doctype lang en utf 8 charset meta class id href rsquo
lsquo 8217 8216 x27 nbsp amp quot lt gt looking look find go back home try again later please
check spelling entered manually if may might moved deleted removed here there what something went
wrong unknown null undefined json true false get post ok content type text plain application api
v1 v2 authorization authentication required token credentials login sign domain domains
configured configuration host hostname app apps account accounts project projects exist
existed anymore longer seems seem nothing else sure right address 1 2 3 0 why see more info
information contact support administrator admin webmaster owner reference
`)

// genericPhrases are multi-word error texts that are generic as a whole even
// though a word in them is not (e.g. "repository" in a JSON API's 404).
var genericPhrases = []string{
	"repository not found",
	"page not found",
	"this page could not be found",
	"the requested url was not found on this server",
	"that s all we know",
	"site not found",
	"web site not found",
	"default backend",
	"cannot get",
	"whitelabel error page",
	"there was an unexpected error",
	"application error",
	"service unavailable",
	"gateway timeout",
	"no such host",
	"error code 1001",
	"dns resolution error",
}

// genericHeaderNames are headers every stack sends; a header condition on one
// of them is specific only through its value.
var genericHeaderNames = wordSet(`
server content-type content-length location date cache-control connection vary etag
x-powered-by via set-cookie x-request-id x-cache expires last-modified pragma
strict-transport-security x-frame-options x-content-type-options www-authenticate
access-control-allow-origin content-security-policy transfer-encoding keep-alive age
`)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// normWords lowercases s, drops HTML tags and splits it into letter/digit runs.
func normWords(s string) []string {
	var b strings.Builder
	inTag := false
	for _, r := range s {
		switch {
		case r == '<':
			inTag = true
			b.WriteByte(' ')
		case r == '>' && inTag:
			inTag = false
			b.WriteByte(' ')
		case inTag:
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return strings.FieldsFunc(b.String(), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// tokenIsGeneric reports whether a body or header token is generic error-page
// text: after removing generic phrases, only generic words remain.
func tokenIsGeneric(tok string) bool {
	norm := " " + strings.Join(normWords(tok), " ") + " "
	for _, p := range genericPhrases {
		norm = strings.ReplaceAll(norm, " "+p+" ", " ")
	}
	for _, w := range strings.Fields(norm) {
		if !genericWords[w] {
			return false
		}
	}
	return true
}

// matcherSpecific reports whether m has at least one specific token: a body
// token every match needs, a body_any list whose every alternative is
// specific, or a specific header condition. Status codes and regexes never
// count: they cannot tell a service's page from a generic one.
func matcherSpecific(m *HTTPMatcher) bool {
	for _, t := range m.Body {
		if !tokenIsGeneric(t) {
			return true
		}
	}
	if len(m.BodyAny) > 0 {
		all := true
		for _, t := range m.BodyAny {
			if tokenIsGeneric(t) {
				all = false
			}
		}
		if all {
			return true
		}
	}
	for _, h := range m.Headers {
		if headerSpecific(h) {
			return true
		}
	}
	return false
}

func headerSpecific(h HeaderMatch) bool {
	name := strings.ToLower(h.Name)
	if len(h.Contains) == 0 {
		return !genericHeaderNames[name]
	}
	if !genericHeaderNames[name] {
		return true
	}
	for _, v := range h.Contains {
		if tokenIsGeneric(v) {
			return false
		}
	}
	return true
}
