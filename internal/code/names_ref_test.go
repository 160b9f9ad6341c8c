package code

import "strings"

// The name predicates as they were written first (allocating every word),
// kept as the oracle TestNamePredicatesMatchReference compares with.

// credentialHeader says a header name carries a credential (Authorization,
// X-API-Key, Private-Token, Cookie…), not a CSRF or cache token.
func credentialHeaderRef(name string) bool {
	ws := nameWordsRef(name)
	has := func(w string) bool {
		for _, x := range ws {
			if x == w {
				return true
			}
		}
		return false
	}
	for _, no := range []string{"csrf", "xsrf", "idempotency", "cache", "content", "length", "type", "url", "uri", "endpoint", "host", "expires", "expiry", "ttl", "id"} {
		if has(no) {
			return false
		}
	}
	switch {
	case has("authorization"), has("auth"), has("token"), has("apikey"), has("cookie"), has("secret"), has("bearer"), has("password"):
		return true
	case has("key") && (has("api") || has("subscription") || has("access") || has("functions") || has("client")):
		return true
	}
	return false
}

// credentialName says a variable or setting name holds a secret:
// API_TOKEN, clientSecret, db_password, stripe-api-key.
func credentialNameRef(name string) bool {
	ws := nameWordsRef(name)
	if len(ws) == 0 {
		return false
	}
	has := func(w string) bool {
		for _, x := range ws {
			if x == w {
				return true
			}
		}
		return false
	}
	for _, no := range []string{"url", "uri", "endpoint", "host", "hostname", "path", "file", "filename", "name", "id", "header", "type", "expiry", "expires",
		"ttl", "length", "len", "prefix", "env", "var", "field", "param", "policy", "cache", "max", "min", "timeout", "count", "rotation", "regex", "pattern",
		"placeholder", "template", "format", "label", "help", "description", "error", "message", "msg", "validator", "required", "enabled", "mode", "scheme", "location", "dir"} {
		if has(no) {
			return false
		}
	}
	switch {
	case has("token"), has("secret"), has("password"), has("passwd"), has("pwd"), has("apikey"), has("bearer"), has("credential"), has("credentials"):
		return true
	case has("key") && (has("api") || has("access") || has("private") || has("signing") || has("secret") || has("subscription") || has("master")):
		return true
	case has("auth") && len(ws) > 1:
		return true
	}
	return false
}

// hostishName says a variable or setting name is about a host or URL.
func hostishNameRef(name string) bool {
	for _, w := range nameWordsRef(name) {
		switch w {
		case "host", "hostname", "domain", "server", "endpoint", "url", "uri", "addr", "address", "upstream", "backend", "baseurl", "fqdn":
			return true
		}
	}
	return false
}

// nameWords splits an identifier or setting path into lower-case words:
// snake_case, kebab-case, dotted.path and camelCase alike.
func nameWordsRef(name string) []string {
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
		case r == '_' || r == '-' || r == '.' || r == ' ' || r == '/' || r == '[' || r == ']' || r == '"' || r == '\'':
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
func settingKeyRef(name string) string {
	return strings.Join(nameWordsRef(name), "")
}
