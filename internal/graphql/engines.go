package graphql

import (
	"strings"

	"github.com/plumbsec/plumb/internal/rules"
)

// SyntaxProbe is a document with a misspelt keyword: every engine rejects
// it, each in its own words.
const SyntaxProbe = "queryy{__typename}"

// Probe names the request an engine rule reads; it is the rule's tag in
// the graphql-engines pack.
type Probe string

// Probes.
const (
	ProbeTypename Probe = "typename" // the answer to Typename
	ProbeSyntax   Probe = "syntax"   // the answer to SyntaxProbe
)

// enginePack is the internal/rules pack of engine fingerprints.
const enginePack = "graphql-engines"

// EngineTexts turns an answer to a probe into the texts the engine rules
// read: "typename: NAME" for the typename probe; for the syntax probe,
// one text per error, "message: MESSAGE" after "code: CODE" when the
// error has a code.
func EngineTexts(p Probe, r *Response) []string {
	if r == nil {
		return nil
	}
	if p == ProbeTypename {
		if n, ok := r.Typename(""); ok {
			return []string{"typename: " + n}
		}
		return nil
	}
	var out []string
	for _, e := range r.Errors {
		t := "message: " + e.Message
		if c := e.Code(); c != "" {
			t = "code: " + c + "\n" + t
		}
		out = append(out, t)
	}
	return out
}

// Identify names the engine behind the answers to the probes (nil answers
// are probes not sent or not answered as GraphQL), with the id of the rule
// that matched. ok is false when no rule matched.
func Identify(answers map[Probe]*Response) (engine, rule string, ok bool) {
	pack, err := rules.Load(enginePack)
	if err != nil {
		return "", "", false
	}
	texts := map[Probe][]*rules.Text{}
	for p, r := range answers {
		for _, t := range EngineTexts(p, r) {
			texts[p] = append(texts[p], rules.NewText(t))
		}
	}
	for _, r := range pack.Rules {
		for _, p := range []Probe{ProbeTypename, ProbeSyntax} {
			if !r.HasTag(string(p)) {
				continue
			}
			for _, t := range texts[p] {
				if _, ok := r.Find(t); ok {
					return strings.TrimSpace(r.Title), r.ID, true
				}
			}
		}
	}
	return "", "", false
}
