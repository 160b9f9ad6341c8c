package scope

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"

	"github.com/plumbsec/plumb/internal/spec"
)

// Policy is what the user asked for: whether writes are allowed and which
// operations to include or exclude.
type Policy struct {
	AllowWrites bool
	Include     []Pattern // when set, only matching operations are sent
	Exclude     []Pattern // matching operations and paths are never sent
}

// Plan is a Policy applied to one API.
type Plan struct {
	// Read is the model the read-only checks see: the API without
	// excluded, not-included and state-changing operations. Write is the
	// model of the write phase: state-changing GETs are back in it when
	// writes are allowed. Both are nil when the API is.
	Read, Write *spec.API
	// Skipped says, per operation ("METHOD /path"), why the plan keeps it
	// from the checks, in words that match the mode.
	Skipped map[string]string
	// Refusals counts the operations that are never sent (by reason kind),
	// for the report's notes.
	StateChanging, Excluded, NotIncluded int

	policy  Policy
	base    string    // the API's base path (/api/v1), so globs on templates also match URLs
	blocked []blocked // paths the guard refuses, with the methods
	writes  atomic.Bool
}

// blocked is one path template the guard refuses to send to.
type blocked struct {
	re      *regexp.Regexp
	methods map[string]bool // nil: every method
	why     string
	user    bool // an --exclude entry (it holds in the write phase too)
}

// Apply decides, for every operation of api, whether the checks may see
// it. basePath is the path operations are relative to (the target's and
// the spec server's, e.g. /api/v1). api may be nil (no document): then
// only --exclude globs apply, by the guard.
func (p Policy) Apply(api *spec.API, basePath string) *Plan {
	pl := &Plan{policy: p, Skipped: map[string]string{}, base: strings.TrimSuffix(basePath, "/")}
	if api == nil {
		return pl
	}
	var read, write []spec.Operation
	for _, op := range api.Operations {
		k := op.Method + " " + op.Path
		if pat, ok := p.excluded(op); ok {
			pl.Excluded++
			pl.Skipped[k] = fmt.Sprintf("excluded by --exclude %q", pat)
			pl.block(op.Path, methodsOf(pat), "excluded by --exclude "+pat.String(), true)
			continue
		}
		if !p.included(op) {
			pl.NotIncluded++
			pl.Skipped[k] = "not matched by --include"
			continue
		}
		if why, ok := StateChanging(op); ok && (op.Method == http.MethodGet || op.Method == http.MethodHead) {
			pl.StateChanging++
			if p.AllowWrites {
				pl.Skipped[k] = "changes state: " + why + "; no write probe applies to it"
				write = append(write, op)
			} else {
				pl.Skipped[k] = "changes state: " + why + "; a read-only scan never sends it (--allow-writes lifts this)"
			}
			// Every method: HEAD and OPTIONS reach the same handler in
			// many frameworks.
			pl.block(op.Path, nil, fmt.Sprintf("%s %s changes state: %s", op.Method, op.Path, why), false)
			continue
		}
		read = append(read, op)
		write = append(write, op)
	}
	pl.Read, pl.Write = api.WithOperations(read), api.WithOperations(write)
	return pl
}

func (p Policy) excluded(op spec.Operation) (Pattern, bool) {
	for _, pat := range p.Exclude {
		if pat.MatchOp(op) {
			return pat, true
		}
	}
	return Pattern{}, false
}

func (p Policy) included(op spec.Operation) bool {
	if len(p.Include) == 0 {
		return true
	}
	for _, pat := range p.Include {
		if pat.MatchOp(op) {
			return true
		}
	}
	return false
}

func methodsOf(p Pattern) map[string]bool {
	if p.Method == "" {
		return nil
	}
	m := map[string]bool{p.Method: true}
	if p.Method == http.MethodGet {
		m[http.MethodHead] = true
	}
	return m
}

// block adds a template to the guard: a URL path matches when it ends
// with the template's segments ({param} is one segment). A template of
// parameters only must match the whole path, or it would refuse every
// URL of the same depth anywhere.
func (pl *Plan) block(tmpl string, methods map[string]bool, why string, user bool) {
	var b strings.Builder
	literal := false
	for _, seg := range strings.Split(strings.Trim(tmpl, "/"), "/") {
		b.WriteString("/")
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") && strings.Count(seg, "{") == 1 {
			b.WriteString("[^/]+")
			continue
		}
		literal = literal || seg != ""
		b.WriteString(templateSegment(seg))
	}
	prefix := "^(?:/.*)?"
	if !literal {
		prefix = "^"
	}
	re, err := regexp.Compile(prefix + b.String() + "/?$")
	if err != nil {
		return // unreachable: every literal is quoted
	}
	pl.blocked = append(pl.blocked, blocked{re: re, methods: methods, why: why, user: user})
}

// templateSegment quotes a segment's literal parts; embedded {params}
// (/{name}:cancel, /file.{ext}) match any run without a slash.
func templateSegment(seg string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(seg, '{')
		j := strings.IndexByte(seg, '}')
		if i < 0 || j < i {
			b.WriteString(regexp.QuoteMeta(seg))
			return b.String()
		}
		b.WriteString(regexp.QuoteMeta(seg[:i]))
		b.WriteString("[^/]*")
		seg = seg[j+1:]
	}
}

// EnterWrites lets the guard send state-changing GETs from now on, when
// the policy allows writes: the engine calls it before the write phase,
// so read-only checks can never trigger them.
func (pl *Plan) EnterWrites() { pl.writes.Store(pl.policy.AllowWrites) }

// Refuse is the netx guard of the plan: "" allows the request, anything
// else says why it is not sent.
func (pl *Plan) Refuse(method string, u *url.URL) string {
	path := u.EscapedPath()
	if up, err := url.PathUnescape(path); err == nil {
		path = up
	}
	if path == "" {
		path = "/"
	}
	rel := path
	if pl.base != "" && strings.HasPrefix(path, pl.base+"/") {
		rel = strings.TrimPrefix(path, pl.base)
	}
	for _, pat := range pl.policy.Exclude {
		if pat.matchMethod(method) && (glob(pat.Glob, path) || glob(pat.Glob, rel)) {
			return "excluded by --exclude " + pat.String()
		}
	}
	writes := pl.writes.Load()
	for _, b := range pl.blocked {
		if (b.user || !writes) && (b.methods == nil || b.methods[method]) && b.re.MatchString(path) {
			return b.why
		}
	}
	return ""
}
