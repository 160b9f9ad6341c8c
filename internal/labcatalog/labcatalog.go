// Package labcatalog is part of the test kit: the catalog's checks as
// scans of the whole lab run them. Only tests import it (the plumb binary
// must not link it); it is apart from labtest because the catalog imports
// every check, whose own tests import labtest.
package labcatalog

import (
	"github.com/plumbsec/plumb/internal/catalog"
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/jwt"
)

// Checks returns the catalog's checks for scans of the whole lab, with
// the JWT checks' exhaustive keyspaces cut to every secret of up to four
// digits: the full keyspaces (23.5 million HMACs, tens of CPU-seconds
// under the race detector) are proven by internal/checks/jwt's own tests,
// and every scan of a token with a strong secret would pay for them again.
func Checks() []check.Check {
	crack := jwt.CrackOptions{Keyspaces: []jwt.Keyspace{{Name: "every numeric secret of up to 4 digits", Alphabet: "0123456789", MaxLen: 4}}}
	var out []check.Check
	for _, c := range catalog.Checks() {
		switch c.(type) {
		case jwt.WeakSecret:
			c = jwt.WeakSecret{Crack: crack}
		case jwt.Forgery:
			c = jwt.Forgery{Crack: crack}
		}
		out = append(out, c)
	}
	return out
}
