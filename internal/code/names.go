package code

import (
	"strings"
	"unicode/utf8"
)

// The name predicates (credentialName, credentialHeader, hostishName) run
// on every identifier and configuration key a scan reads. They split the
// name into words as nameWords does, but look each word up in one table
// instead of lower-casing it into a new string: an ASCII name costs no
// allocation.

// nameBits are what the words of a name say.
type nameBits uint32

const (
	nbNotCred    nameBits = 1 << iota // a word that rules out a credential name (url, path, timeout…)
	nbNotHeader                       // a word that rules out a credential header (csrf, content, id…)
	nbCredName                        // token, secret, password…: a credential name by itself
	nbCredHeader                      // authorization, cookie, bearer…: a credential header by itself
	nbKey                             // key
	nbKeyName                         // api, access, private…: with key, a credential name
	nbKeyHeader                       // api, subscription, client…: with key, a credential header
	nbAuth                            // auth: a credential name with another word
	nbHostish                         // host, url, endpoint…: the name is about a destination
)

// nameWordBits is the table the predicates read, built from word lists.
var nameWordBits = func() map[string]nameBits {
	m := map[string]nameBits{}
	add := func(b nameBits, words ...string) {
		for _, w := range words {
			m[w] |= b
		}
	}
	add(nbNotHeader, "csrf", "xsrf", "idempotency", "cache", "content", "length", "type", "url", "uri", "endpoint", "host", "expires", "expiry", "ttl", "id")
	add(nbNotCred, "url", "uri", "endpoint", "host", "hostname", "path", "file", "filename", "name", "id", "header", "type", "expiry", "expires",
		"ttl", "length", "len", "prefix", "env", "var", "field", "param", "policy", "cache", "max", "min", "timeout", "count", "rotation", "regex", "pattern",
		"placeholder", "template", "format", "label", "help", "description", "error", "message", "msg", "validator", "required", "enabled", "mode", "scheme", "location", "dir")
	add(nbCredName, "token", "secret", "password", "passwd", "pwd", "apikey", "bearer", "credential", "credentials")
	add(nbCredHeader, "authorization", "auth", "token", "apikey", "cookie", "secret", "bearer", "password")
	add(nbKey, "key")
	add(nbKeyName, "api", "access", "private", "signing", "secret", "subscription", "master")
	add(nbKeyHeader, "api", "subscription", "access", "functions", "client")
	add(nbAuth, "auth")
	add(nbHostish, "host", "hostname", "domain", "server", "endpoint", "url", "uri", "addr", "address", "upstream", "backend", "baseurl", "fqdn")
	return m
}()

// nameInfo is what a name's words say, and how many words it has.
type nameInfo struct {
	bits  nameBits
	words int
}

// nameInfoOf splits name into words exactly as nameWords does and ORs
// their bits.
func nameInfoOf(name string) nameInfo {
	if !isASCII(name) {
		var ni nameInfo
		for _, w := range nameWords(name) {
			ni.bits |= nameWordBits[w]
			ni.words++
		}
		return ni
	}
	var ni nameInfo
	var buf [32]byte // a word longer than this is in no table
	n, long := 0, false
	flush := func() {
		if n > 0 || long {
			if !long {
				ni.bits |= nameWordBits[string(buf[:n])]
			}
			ni.words++
			n, long = 0, false
		}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case isWordSep(c):
			flush()
			continue
		case c >= 'A' && c <= 'Z':
			if i > 0 && (isLowerOrDigit(name[i-1]) || i+1 < len(name) && name[i+1] >= 'a' && name[i+1] <= 'z' && name[i-1] >= 'A' && name[i-1] <= 'Z') {
				flush()
			}
			c += 'a' - 'A'
		}
		if n < len(buf) {
			buf[n] = c
			n++
		} else {
			long = true
		}
	}
	flush()
	return ni
}

func isWordSep(c byte) bool {
	switch c {
	case '_', '-', '.', ' ', '/', '[', ']', '"', '\'':
		return true
	}
	return false
}

func isLowerOrDigit(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// nameWords splits an identifier or setting path into lower-case words:
// snake_case, kebab-case, dotted.path and camelCase alike.
func nameWords(name string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, strings.ToLower(cur.String()))
			cur.Reset()
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case r < utf8.RuneSelf && isWordSep(byte(r)):
			flush()
		case r >= 'A' && r <= 'Z':
			// A new word at a lower→upper change or at the last capital of
			// an acronym followed by lower case (APIKey → api, key).
			if i > 0 && (rs[i-1] >= 'a' && rs[i-1] <= 'z' || rs[i-1] >= '0' && rs[i-1] <= '9' ||
				i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z' && rs[i-1] >= 'A' && rs[i-1] <= 'Z') {
				flush()
			}
			cur.WriteRune(r)
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}

// settingKey normalizes a setting name for matching across files and
// formats: METRICS_URL, metricsUrl, metrics-url and metrics.url are one key.
// (The words of nameWords joined: the name lower-cased without separators.)
func settingKey(name string) string {
	if !isASCII(name) {
		return strings.Join(nameWords(name), "")
	}
	b := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isWordSep(c) {
			b = append(b, lowerASCII(c))
		}
	}
	return string(b)
}

// credentialHeader says a header name carries a credential (Authorization,
// X-API-Key, Private-Token, Cookie…), not a CSRF or cache token.
func credentialHeader(name string) bool {
	ni := nameInfoOf(name)
	b := ni.bits
	switch {
	case b&nbNotHeader != 0:
		return false
	case b&nbCredHeader != 0:
		return true
	}
	return b&nbKey != 0 && b&nbKeyHeader != 0
}

// credentialName says a variable or setting name holds a secret:
// API_TOKEN, clientSecret, db_password, stripe-api-key.
func credentialName(name string) bool {
	ni := nameInfoOf(name)
	b := ni.bits
	switch {
	case ni.words == 0 || b&nbNotCred != 0:
		return false
	case b&nbCredName != 0:
		return true
	case b&nbKey != 0 && b&nbKeyName != 0:
		return true
	}
	return b&nbAuth != 0 && ni.words > 1
}

// hostishName says a variable or setting name is about a host or URL.
func hostishName(name string) bool { return nameInfoOf(name).bits&nbHostish != 0 }
