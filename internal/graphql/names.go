package graphql

import "regexp"

var nameRE = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)

// ValidName reports whether s is a GraphQL name (spec §2.1.9). Every name
// plumb puts in a document passes this test first, so a hostile schema
// cannot inject syntax.
func ValidName(s string) bool {
	return len(s) <= 128 && nameRE.MatchString(s)
}
