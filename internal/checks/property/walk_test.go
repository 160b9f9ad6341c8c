package property

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// hitsIn runs the check's analysis on one body: the sensitive property
// paths found (collection-only rules applied).
func hitsIn(t testing.TB, body []byte) []string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	rs, err := keyRules()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	walk(v, "", false, func(path string, _ map[string]any, key string, val any, inList bool) {
		if r := classify(rs, key, val); r != nil && (!r.CollectionOnly || inList) {
			out = append(out, path+"="+r.ID)
		}
	})
	return out
}

func TestSensitiveSamples(t *testing.T) {
	t.Parallel()
	for name, want := range map[string][]string{
		"admin_users.json":   {"users[].api_key=api-key", "users[].is_admin=privilege", "users[].password_hash=password-hash"},
		"account_clean.json": nil, // own role outside a collection, token_type, password_changed_at: all benign
		"nested.json":        {"[].a.b.c.accessToken=token"},
	} {
		b, err := os.ReadFile(filepath.Join("testdata/responses", name))
		if err != nil {
			t.Fatal(err)
		}
		got := hitsIn(t, b)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
}

// Response bodies are untrusted: the walk never panics and is bounded.
func FuzzSensitiveWalk(f *testing.F) {
	files, _ := filepath.Glob("testdata/responses/*.json")
	if len(files) == 0 {
		f.Fatal("no seeds in testdata/responses: the corpus went missing")
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) { _ = hitsIn(t, body) })
}
