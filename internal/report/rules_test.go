package report

import (
	"github.com/plumbsec/plumb/internal/checks"
	"github.com/plumbsec/plumb/internal/result"
)

// testRules is the rule lookup the CLI gives renderers, built from the
// checks for the tests of this package.
func testRules(id string) (result.Rule, bool) {
	for _, c := range checks.All() {
		if m := c.Meta(); m.ID == id {
			return result.Rule{ID: m.ID, Title: m.Title, Description: m.Description, Category: m.Category, Severity: m.Severity, OWASP: m.OWASP, CWE: m.CWE}, true
		}
	}
	return result.Rule{}, false
}
