package exposure

import (
	"regexp"
	"strings"
)

// The value scanners read three packs of internal/rules (an error loading
// one fails the check, not the scan); each pack is one kind of data, which
// decides how a match is redacted.
const (
	packSecrets  = "secrets"
	packPII      = "pii"
	packInternal = "internal-addresses"
)

// kindOf names the redaction kind of a pack's matches.
func kindOf(pack string) string {
	switch pack {
	case packPII:
		return "pii"
	case packInternal:
		return "internal"
	}
	return "secret"
}

// redactMatch keeps enough of a match to recognise it and hides the rest:
// the first 4 and last 2 characters of secrets, the last 4 digits of
// numbers.
func redactMatch(kind, m string) string {
	switch {
	case kind == "internal":
		return m
	case len(m) <= 8:
		return strings.Repeat("*", len(m))
	case kind == "pii":
		return strings.Repeat("*", len(m)-4) + m[len(m)-4:]
	default:
		return m[:4] + strings.Repeat("*", min(len(m)-6, 24)) + m[len(m)-2:]
	}
}

var emailRE = regexp.MustCompile(`\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b`)

// redactEmail keeps the first letter and the domain.
func redactEmail(e string) string {
	at := strings.IndexByte(e, '@')
	if at < 1 {
		return "***"
	}
	return e[:1] + "***" + e[at:]
}
