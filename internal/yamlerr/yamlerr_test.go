package yamlerr

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

type entry struct {
	ID      string        `yaml:"id"`
	Reason  string        `yaml:"reason"`
	Expires string        `yaml:"expires,omitempty"`
	Every   time.Duration `yaml:"every"`
	Skip    string        `yaml:"-"`
}

type doc struct {
	Version int      `yaml:"version"`
	Strict  bool     `yaml:"strict"`
	Ratio   float64  `yaml:"ratio"`
	Tags    []string `yaml:"tags"`
	Entries []entry  `yaml:"entries"`
}

// goTypeRE finds what must never reach a user: Go type names.
var goTypeRE = regexp.MustCompile(`yamlerr\.|\[\]|\bint\b|\bfloat64\b|!!|unmarshal|type `)

func TestDecodeStrictSpeaksTheUsersTerms(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"unknown field", "version: 1\nentries:\n  - id: a\n    bogus: 1\n",
			`.plumb.yaml line 4: unknown field "bogus" (known: id, reason, expires, every)`},
		{"unknown top-level field", "verzion: 1\n", `.plumb.yaml line 1: unknown field "verzion" (known: version, strict, ratio, tags, entries)`},
		{"text for a number", "version: one\n", `.plumb.yaml line 1: want a whole number, got "one"`},
		{"mapping for a list", "entries:\n  id: a\n", ".plumb.yaml line 2: want a list, got a mapping (key: value)"},
		{"list for text", "entries:\n  - id: [a]\n", ".plumb.yaml line 2: want text, got a list"},
		{"bad bool", "strict: maybe\n", `.plumb.yaml line 1: want true or false, got "maybe"`},
		{"bad duration", "entries:\n  - every: soon\n", `.plumb.yaml line 2: want a duration (e.g. 30s, 5m), got "soon"`},
		{"key twice", "version: 1\nversion: 2\n", `.plumb.yaml line 2: "version" is set twice (first on line 1)`},
		{"several", "version: x\nstrict: maybe\n", `.plumb.yaml line 1: want a whole number, got "x"; line 2: want true or false, got "maybe"`},
		{"two documents", "version: 1\n---\nversion: 2\n", ".plumb.yaml: more than one YAML document (a second one starts with ---)"},
		// yaml.v3 says "line 1" for these (0-based): the list opened on line 2.
		{"unclosed list", "version: 1\ntags: [a,\n  b: c\nratio: 1\n", ".plumb.yaml line 2: did not find expected ',' or ']'"},
		{"bad indent", "version: 1\ntags:\n  - a\n - b\n", ".plumb.yaml line 4: did not find expected key"},
		// A scanner error: yaml.v3's line is right already.
		{"mapping in a value", "version: 1\n  strict: true\n", ".plumb.yaml line 2: mapping values are not allowed in this context"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var d doc
			err := DecodeStrict(".plumb.yaml", []byte(c.src), &d)
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if err.Error() != c.want {
				t.Errorf("got  %q\nwant %q", err, c.want)
			}
			if m := goTypeRE.FindString(err.Error()); m != "" {
				t.Errorf("%q speaks Go (%q)", err, m)
			}
			var ye *Error
			if !errors.As(err, &ye) {
				t.Errorf("%T, want *Error", err)
			}
		})
	}
	var d doc
	if err := DecodeStrict("empty.yaml", nil, &d); err != nil {
		t.Errorf("empty document: %v", err)
	}
	if err := DecodeStrict("ok.yaml", []byte("version: 1\nentries:\n  - id: a\n    every: 5m\n"), &d); err != nil || d.Entries[0].Every != 5*time.Minute {
		t.Errorf("valid document: %v %+v", err, d)
	}
}

// Explain on a node's Decode (no KnownFields) and without a file name.
func TestExplainNodeDecode(t *testing.T) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("a: 1\nb: [x]\n"), &n); err != nil {
		t.Fatal(err)
	}
	var s string
	err := Explain("", &s, n.Content[0].Content[3].Decode(&s))
	if err == nil || err.Error() != "line 2: want text, got a list" {
		t.Errorf("got %v", err)
	}
}

// Every strict YAML decode of plumb goes through this package, so every
// config error reads the same way.
func TestNoOtherStrictDecoder(t *testing.T) {
	root := ".."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.Contains(path, "yamlerr") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(src), ".KnownFields(true)") {
			t.Errorf("%s decodes YAML strictly itself: use yamlerr.DecodeStrict", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
