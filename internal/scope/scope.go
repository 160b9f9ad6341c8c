// Package scope decides which operations of an API a scan may send: GET
// and HEAD operations whose names say they change state are writes (the
// state-changing rule pack), and the user's --include/--exclude patterns
// narrow the rest. The engine applies the decision in one place — the API
// model the checks read and a guard on the network client — so no check
// can send what the scope refuses.
package scope

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/plumbsec/plumb/internal/rules"
	"github.com/plumbsec/plumb/internal/spec"
)

// statePack is the rule pack that says a GET changes state.
const statePack = "state-changing"

var loadPack = sync.OnceValues(func() (*rules.Pack, error) { return rules.Load(statePack) })

// StateChanging reports whether op changes state and why: any method but
// GET, HEAD, OPTIONS and TRACE by its method, a GET or HEAD when its names
// say so (e.g. `path word "reset"`).
func StateChanging(op spec.Operation) (string, bool) {
	switch op.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions, http.MethodTrace:
		return "", false
	default:
		return "method " + op.Method, true
	}
	p, err := loadPack()
	if err != nil {
		// The pack is embedded and tested; should it ever fail, refusing
		// every GET (and saying why in coverage) is the harmless choice.
		return fmt.Sprintf("the %s rule pack did not load: %v", statePack, err), true
	}
	text := rules.Operation{Path: op.Path, OperationID: op.OperationID, Summary: op.Summary, Tags: op.Tags}
	for _, r := range p.Rules {
		if where, ok := r.MatchOperation(text); ok {
			return fmt.Sprintf("its name says it %s (%s)", r.Title, where), true
		}
	}
	return "", false
}

// Pattern is one --include or --exclude entry: an optional method and a
// glob over path templates, e.g. "GET /admin/*" or "/internal/**". In
// the glob * matches any run of characters (slashes too) and ? one.
type Pattern struct {
	Method string // upper case; "" for any method
	Glob   string
	raw    string
}

// ParsePattern reads "METHOD PATH" or "PATH".
func ParsePattern(s string) (Pattern, error) {
	f := strings.Fields(s)
	var p Pattern
	switch len(f) {
	case 1:
		p.Glob = f[0]
	case 2:
		p.Method, p.Glob = strings.ToUpper(f[0]), f[1]
		if p.Method == "*" {
			p.Method = ""
		}
		if p.Method != "" && !validMethod(p.Method) {
			return Pattern{}, fmt.Errorf("pattern %q: %q is not an HTTP method", s, f[0])
		}
	default:
		return Pattern{}, fmt.Errorf("pattern %q: want 'METHOD /path' or '/path' (globs allowed: /admin/*)", s)
	}
	if !strings.HasPrefix(p.Glob, "/") && !strings.HasPrefix(p.Glob, "*") {
		return Pattern{}, fmt.Errorf("pattern %q: the path must start with / (or *)", s)
	}
	p.raw = strings.Join(f, " ")
	return p, nil
}

// ParsePatterns reads a list of patterns; a malformed one is the error.
func ParsePatterns(raw []string) ([]Pattern, error) {
	var out []Pattern
	for _, s := range raw {
		p, err := ParsePattern(s)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func validMethod(m string) bool {
	for _, r := range m {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return m != ""
}

// String is the pattern as the user wrote it (whitespace normalized).
func (p Pattern) String() string { return p.raw }

// MatchOp reports whether the pattern covers op.
func (p Pattern) MatchOp(op spec.Operation) bool {
	return p.matchMethod(op.Method) && glob(p.Glob, op.Path)
}

// matchMethod: a GET pattern also covers HEAD, which most frameworks
// route to the GET handler.
func (p Pattern) matchMethod(m string) bool {
	return p.Method == "" || p.Method == m || (p.Method == http.MethodGet && m == http.MethodHead)
}

// glob matches s against a pattern where * is any run and ? one byte.
func glob(pat, s string) bool {
	// Iterative matcher with backtracking to the last star: linear in
	// practice and never exponential.
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(pat) && (pat[pi] == '?' || pat[pi] == s[si]):
			pi++
			si++
		case pi < len(pat) && pat[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pat) && pat[pi] == '*' {
		pi++
	}
	return pi == len(pat)
}
