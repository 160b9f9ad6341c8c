package report

import (
	"bytes"
	"testing"

	"github.com/plumbsec/plumb/internal/finding"
)

// A GraphQL location reads the same in every format: the endpoint, the
// operation and its argument.
func TestGraphQLLocationInEveryFormat(t *testing.T) {
	t.Parallel()
	rep := fixture()
	loc := finding.Location{Host: "api.example.test", Method: "POST", Path: "/graphql", GraphQL: "query user", Param: "id"}
	rep.Findings = append(rep.Findings, finding.Finding{
		ID: "bola.graphql-object-level-authorization", Title: "GraphQL query user lets user B read user A's objects",
		Severity: finding.High, Confidence: finding.Confirmed, Category: finding.CatBOLA, Location: loc,
		Fingerprint: finding.ComputeFingerprint("bola.graphql-object-level-authorization", loc),
		Evidence:    finding.Evidence{Summary: "B read A's object."},
	})
	want := map[string]string{
		"json":     `"graphql": "query user"`,
		"sarif":    `"name": "POST /graphql query user(id)"`,
		"junit":    `POST api.example.test/graphql query user(id)`,
		"markdown": "`POST api.example.test/graphql query user(id)`",
		"html":     `POST api.example.test/graphql query user(id)`,
		"table":    `POST api.example.test/graphql query user(id)`,
	}
	for _, f := range Formats() {
		w, ok := want[f.Name]
		if !ok {
			t.Errorf("format %s: no expectation", f.Name)
			continue
		}
		var b bytes.Buffer
		if err := f.New(Options{Width: 200}).Render(&b, rep); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if !bytes.Contains(b.Bytes(), []byte(w)) {
			t.Errorf("%s output lacks %s", f.Name, w)
		}
	}
}
