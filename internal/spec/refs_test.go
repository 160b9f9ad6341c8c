package spec

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const refSpec = `openapi: 3.0.3
info: {title: refs, version: "1"}
paths:
  /pets:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "REF"}
      responses:
        "200": {description: ok}
`

// TestRefSymlinkCannotLeaveSpecDirectory: a symlink next to the spec (to a
// file or to a directory) that leads outside the spec's directory is
// never read, like a ../ path: the $ref is dropped with a warning that
// names the operation it degrades, the rest of the spec loads, and no
// warning quotes the target's bytes. The reader refuses it on its own too.
func TestRefSymlinkCannotLeaveSpecDirectory(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "api")
	outside := filepath.Join(root, "outside")
	for _, d := range []string{dir, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secret := "root:x:0:0:SECRET-FIRST-LINE:/root:/bin/bash\n"
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(outside, "passwd"), secret)
	write(filepath.Join(outside, "pet.yaml"), "Pet: {type: object, description: SECRET-SCHEMA}\n")
	write(filepath.Join(dir, "inside.yaml"), "Pet: {type: object, properties: {name: {type: string}}}\n")
	for _, l := range [][2]string{
		{filepath.Join(outside, "passwd"), filepath.Join(dir, "passwd.yaml")},
		{outside, filepath.Join(dir, "shared")},
		{filepath.Join(dir, "inside.yaml"), filepath.Join(dir, "alias.yaml")},
	} {
		if err := os.Symlink(l[0], l[1]); err != nil {
			t.Skipf("symlinks unavailable: %v", err)
		}
	}
	for _, ref := range []string{"./passwd.yaml#/Pet", "./shared/pet.yaml#/Pet", "shared/../../outside/pet.yaml#/Pet"} {
		t.Run(ref, func(t *testing.T) {
			p := filepath.Join(dir, "openapi.yaml")
			write(p, strings.Replace(refSpec, "REF", ref, 1))
			api, err := Load(context.Background(), p, LoadOptions{})
			if err != nil {
				t.Fatalf("a ref out of the directory fails the load: %v", err)
			}
			warnings := strings.Join(api.Warnings, "\n")
			if !strings.Contains(warnings, "leaves the spec's directory") || !strings.Contains(warnings, "degrades POST /pets") {
				t.Errorf("warnings = %q, want the ref named as left unread", warnings)
			}
			if strings.Contains(warnings, "SECRET") || strings.Contains(fmt.Sprint(api), "SECRET") {
				t.Errorf("the out-of-bounds file was read: %v", warnings)
			}
			if len(api.Operations) != 1 {
				t.Errorf("operations = %d, want the one operation kept", len(api.Operations))
			}
		})
	}
	// The reader refuses on its own, whatever the sanitizer lets through.
	for _, ref := range []string{"./passwd.yaml", "./shared/pet.yaml", "shared/../../outside/pet.yaml"} {
		root := &url.URL{Path: filepath.ToSlash(filepath.Join(dir, "openapi.yaml"))}
		u := &url.URL{Path: filepath.ToSlash(filepath.Join(dir, ref))}
		if b, err := readLocalRef(root, u, 1<<20); err == nil || !strings.Contains(err.Error(), "leaves the spec's directory") || strings.Contains(string(b), "SECRET") {
			t.Errorf("readLocalRef(%s) = %q, %v; want refused", ref, b, err)
		}
	}
	// A link that stays inside the directory is fine.
	p := filepath.Join(dir, "ok.yaml")
	write(p, strings.Replace(refSpec, "REF", "./alias.yaml#/Pet", 1))
	if _, err := Load(context.Background(), p, LoadOptions{}); err != nil {
		t.Errorf("symlink inside the directory: %v", err)
	}
}

// TestRootRelativeRefFromURL: in a document loaded from a URL, a $ref that
// starts with "/" names a document on the same origin. With remote refs
// allowed it is fetched from there; without, the error says remote refs
// are off (not that only local files work).
func TestRootRelativeRefFromURL(t *testing.T) {
	t.Parallel()
	doc := []byte(strings.Replace(refSpec, "REF", "/schemas/pet.yaml#/Pet", 1))
	var fetched []string
	fetch := func(_ context.Context, u string) ([]byte, error) {
		fetched = append(fetched, u)
		switch u {
		case "https://api.example.com/v1/openapi.yaml":
			return doc, nil
		case "https://api.example.com/schemas/pet.yaml":
			return []byte("Pet: {type: object, properties: {name: {type: string}}}\n"), nil
		}
		return nil, os.ErrNotExist
	}
	api, err := Load(context.Background(), "https://api.example.com/v1/openapi.yaml", LoadOptions{AllowRemoteRefs: true, Fetch: fetch})
	if err != nil {
		t.Fatalf("load: %v (fetched %q)", err, fetched)
	}
	if b := api.Operations[0].RequestBody; b == nil || b.Schema == nil || b.Schema.Properties["name"] == nil {
		t.Errorf("root-relative ref not resolved: %+v", b)
	}
	_, err = Load(context.Background(), "https://api.example.com/v1/openapi.yaml", LoadOptions{Fetch: fetch})
	if err == nil || !strings.Contains(err.Error(), "remote refs are not allowed") || strings.Contains(err.Error(), "only local files") {
		t.Errorf("without --allow-remote-refs: err = %v", err)
	}
}

// A key given twice in one object silently lost the first value; it is a
// warning now, in JSON and YAML, naming the key and the line.
func TestDuplicateKeysWarn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, doc string }{
		{"dup.json", `{"openapi":"3.0.3","info":{"title":"a","title":"b","version":"1"},
"paths":{"/x":{"get":{"responses":{"200":{"description":"ok"}}}},
"/x":{"get":{"responses":{"200":{"description":"again"}}}}}}`},
		{"dup.yaml", "openapi: 3.0.3\ninfo:\n  title: a\n  title: b\n  version: \"1\"\npaths:\n  /x:\n    get:\n      responses: {\"200\": {description: ok}}\n  /x:\n    get:\n      responses: {\"200\": {description: again}}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api, err := Parse(context.Background(), []byte(tc.doc), tc.name, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			w := strings.Join(api.Warnings, "\n")
			for _, want := range []string{`duplicate key "title"`, `duplicate key "/x"`, "line "} {
				if !strings.Contains(w, want) {
					t.Errorf("warnings do not mention %q:\n%s", want, w)
				}
			}
		})
	}
	// Merge keys are not duplicates.
	api, err := Parse(context.Background(), []byte("openapi: 3.0.3\ninfo: {title: a, version: \"1\"}\nx-base: &b {description: ok}\npaths:\n  /x:\n    get:\n      responses:\n        \"200\":\n          <<: *b\n          description: mine\n"), "merge.yaml", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(api.Warnings, "\n"); strings.Contains(w, "duplicate") {
		t.Errorf("merge key read as a duplicate: %s", w)
	}
}
