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
	if len(v) < 8 || len(v) > 4096 || strings.ContainsAny(v, " \t\n") {
		return false
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
	if strings.Trim(v, "0123456789.-") == "" {
		return false
	}
	return entropy(v) >= 2.5
}

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
