package jwt

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
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
	h := hmacHash(t.Alg())
	if h == nil {
		return "", false
	}
	want, err := b64(t.Parts[2])
	if err != nil || len(want) == 0 {
		return "", false
	}
	input := []byte(t.SigningInput())
	for _, s := range candidates {
		m := hmac.New(h, []byte(s))
		m.Write(input)
		if bytes.Equal(m.Sum(nil), want) { // offline: timing is not a concern
			return s, true
		}
	}
	return "", false
}

// cracked is a token whose secret was found.
type cracked struct {
	tok    *Token
	secret string
	list   string // "built-in list" or "--jwt-wordlist"
}

var crackKey = check.NewKey[[]cracked]("cracked JWT secrets")

// crackAll cracks every token once per scan and registers each secret
// with the redactor: it is a credential from now on.
func crackAll(ctx context.Context, in *check.Input) ([]cracked, error) {
	return check.Once(ctx, in, crackKey, func(ctx context.Context) ([]cracked, error) {
		toks, err := tokens(ctx, in)
		if err != nil {
			return nil, err
		}
		builtin := BuiltinSecrets()
		var out []cracked
		for _, t := range toks {
			if s, ok := Crack(t, builtin); ok {
				out = append(out, cracked{t, s, "built-in list"})
			} else if s, ok := Crack(t, in.JWTWordlist); ok {
				out = append(out, cracked{t, s, "--jwt-wordlist"})
			}
		}
		for _, c := range out {
			// A secret from the user's wordlist may be a real one: mask it
			// everywhere. Built-in entries are public (they ship in this
			// binary) and common words; masking them would mangle prose.
			if c.list != "built-in list" {
				in.HTTP.Redactor().Add(c.secret)
			}
		}
		return out, nil
	})
}

// WeakSecret reports HMAC-signed tokens whose secret is a common one.
type WeakSecret struct{}

// Meta describes the check.
func (WeakSecret) Meta() check.Meta {
	return check.Meta{
		ID: "authentication.jwt-weak-secret", Title: "JWT signed with a guessable HMAC secret", Category: finding.CatAuthentication,
		OWASP: "API2:2023", CWE: "CWE-1391", Severity: finding.Critical,
		Description: "Tries, offline, a built-in list of common HMAC secrets (and --jwt-wordlist) against HS256/384/512 tokens " +
			"the user supplied or the API handed out. A match means anyone can mint valid tokens for any user (RFC 8725 §3.5).",
		Remediation: remedySecret,
	}
}

// Run cracks offline; zero requests beyond the shared calibration.
func (c WeakSecret) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cs, err := crackAll(ctx, in)
	if err != nil {
		return nil, err
	}
	var fs []finding.Finding
	for _, k := range cs {
		f := check.New(c.Meta(), fmt.Sprintf("The %s JWT's %s secret is in plumb's %s", k.tok.Source, k.tok.Alg(), k.list),
			finding.Location{Host: in.Target.Host, Param: k.tok.Source})
		f.Confidence = finding.Confirmed
		f.Evidence.Summary = fmt.Sprintf("HMAC-%s over the token's header.payload with a %d-character secret from the %s (%s) "+
			"reproduces its signature. Header %s, claims %s. plumb can now mint tokens for any subject.",
			k.tok.Alg(), len(k.secret), k.list, netx.Mask(k.secret), k.tok.HeaderJSON(), safeClaims(k.tok))
		f.Remediation = remedySecret
		fs = append(fs, f)
	}
	return fs, nil
}
