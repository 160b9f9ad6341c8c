package jwt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	gjwt "github.com/golang-jwt/jwt/v5"
)

func sign(t testing.TB, secret string, claims gjwt.MapClaims) string {
	t.Helper()
	s, err := gjwt.NewWithClaims(gjwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCrack(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		secret string
		list   []string
		want   bool
	}{
		{"secret", BuiltinSecrets(), true},
		{"keyboard cat", BuiltinSecrets(), true},
		{"x7Kq9-not-in-any-list-Zr2", BuiltinSecrets(), false},
		{"team-rotation-2024", []string{"nope", "team-rotation-2024"}, true},
		{"", []string{"a"}, false},
	} {
		tok, err := Parse(sign(t, tc.secret, gjwt.MapClaims{"sub": "a"}))
		if err != nil {
			t.Fatal(err)
		}
		got, ok := Crack(tok, tc.list)
		if ok != tc.want || (ok && got != tc.secret) {
			t.Errorf("Crack(secret %q) = %q, %v; want found=%v", tc.secret, got, ok, tc.want)
		}
	}
}

func TestReadWordlist(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "w.txt")
	if err := os.WriteFile(p, []byte("one\r\n\n#hash-is-a-secret-too\ntwo words\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadWordlist(p)
	if err != nil || strings.Join(got, "|") != "one|#hash-is-a-secret-too|two words" {
		t.Errorf("ReadWordlist = %q, %v", got, err)
	}
	if _, err := ReadWordlist(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing wordlist must be an error")
	}
}

func TestForgeriesAreWellFormed(t *testing.T) {
	t.Parallel()
	tok, _ := Parse(sign(t, "secret", gjwt.MapClaims{"sub": "alice", "exp": 4102444800}))
	ck := &cracked{tok: tok, secret: "secret"}
	fams := map[string]int{}
	for _, f := range forgeries(tok, ck, nil, 1700000000) {
		fams[f.family]++
		if f.raw == tok.Raw {
			t.Errorf("%s forgery equals the original token", f.family)
		}
		switch f.family {
		case "signature-not-verified", "blank-secret":
			if _, err := Parse(f.raw); err != nil {
				t.Errorf("%s: %v", f.family, err)
			}
		case "expired-accepted":
			// Really signed with the secret, really expired.
			_, err := gjwt.Parse(f.raw, func(*gjwt.Token) (any, error) { return []byte("secret"), nil })
			if err == nil || !strings.Contains(err.Error(), "expired") {
				t.Errorf("expired forgery: %v", err)
			}
		}
	}
	if fams["alg-none"] != 8 || fams["signature-not-verified"] != 1 || fams["null-signature"] != 1 || fams["blank-secret"] != 1 || fams["expired-accepted"] != 1 {
		t.Errorf("families: %v", fams)
	}
}

func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob("testdata/tokens/*")
	if err != nil || len(seeds) == 0 {
		f.Fatal("no seed tokens in testdata/tokens")
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(strings.TrimSpace(string(b)))
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := Parse(raw)
		if err != nil {
			return
		}
		_ = claimProblems(tok)
		_ = safeClaims(tok)
		_, _ = Crack(tok, []string{"secret"})
		_ = forgeries(tok, nil, nil, 0)
	})
}

func BenchmarkCrackBuiltin(b *testing.B) {
	tok, _ := Parse(sign(b, "not-in-the-list-at-all", gjwt.MapClaims{"sub": "alice", "iat": 1}))
	list := BuiltinSecrets()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Crack(tok, list); ok {
			b.Fatal("cracked")
		}
	}
}

func FuzzKeyDocument(f *testing.F) {
	seeds, err := filepath.Glob("testdata/jwks/*")
	if err != nil || len(seeds) == 0 {
		f.Fatal("no seed documents in testdata/jwks")
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	tok := &Token{Header: map[string]any{"alg": "RS256", "kid": "k1"}}
	f.Fuzz(func(t *testing.T, body []byte) {
		_, keys := keyDocument(body, tok)
		if len(keys) > 4*maxConfusionKeys {
			t.Fatalf("%d key encodings, bound is %d", len(keys), 4*maxConfusionKeys)
		}
	})
}
