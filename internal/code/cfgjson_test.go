package code

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// jsonCases are documents at the edges of the grammar: what encoding/json's
// token stream accepts, refuses and where it stops.
var jsonCases = []string{
	`{"a": 1, "b": [true, false, null, "x"], "c": {"d": -1.5e+3}}`, `[1,]`, `{"a":1,}`, `[1 2]`, `{"a" 1}`, `{"a":}`, `{,}`, `[,1]`,
	`{"a":1 "b":2}`, `1 2 "three"`, `{"a": [1, 2`, `{"a": "unterminated`, `[01]`, `[1.]`, `[1.x]`, `[-]`, `[1e]`, `[1e+]`, `[1E-7]`,
	`[tru]`, `[truex]`, `[nullx]`, `[1x]`, `]`, `}`, `:`, `,`, `"\u00e9\ud83d\ude00\ud83d\u0041\/\b\f\n\r\t\\\""`, `"\ud83d"`,
	`"\uZZZZ"`, `"\q"`, "\"a\x01b\"", "\"\xff\xfe\"", "{\"k\xff\": \"v\"}", "\ufeff{}", "\f[]", `{"a":{"b":{"c":[{"d":"https://x.test"}]}}}`,
	"{\n\"a\":\n\n\"line 4\"}", `{"a": [], "b": {}, "c": [[]], "d": [{}]}`, `{"":""}`, `[-0, 0.0, 1e10, -12.5E-3]`, `{"a":1}}`, `[]]`, ``, `   `,
}

// The scanner reads what encoding/json's Decoder.Token read before it:
// the same entries, and an error exactly when it gave one.
func TestParseJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	docs := append([]string(nil), jsonCases...)
	_ = filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".json" {
			data, _ := os.ReadFile(p)
			docs = append(docs, string(data))
		}
		return nil
	})
	deep := ""
	for range maxNesting + 5 {
		deep += "["
	}
	docs = append(docs, deep+"1")
	for _, d := range docs {
		compareJSON(t, []byte(d))
	}
}

func compareJSON(t *testing.T, data []byte) {
	t.Helper()
	got, gerr := parseJSON(data)
	want, werr := parseJSONRef(data)
	if (gerr == nil) != (werr == nil) {
		t.Errorf("%q: error %v, encoding/json %v", data, gerr, werr)
	}
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%q:\n got  %+v\n want %+v", data, got, want)
	}
}

func FuzzJSONMatchesEncodingJSON(f *testing.F) {
	for _, d := range jsonCases {
		f.Add([]byte(d))
	}
	f.Fuzz(func(t *testing.T, data []byte) { compareJSON(t, data) })
}
