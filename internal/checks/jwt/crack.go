package jwt

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	_ "embed"
	"fmt"
	"hash"
	"os"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

//go:embed secrets.txt
var builtinSecrets []byte

// BuiltinSecrets returns the team-written list of common HMAC secrets.
func BuiltinSecrets() []string { return parseWordlist(builtinSecrets) }

// ReadWordlist reads a user wordlist: one secret per line, blank lines
// skipped, lines kept verbatim otherwise (a secret may start with "#").
func ReadWordlist(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if line := strings.TrimRight(sc.Text(), "\r"); line != "" {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

func parseWordlist(b []byte) []string {
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

func hmacHash(alg string) func() hash.Hash {
	switch alg {
	case "HS256":
		return sha256.New
	case "HS384":
		return sha512.New384
	case "HS512":
		return sha512.New
	}
	return nil
}

// Crack tries each candidate secret against an HMAC-signed token and
// returns the one that reproduces its signature. Offline: no requests.
func Crack(t *Token, candidates []string) (string, bool) {
	tg, ok := newTarget(t)
	if !ok {
		return "", false
	}
	s, found, _ := tryList(context.Background(), tg, stringsIter(candidates))
	return s, found
}

// cracked is a token whose secret was found.
type cracked struct {
	tok    *Token
	secret string
	list   string // where the secret was: "built-in list", "dictionary", "--jwt-wordlist" or a keyspace's name
}

// builtinList names the team-written list in findings; its entries are
// public and common, so they are not masked in prose.
const builtinList = "plumb's built-in list of common secrets"

var crackKey = check.NewKey[[]cracked]("cracked JWT secrets")

// crackAll cracks every token once per scan with opts (whichever check
// asks first decides; both JWT checks use the zero options unless the
// caller sets them alike) and registers each secret with the redactor: it
// is a credential from now on.
func crackAll(ctx context.Context, in *check.Input, opts CrackOptions) ([]cracked, error) {
	return check.Once(ctx, in, crackKey, func(ctx context.Context) ([]cracked, error) {
		toks, err := tokens(ctx, in)
		if err != nil {
			return nil, err
		}
		var out []cracked
		for i, t := range toks {
			// The keyspaces cost seconds of CPU: only the first token (the
			// user's own, when it is a JWT) gets them; the API's other
			// tokens are most likely signed with the same key.
			o := opts
			if i > 0 {
				o.Keyspaces = []Keyspace{}
			}
			r := o.crack(ctx, t, in.JWTWordlist)
			if r.found {
				out = append(out, cracked{t, r.secret, r.list})
			}
		}
		for _, c := range out {
			// A secret found anywhere but the team's list of common
			// defaults is the target's real secret: mask it everywhere.
			// Team-list entries ship in this binary and are common words;
			// masking them would mangle prose.
			if c.list != builtinList {
				in.HTTP.Redactor().Add(c.secret)
			}
		}
		return out, nil
	})
}

// WeakSecret reports HMAC-signed tokens whose secret is a common one.
type WeakSecret struct {
	Crack CrackOptions
}

// Meta describes the check.
func (WeakSecret) Meta() check.Meta {
	return check.Meta{
		ID: "authentication.jwt-weak-secret", Title: "JWT signed with a guessable HMAC secret", Category: finding.CatAuthentication,
		OWASP: "API2:2023", CWE: "CWE-1391", Severity: finding.Critical,
		Description: "Tries, offline, against HS256/384/512 tokens the user supplied or the API handed out: the team's list of " +
			"common HMAC secrets, a 122,087-word English dictionary (SCOWL), --jwt-wordlist, then every numeric secret of up " +
			"to 7 digits and every lower-case one of up to 5 letters (23.5 million HMACs on all cores, stopped at the first " +
			"hit, at --max-time or after 3 minutes; the keyspaces only for the first token, the user's own when it is a JWT). A match means anyone can mint valid tokens for any user (RFC 8725 §3.5).",
		Remediation: remedySecret,
	}
}

// Run cracks offline; zero requests beyond the shared calibration.
func (c WeakSecret) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cs, err := crackAll(ctx, in, c.Crack)
	if err != nil {
		return nil, err
	}
	// One secret is one problem: the tokens it signs (the user's and those
	// the API hands out) are named in one finding, at the first of them.
	var fs []finding.Finding
	for _, same := range bySecret(cs) {
		k := same[0]
		f := check.New(c.Meta(), fmt.Sprintf("The %s JWT's %s secret was guessed offline (%s)", k.tok.Source, k.tok.Alg(), k.list),
			finding.Location{Host: in.Target.Host, Param: k.tok.Source})
		f.Confidence = finding.Confirmed
		f.Evidence.Summary = fmt.Sprintf("HMAC-%s over the token's header.payload with a %d-character secret (%s) from %s "+
			"reproduces its signature. Header %s, claims %s. plumb can now mint tokens for any subject.",
			k.tok.Alg(), len(k.secret), netx.Mask(k.secret), k.list, k.tok.HeaderJSON(), safeClaims(k.tok))
		if len(same) > 1 {
			var others []string
			for _, o := range same[1:] {
				others = append(others, o.tok.Source)
			}
			f.Title += "; tokens the API hands out use it too"
			f.Evidence.Summary += fmt.Sprintf(" The same secret signs the API's other tokens (%s).", strings.Join(others, ", "))
		}
		f.Remediation = remedySecret
		fs = append(fs, f)
	}
	return fs, nil
}

// bySecret groups cracked tokens by their secret, in the order the
// secrets were first found.
func bySecret(cs []cracked) [][]cracked {
	var out [][]cracked
	at := map[string]int{}
	for _, c := range cs {
		i, ok := at[c.secret]
		if !ok {
			i = len(out)
			at[c.secret] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], c)
	}
	return out
}
