package code

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strings"
)

// secretPlaceholders are values that stand in for a secret.
var secretPlaceholders = []string{"${", "{{", "<", ">", "%s", "%(", "changeme", "change_me", "change-me", "xxxx", "your", "example", "placeholder", "dummy",
	"redacted", "todo", "fixme", "****", "...", "process.env", "os.environ", "getenv", "secret_here", "token_here", "insert", "replace", "sample", "fake", "test", "mock"}

// literalSecret says a literal value assigned to a credential name (or
// following "Bearer ") looks like a real secret rather than a placeholder,
// an empty value or a reference.
func literalSecret(v string) bool {
	v = strings.TrimSpace(v)
	for _, p := range []string{"Bearer ", "bearer ", "Basic ", "Token ", "token "} {
		v = strings.TrimPrefix(v, p)
	}
	if len(v) < 8 || len(v) > 4096 || strings.ContainsAny(v, " \t\n\\") {
		// Whitespace: a phrase; a backslash: a regular expression or a path.
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] == 0x7f {
			return false // "openssh-key-v1\x00": a magic string, not a secret
		}
	}
	lower := strings.ToLower(v)
	for _, p := range secretPlaceholders {
		if strings.Contains(lower, p) {
			return false
		}
	}
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(v, "/") || strings.HasPrefix(v, "$") {
		return false
	}
	switch lower {
	case "true", "false", "null", "none", "undefined", "required", "optional":
		return false
	}
	if strings.Trim(v, "0123456789.-") == "" || wordLike(v) {
		return false
	}
	return entropy(v) >= 2.5
}

// secretValue is literalSecret for a value assigned to name, less the
// values that only repeat the name: `authMethodPassword = "password"` and
// `awsSecretAccessKey = "AWS_SECRET_ACCESS_KEY"` name a thing, they hold
// no secret.
func secretValue(name, v string) bool {
	if !literalSecret(v) {
		return false
	}
	n, w := alnumLower(name), alnumLower(v)
	if w != "" && strings.Contains(n, w) {
		return false
	}
	// One short lower-case word is a label ("identifier", "implicit")
	// unless the name says password: DB_PASSWORD = "postgres" is a weak
	// password written in.
	if bare := strings.TrimSpace(v); len(bare) <= 20 && strings.Trim(bare, "abcdefghijklmnopqrstuvwxyz") == "" {
		for _, word := range nameWords(name) {
			switch word {
			case "password", "passwd", "pwd", "pass", "passphrase":
				return true
			}
		}
		return false
	}
	return true
}

// alnumLower is s lower-cased with everything but letters and digits removed.
func alnumLower(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteByte(c)
		}
	}
	return b.String()
}

// wordLike says v is built like an identifier, an enum value or a label
// rather than a secret: words of letters (and numbers of digits, never a
// mix) joined by _ - . : / or camelCase, as in "next_token",
// "FORCE_CHANGE_PASSWORD", "progressToken", "scram-sha-256" or "write:pets".
// A single word counts only in capitals ("OAUTHBEARER"): a lower-case word
// may be a weak password. Random strings fail on a mixed segment or on
// camelCase pieces too short to be words.
func wordLike(v string) bool {
	words, letters, start := 0, 0, 0
	upper := true
	flush := func(seg string) bool {
		if seg == "" {
			return true
		}
		alpha, digit := false, false
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			switch {
			case c >= 'a' && c <= 'z':
				alpha, upper = true, false
			case c >= 'A' && c <= 'Z':
				alpha = true
			case c >= '0' && c <= '9':
				digit = true
			default:
				return false
			}
		}
		if alpha && digit && !wordNumber(seg) {
			return false
		}
		if alpha {
			words++
			letters += len(seg)
		}
		return true
	}
	for i := 0; i <= len(v); i++ {
		switch {
		case i == len(v) || strings.IndexByte("_-.:/@[]", v[i]) >= 0:
			if !flush(v[start:i]) {
				return false
			}
			start = i + 1
		case i > start && isUpper(v[i]) && isLower(v[i-1]):
			if !flush(v[start:i]) {
				return false
			}
			start = i
		}
	}
	if words == 0 || letters < 3*words {
		return false
	}
	return words > 1 || upper
}

// wordNumber says seg is letters then at most three digits: "oauth2",
// "sha256", "v1".
func wordNumber(seg string) bool {
	i := len(seg)
	for i > 0 && seg[i-1] >= '0' && seg[i-1] <= '9' {
		i--
	}
	if len(seg)-i > 3 || i == 0 {
		return false
	}
	for j := 0; j < i; j++ {
		if !isUpper(seg[j]) && !isLower(seg[j]) {
			return false
		}
	}
	return true
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

// entropy is the Shannon entropy of s in bits per byte.
func entropy(s string) float64 {
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	h := 0.0
	n := float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// secretFingerprint is the short hash a report shows instead of a secret:
// enough to tell two secrets apart, never enough to recover one.
func secretFingerprint(v string) string {
	sum := sha256.Sum256([]byte(v))
	return "sha256:" + hex.EncodeToString(sum[:4])
}

// authScheme says a string literal starts an Authorization value.
func authScheme(s string) bool {
	for _, p := range []string{"Bearer ", "bearer ", "Basic ", "Token ", "token ", "Bot ", "ApiKey ", "Digest "} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return s == "Bearer" || s == "Token"
}
