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
		if m, ok := r.Find(t); ok {
			return r.Title, m.Text(), true
		}
	}
	return "", "", false
}

// shapeIssue is the finding for a literal with a known secret's shape.
func shapeIssue(line int, symbol, title, match string) issue {
	if strings.HasPrefix(match, "-----BEGIN") {
		match = symbol + match // the header is the same for every key: fingerprint the place
	}
	return issue{rule: RuleHardcodedSecret, line: line, symbol: symbol, secretFP: secretFingerprint(match),
		detail: fmt.Sprintf("%s is written in the file (%s; value redacted)", words.A(title), secretFingerprint(match))}
}
