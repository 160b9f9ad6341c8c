package graphql

import (
	"regexp"
	"strings"
)

// Validation messages that leak the schema, in graphql-js / gqlparser
// ("double quotes") and graphql-core ('single quotes') wording. They are
// facts of those libraries; suggest_test.go holds samples of each.
var (
	q              = `["']`
	name           = `([_A-Za-z][_0-9A-Za-z]*)`
	typ            = `(\[*[_A-Za-z][_0-9A-Za-z]*!?\]*!?\]*!?)`
	unknownFieldRE = regexp.MustCompile(`Cannot query field ` + q + name + q + ` on type ` + q + name + q + `\.?(?: Did you mean (.+?)\??$)?`)
	subfieldsRE    = regexp.MustCompile(`Field ` + q + name + q + ` of type ` + q + typ + q + ` must have a (?:selection of subfields|sub selection)`)
	noSubfieldsRE  = regexp.MustCompile(`Field ` + q + name + q + ` must not have a selection since type ` + q + typ + q + ` has no subfields`)
	requiredArgRE  = regexp.MustCompile(`Field ` + q + name + q + ` argument ` + q + name + q + ` of type ` + q + typ + q + ` is required`)
	unknownArgRE   = regexp.MustCompile(`Unknown argument ` + q + name + q + ` on field ` + q + name + `\.` + name + q + `\.?(?: Did you mean (.+?)\??$)?`)
	quotedRE       = regexp.MustCompile(q + name + q)
)

// Fact is one thing a validation message says about the schema.
type Fact struct {
	Kind   FactKind
	Parent string // the type the field belongs to ("" when the message does not say)
	Field  string
	Type   string   // the field's or argument's type, e.g. "[User!]!"
	Arg    string   // the argument, for FactArg
	Names  []string // suggested names, for FactSuggestion
}

// FactKind says what a Fact is.
type FactKind int

// Fact kinds.
const (
	FactSuggestion    FactKind = iota // the server suggested existing names for a guess
	FactObject                        // the field exists and returns an object type
	FactLeaf                          // the field exists and returns a leaf type
	FactArg                           // the field exists and has this (required) argument
	FactArgSuggestion                 // the server suggested argument names
)

// Facts reads one validation message. Suggestions of inline fragments
// ("Did you mean to use an inline fragment on …") are not field names and
// are ignored.
func Facts(msg string) []Fact {
	msg = strings.TrimSpace(msg)
	var out []Fact
	if m := unknownFieldRE.FindStringSubmatch(msg); m != nil && m[3] != "" && !strings.HasPrefix(m[3], "to use an inline fragment") {
		out = append(out, Fact{Kind: FactSuggestion, Parent: m[2], Field: m[1], Names: quoted(m[3])})
	}
	if m := subfieldsRE.FindStringSubmatch(msg); m != nil {
		out = append(out, Fact{Kind: FactObject, Field: m[1], Type: m[2]})
	}
	if m := noSubfieldsRE.FindStringSubmatch(msg); m != nil {
		out = append(out, Fact{Kind: FactLeaf, Field: m[1], Type: m[2]})
	}
	if m := requiredArgRE.FindStringSubmatch(msg); m != nil {
		out = append(out, Fact{Kind: FactArg, Field: m[1], Arg: m[2], Type: m[3]})
	}
	if m := unknownArgRE.FindStringSubmatch(msg); m != nil && m[4] != "" {
		out = append(out, Fact{Kind: FactArgSuggestion, Parent: m[2], Field: m[3], Names: quoted(m[4])})
	}
	return out
}

func quoted(s string) []string {
	var out []string
	for _, m := range quotedRE.FindAllStringSubmatch(s, 16) {
		out = append(out, m[1])
	}
	return out
}

// NamedType strips list and non-null wrappers: "[User!]!" → "User".
func NamedType(t string) string {
	return strings.Trim(t, "[]!")
}

// Words are guesses for field names: the names APIs use most. A guess
// near an existing name draws a suggestion; an exact guess draws no
// "Cannot query field" error at all.
var Words = strings.Fields(`
id name username email password passwordHash token secret apiKey ssn phone address
owner title description status total price amount createdAt role admin
user users me viewer account accounts profile customer customers
order orders item items product products book books post posts comment comments
payment payments invoice invoices card cards transaction transactions cart
node nodes search login session sessions tokens secrets
file files document documents message messages settings config
team teams group groups roles permissions organization project projects
employee employees author authors category
`)
