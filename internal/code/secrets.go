package code

import (
	"fmt"
	"strings"
	"sync"

	"github.com/plumbsec/plumb/internal/rules"

	"github.com/plumbsec/plumb/internal/words"
)

// secretPack is the shared secrets rule pack (internal/rules): the known
// token shapes plumb also looks for in responses and model output.
var secretPack = sync.OnceValues(func() (*rules.Pack, error) { return rules.Load("secrets") })

// knownSecret returns the title of the secrets-pack rule a string literal
// matches (a GitHub token, an AWS key, a private key…) and the matched
// text, whatever name it is assigned to. The generic key=value rule is
// left out: names are judged by credentialName.
func knownSecret(s string) (title, match string, ok bool) {
	if len(s) < 16 || len(s) > 8192 {
		return "", "", false
	}
	p, err := secretPack()
	if err != nil {
		return "", "", false
	}
	t := rules.NewText(s)
	for _, r := range p.Rules {
		if r.ID == "secret-assignment" {
			continue
		}
		if m, ok := r.Find(t); ok && !documentedSample(m.Text()) && !bareHeader(s, m.Text()) &&
			(r.ID != "connection-string" || !localConnection(s, m.Text())) {
			return r.Title, m.Text(), true
		}
	}
	return "", "", false
}

// documentedSample says a token-shaped match is a vendor's documentation
// value or a stand-in ("AKIAIOSFODNN7EXAMPLE", "sk_test_XXXXXXXX…"), which
// code copies into defaults, docs and mocks: no one can use it.
func documentedSample(m string) bool {
	l := strings.ToLower(m)
	for _, p := range []string{"example", "xxxxxx", "placeholder", "dummy", "sample", "redacted", "000000000000"} {
		if strings.Contains(l, p) {
			return true
		}
	}
	return false
}

// bareHeader says the match is a PEM header with no key after it: a
// literal such as "-----BEGIN RSA PRIVATE KEY-----" in a scanner's pattern
// list, a prefix check or a docstring that names the markers holds no key.
// A key has at least 64 base64 characters right after its header.
func bareHeader(s, m string) bool {
	if !strings.HasPrefix(m, "-----BEGIN") {
		return false
	}
	rest := s[strings.Index(s, m)+len(m):]
	n := 0
	for i := 0; i < len(rest) && n < 64; i++ {
		switch c := rest[i]; {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/', c == '=':
			n++
		case c == ' ', c == '\t', c == '\r', c == '\n':
		case c == '\\' && i+1 < len(rest) && rest[i+1] == 'n': // "\n" in a one-line literal
			i++
		default:
			return true
		}
	}
	return n < 64
}

// localConnection says a connection string's host (what follows the
// match in s) is the machine itself, a private address or a single-label
// service name (docker-compose's db): a development database's password,
// useless to anyone outside.
func localConnection(s, m string) bool {
	rest := s[strings.Index(s, m)+len(m):]
	end := strings.IndexAny(rest, ":/?#,; \t\n'\"")
	if end < 0 {
		end = len(rest)
	}
	h := strings.ToLower(rest[:end])
	return h == "" || loopbackHost(h) || !strings.Contains(h, ".")
}

// shapeIssue is the finding for a literal with a known secret's shape.
func shapeIssue(line int, symbol, title, match string) issue {
	if strings.HasPrefix(match, "-----BEGIN") {
		match = symbol + match // the header is the same for every key: fingerprint the place
	}
	return issue{rule: RuleHardcodedSecret, line: line, symbol: symbol, secretFP: secretFingerprint(match),
		detail: fmt.Sprintf("%s is written in the file (%s; value redacted)", words.A(title), secretFingerprint(match))}
}
