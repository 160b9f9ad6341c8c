package engine

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestTokenAt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body, path, want, err string
	}{
		{`{"auth_token":"abc.def"}`, "auth_token", "abc.def", ""},
		{`{"data":{"tokens":[{"value":" t1 "}]}}`, "data.tokens.0.value", "t1", ""},
		{`{"access_token":"at","token":"t"}`, "", "at", ""},
		{`{"data":{"token":"dt"}}`, "", "dt", ""},
		{`{"x":1}`, "", "", "give --token-path"},
		{`{"a":{"b":1}}`, "a.b", "", "non-empty string"},
		{`{"a":[1]}`, "a.3", "", "not an index"},
		{`{"a":"s"}`, "a.b", "", "inside a scalar"},
		{`{"a":1}`, "b", "", `no "b"`},
		{`<html>`, "a", "", "not JSON"},
	} {
		got, err := TokenAt([]byte(tc.body), tc.path)
		if got != tc.want || (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("TokenAt(%s, %q) = %q, %v; want %q, %q", tc.body, tc.path, got, err, tc.want, tc.err)
		}
	}
}

func TestLoginSecretsCoverPasswords(t *testing.T) {
	t.Parallel()
	json := loginSecrets(&Login{Body: []byte(`{"username":"alice","password":"s3cret-pw"}`)})
	form := loginSecrets(&Login{Form: true, Body: []byte(`user=bob&pass=hunter2%21`)})
	if !slices.Contains(json, "s3cret-pw") || !slices.Contains(form, "hunter2!") {
		t.Errorf("secrets: %q %q", json, form)
	}
	// Who logs in is not a secret: the report names the identity.
	if slices.Contains(json, "alice") || slices.Contains(form, "bob") {
		t.Errorf("user names redacted: %q %q", json, form)
	}
}

// The login answer is untrusted: TokenAt never panics, whatever the
// body and path.
func FuzzTokenAt(f *testing.F) {
	files, _ := filepath.Glob("testdata/login/*.json")
	if len(files) == 0 {
		f.Fatal("no seeds in testdata/login: the corpus went missing")
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "auth_token")
		f.Add(b, "data.tokens.0.value")
		f.Add(b, "")
	}
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		tok, err := TokenAt(body, path)
		if err == nil && strings.TrimSpace(tok) == "" {
			t.Fatal("empty token without an error")
		}
	})
}
