package graphql

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sync"
)

// SyntaxProbe is a document with a misspelt keyword: every engine rejects
// it, each in its own words.
const SyntaxProbe = "queryy{__typename}"

// Probe names the request an engine rule reads.
type Probe string

// Probes.
const (
	ProbeTypename Probe = "typename" // the answer to Typename
	ProbeSyntax   Probe = "syntax"   // the answer to SyntaxProbe
)

//go:embed engines.json
var enginesJSON []byte

// EngineRule recognises one server engine from the answer to one probe.
type EngineRule struct {
	Engine   string `json:"engine"`
	Probe    Probe  `json:"probe"`
	Typename string `json:"typename,omitempty"` // regexp on data.__typename
	Message  string `json:"message,omitempty"`  // regexp on an error message
	Code     string `json:"code,omitempty"`     // regexp on that error's extensions.code
	Samples  struct {
		Match   []string `json:"match"`
		NoMatch []string `json:"nomatch"`
	} `json:"samples"`

	typename, message, code *regexp.Regexp
}

// Matches reports whether an answer to the rule's probe fits the rule.
func (e *EngineRule) Matches(r *Response) bool {
	if e.typename != nil {
		n, ok := r.Typename("")
		return ok && e.typename.MatchString(n)
	}
	for _, er := range r.Errors {
		if e.message != nil && e.message.MatchString(er.Message) && (e.code == nil || e.code.MatchString(er.Code())) {
			return true
		}
	}
	return false
}

var (
	engineOnce  sync.Once
	engineRules []*EngineRule
	engineErr   error
)

// EngineRules returns the embedded fingerprint table, compiled.
func EngineRules() ([]*EngineRule, error) {
	engineOnce.Do(func() { engineRules, engineErr = parseEngines(enginesJSON) })
	return engineRules, engineErr
}

func parseEngines(data []byte) ([]*EngineRule, error) {
	var doc struct {
		Rules []*EngineRule `json:"rules"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("engines.json: %w", err)
	}
	for i, r := range doc.Rules {
		if r.Engine == "" || (r.Probe != ProbeTypename && r.Probe != ProbeSyntax) || (r.Typename == "") == (r.Message == "") {
			return nil, fmt.Errorf("engines.json rule %d (%s): needs an engine, a known probe and one of typename or message", i, r.Engine)
		}
		var err error
		for _, p := range []struct {
			src string
			dst **regexp.Regexp
		}{{r.Typename, &r.typename}, {r.Message, &r.message}, {r.Code, &r.code}} {
			if p.src == "" {
				continue
			}
			if *p.dst, err = regexp.Compile(p.src); err != nil {
				return nil, fmt.Errorf("engines.json rule %d (%s): %w", i, r.Engine, err)
			}
		}
	}
	return doc.Rules, nil
}

// Identify names the engine behind the answers to the probes (nil answers
// are probes not sent or not answered as GraphQL). ok is false when no
// rule matched.
func Identify(answers map[Probe]*Response) (engine string, rule *EngineRule, ok bool) {
	rules, err := EngineRules()
	if err != nil {
		return "", nil, false
	}
	for _, r := range rules {
		if a := answers[r.Probe]; a != nil && r.Matches(a) {
			return r.Engine, r, true
		}
	}
	return "", nil, false
}
