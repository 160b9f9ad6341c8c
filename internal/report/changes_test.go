package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/result"
)

// A writes scan's changes not undone appear in every format, escaped,
// and a writes scan that undid everything says so.
func TestChangesNotUndoneInEveryFormat(t *testing.T) {
	t.Parallel()
	r := fixture()
	r.Mode = "writes"
	r.ChangesNotUndone = []result.Change{{Check: "bola.object-write", Operation: "POST /api/v1/register",
		Object: "user plumb-1a2b" + evilEvidence, Change: "registered a throw-away account", Reason: "no operation deletes users"}}
	for _, f := range Formats() {
		var buf bytes.Buffer
		if err := f.New(Options{Width: 100}).Render(&buf, r); err != nil {
			t.Fatal(err)
		}
		out := strings.Join(strings.Fields(buf.String()), " ") // the table wraps lines
		if !strings.Contains(out, "plumb-1a2b") || !strings.Contains(out, "no operation deletes users") {
			t.Errorf("%s: the change not undone is missing:\n%s", f.Name, out)
		}
		// JSON and the table are data and plain text; JUnit keeps text in CDATA.
		if f.Name != "json" && f.Name != "table" && f.Name != "junit" && strings.Contains(out, "<script>document.title") {
			t.Errorf("%s: evidence text was not escaped", f.Name)
		}
		if f.Name == "json" {
			var back result.Report
			if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back.ChangesNotUndone) != 1 {
				t.Errorf("json round trip: %v %+v", err, back.ChangesNotUndone)
			}
		}
	}
	r.ChangesNotUndone = nil
	for _, name := range []string{"table", "markdown", "html"} {
		var buf bytes.Buffer
		f, _ := Lookup(name)
		if err := f.New(Options{}).Render(&buf, r); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "undid every change") {
			t.Errorf("%s: a writes scan that undid everything does not say so", name)
		}
	}
}
