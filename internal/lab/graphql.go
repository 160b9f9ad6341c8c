package lab

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// The lab's GraphQL APIs: vulnshop serves /graphql with every GraphQL
// flaw plumb checks (it answers like Apollo Server in development mode);
// cleanshop serves the same schema without them (it answers like gqlgen
// with introspection and suggestions off). GraphQLFlaws switches each flaw,
// so tests can build twins that differ in one.

var (
	//go:embed specs/graphql/vulnshop.graphql
	vulnGraphQLSchema string
	//go:embed specs/graphql/cleanshop.graphql
	cleanGraphQLSchema string
)

// GraphQLFlaws chooses the flaws of a lab GraphQL server.
type GraphQLFlaws struct {
	Introspection   bool // introspection queries are answered
	Suggestions     bool // validation errors say "Did you mean …"
	AnonymousUsers  bool // query users answers without a credential
	ObjectAccess    bool // user(id) and order(id) serve any object to any signed-in caller
	AnonymousWrites bool // mutation cancelOrder runs without a credential
	NoDepthLimit    bool // no limit on how deeply a query nests
	Batching        bool // unlimited aliases, and JSON arrays of operations
	GetQueries      bool // GET queries answered with no CSRF guard
	MutationOverGet bool // mutations accepted over GET
	FormPost        bool // form-encoded POST bodies accepted (no CORS preflight)
	StackTraces     bool // errors carry stack traces
	Tracing         bool // answers carry resolver tracing
	SensitiveFields bool // User exposes passwordHash and apiToken
}

// AllGraphQLFlaws is vulnshop's configuration.
func AllGraphQLFlaws() GraphQLFlaws {
	return GraphQLFlaws{true, true, true, true, true, true, true, true, true, true, true, true, true}
}

// Limits of the clean server.
const (
	gqlMaxDepth   = 8
	gqlMaxAliases = 15
)

// GraphQLRecord is one GraphQL document a lab server received.
type GraphQLRecord struct {
	HTTPMethod string
	Operation  string   // query, mutation, subscription; "" when it did not parse
	Fields     []string // the root fields selected (names, not aliases)
	Executed   bool     // validation passed and the operation ran
}

// GraphQLLog records every document a lab GraphQL server received, so
// tests can prove what a scan sent (no mutation without --allow-writes).
type GraphQLLog struct {
	mu   sync.Mutex
	recs []GraphQLRecord
}

func (l *GraphQLLog) add(r GraphQLRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.recs) < 100000 {
		l.recs = append(l.recs, r)
	}
}

// Records returns what was received, oldest first.
func (l *GraphQLLog) Records() []GraphQLRecord {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.recs)
}

// Reset forgets every record.
func (l *GraphQLLog) Reset() {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.recs = nil
	l.mu.Unlock()
}

type graphqlServer struct {
	flaws     GraphQLFlaws
	schema    *ast.Schema
	rules     *rules.Rules
	auth      func(*http.Request) (string, error)
	log       *GraphQLLog
	avatarURL string // base URL of avatar images (answers name it)
}

func newGraphQLServer(f GraphQLFlaws, auth func(*http.Request) (string, error), avatarURL string) (*graphqlServer, error) {
	sdl := cleanGraphQLSchema
	if f.SensitiveFields {
		sdl = vulnGraphQLSchema
	}
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "lab.graphql", Input: sdl})
	if err != nil {
		return nil, fmt.Errorf("lab graphql schema: %w", err)
	}
	rs := rules.NewDefaultRules()
	if !f.Suggestions {
		for _, r := range []core.Rule{rules.FieldsOnCorrectTypeRuleWithoutSuggestions, rules.KnownArgumentNamesRuleWithoutSuggestions,
			rules.KnownTypeNamesRuleWithoutSuggestions, rules.ValuesOfCorrectTypeRuleWithoutSuggestions, rules.ScalarLeafsRuleWithoutSuggestions} {
			rs.ReplaceRule(strings.TrimSuffix(r.Name, "WithoutSuggestions"), r.RuleFunc)
		}
	}
	return &graphqlServer{flaws: f, schema: s, rules: rs, auth: auth, log: &GraphQLLog{}, avatarURL: avatarURL}, nil
}

// gqlParams is one GraphQL-over-HTTP request.
type gqlParams struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

// gqlResult is one GraphQL response, plus the HTTP status it asks for.
type gqlResult struct {
	Data       any            `json:"data,omitempty"`
	Errors     []gqlError     `json:"errors,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
	status     int
	hasData    bool // data was produced (it may be null)
}

func (g *graphqlServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, _ := g.auth(r)
	switch r.Method {
	case http.MethodGet:
		if !g.flaws.GetQueries && r.Header.Get("Apollo-Require-Preflight") == "" {
			g.write(w, g.errorResult(http.StatusBadRequest, "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). "+
				"Send it as a POST with Content-Type: application/json.", "BAD_REQUEST"))
			return
		}
		p := gqlParams{Query: r.URL.Query().Get("query"), OperationName: r.URL.Query().Get("operationName")}
		if v := r.URL.Query().Get("variables"); v != "" {
			_ = json.Unmarshal([]byte(v), &p.Variables)
		}
		g.write(w, g.execute(r.Method, p, user))
	case http.MethodPost:
		g.post(w, r, user)
	default:
		w.Header().Set("Allow", "GET, POST")
		g.write(w, g.errorResult(http.StatusMethodNotAllowed, "GraphQL only supports GET and POST requests.", "BAD_REQUEST"))
	}
}

func (g *graphqlServer) post(w http.ResponseWriter, r *http.Request, user string) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mt == "application/x-www-form-urlencoded" && g.flaws.FormPost:
		if err := r.ParseForm(); err != nil {
			g.write(w, g.errorResult(http.StatusBadRequest, "cannot read the form", "BAD_REQUEST"))
			return
		}
		g.write(w, g.execute(r.Method, gqlParams{Query: r.PostForm.Get("query")}, user))
		return
	case mt != "application/json" && mt != "application/graphql-response+json":
		g.write(w, g.errorResult(http.StatusUnsupportedMediaType, "Send GraphQL requests as application/json.", "BAD_REQUEST"))
		return
	}
	var raw json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		g.write(w, g.errorResult(http.StatusBadRequest, "POST body is not JSON", "BAD_REQUEST"))
		return
	}
	if t := strings.TrimSpace(string(raw)); strings.HasPrefix(t, "[") {
		g.batch(w, r.Method, raw, user)
		return
	}
	var p gqlParams
	if err := json.Unmarshal(raw, &p); err != nil {
		g.write(w, g.errorResult(http.StatusBadRequest, "POST body must be a GraphQL request object", "BAD_REQUEST"))
		return
	}
	g.write(w, g.execute(r.Method, p, user))
}

func (g *graphqlServer) batch(w http.ResponseWriter, method string, raw json.RawMessage, user string) {
	if !g.flaws.Batching {
		g.write(w, g.errorResult(http.StatusBadRequest, "Operation batching is disabled.", "BAD_REQUEST"))
		return
	}
	var ps []gqlParams
	if err := json.Unmarshal(raw, &ps); err != nil || len(ps) == 0 {
		g.write(w, g.errorResult(http.StatusBadRequest, "POST body must be a GraphQL request or a list of them", "BAD_REQUEST"))
		return
	}
	out := make([]gqlResult, 0, len(ps))
	for _, p := range ps {
		out = append(out, g.execute(method, p, user))
	}
	writeGraphQL(w, http.StatusOK, out)
}

func (g *graphqlServer) write(w http.ResponseWriter, res gqlResult) {
	if res.status == 0 {
		res.status = http.StatusOK
	}
	if res.hasData && res.Data == nil {
		// data: null must be written, not left out.
		writeGraphQL(w, res.status, map[string]any{"data": nil, "errors": res.Errors, "extensions": res.Extensions})
		return
	}
	writeGraphQL(w, res.status, res)
}

// writeGraphQL writes compact JSON, as GraphQL servers do.
func writeGraphQL(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "lab: encode json", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// errorResult is a request-level error in the server's style.
func (g *graphqlServer) errorResult(status int, msg, code string) gqlResult {
	return gqlResult{status: status, Errors: []gqlError{g.decorate(gqlError{Message: msg, Extensions: map[string]any{"code": code}}, "GraphQLError")}}
}

// decorate adds what a development-mode server adds to an error: its
// stack trace (vulnshop only).
func (g *graphqlServer) decorate(e gqlError, class string) gqlError {
	if !g.flaws.StackTraces {
		return e
	}
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["exception"] = map[string]any{"stacktrace": []string{
		class + ": " + e.Message,
		"    at validate (/srv/vulnshop/node_modules/graphql/validation/validate.js:107:11)",
		"    at processGraphQLRequest (/srv/vulnshop/node_modules/@apollo/server/dist/cjs/requestPipeline.js:122:38)",
		"    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
	}}
	return e
}

func (g *graphqlServer) execute(method string, p gqlParams, user string) gqlResult {
	rec := GraphQLRecord{HTTPMethod: method}
	defer func() { g.log.add(rec) }()
	if strings.TrimSpace(p.Query) == "" {
		return g.errorResult(http.StatusBadRequest, "GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.", "BAD_REQUEST")
	}
	doc, err := parser.ParseQuery(&ast.Source{Name: "request", Input: p.Query})
	if err != nil {
		return g.parseError(err)
	}
	op := doc.Operations.ForName(p.OperationName)
	if op == nil && p.OperationName == "" && len(doc.Operations) > 0 {
		op = doc.Operations[0]
	}
	if op != nil {
		rec.Operation = string(op.Operation)
		for _, s := range op.SelectionSet {
			if f, ok := s.(*ast.Field); ok {
				rec.Fields = append(rec.Fields, f.Name)
			}
		}
	}
	if method == http.MethodGet && op != nil && op.Operation == ast.Mutation && !g.flaws.MutationOverGet {
		return g.errorResult(http.StatusMethodNotAllowed, "Can only perform a mutation operation from a POST request.", "BAD_REQUEST")
	}
	if errs := g.validate(doc); len(errs) > 0 {
		return gqlResult{status: g.validationStatus(), Errors: errs}
	}
	if op == nil {
		return g.errorResult(http.StatusBadRequest, "Unknown operation named \""+p.OperationName+"\".", "OPERATION_RESOLUTION_FAILURE")
	}
	vars, err := validator.VariableValues(g.schema, op, p.Variables)
	if err != nil {
		return gqlResult{status: http.StatusBadRequest, Errors: []gqlError{g.decorate(gqlError{Message: err.Error(), Extensions: map[string]any{"code": "BAD_USER_INPUT"}}, "GraphQLError")}}
	}
	rec.Executed = true
	return g.run(doc, op, vars, user)
}

func (g *graphqlServer) parseError(err error) gqlResult {
	msg := err.Error()
	var ge *gqlerror.Error
	if errors.As(err, &ge) {
		msg = ge.Message
	}
	status := http.StatusUnprocessableEntity // gqlgen
	if g.flaws.StackTraces {
		// Apollo words parse errors the graphql-js way.
		msg, status = "Syntax Error: "+msg+".", http.StatusBadRequest
	}
	return gqlResult{status: status, Errors: []gqlError{g.decorate(gqlError{Message: msg, Extensions: map[string]any{"code": "GRAPHQL_PARSE_FAILED"}}, "GraphQLError")}}
}

func (g *graphqlServer) validationStatus() int {
	if g.flaws.StackTraces {
		return http.StatusBadRequest
	}
	return http.StatusUnprocessableEntity
}

// validate runs gqlparser's rules plus the server's own limits.
func (g *graphqlServer) validate(doc *ast.QueryDocument) []gqlError {
	var out []gqlError
	add := func(msg, code string) {
		out = append(out, g.decorate(gqlError{Message: msg, Extensions: map[string]any{"code": code}}, "GraphQLError"))
	}
	for _, e := range validator.ValidateWithRules(g.schema, doc, g.rules) {
		add(e.Message, "GRAPHQL_VALIDATION_FAILED")
	}
	if len(out) > 0 {
		return out
	}
	for _, op := range doc.Operations {
		if !g.flaws.Introspection && usesIntrospection(op.SelectionSet, doc.Fragments) {
			add("introspection disabled", "GRAPHQL_VALIDATION_FAILED")
		}
		if d := depth(op.SelectionSet, doc.Fragments, map[string]bool{}); !g.flaws.NoDepthLimit && d > gqlMaxDepth {
			add(fmt.Sprintf("operation is nested %d levels deep; the limit is %d", d, gqlMaxDepth), "GRAPHQL_VALIDATION_FAILED")
		}
		if n := aliases(op.SelectionSet, doc.Fragments); !g.flaws.Batching && n > gqlMaxAliases {
			add(fmt.Sprintf("operation uses %d aliases; the limit is %d", n, gqlMaxAliases), "GRAPHQL_VALIDATION_FAILED")
		}
	}
	return out
}

func usesIntrospection(sel ast.SelectionSet, frags ast.FragmentDefinitionList) bool {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return true
			}
		case *ast.InlineFragment:
			if usesIntrospection(s.SelectionSet, frags) {
				return true
			}
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil && usesIntrospection(f.SelectionSet, nil) {
				return true
			}
		}
	}
	return false
}

// run executes a validated operation.
func (g *graphqlServer) run(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any, user string) gqlResult {
	start := time.Now()
	x := &execution{schema: g.schema, vars: vars, frags: doc.Fragments, resolve: g.resolver(user, op.Operation)}
	type traced struct {
		Path       []any  `json:"path"`
		ParentType string `json:"parentType"`
		FieldName  string `json:"fieldName"`
		ReturnType string `json:"returnType"`
		Start      int64  `json:"startOffset"`
		Duration   int64  `json:"duration"`
	}
	var trace []traced
	if g.flaws.Tracing {
		x.onField = func(path []any, parent, field, ret string) {
			if len(trace) < 200 {
				trace = append(trace, traced{Path: path, ParentType: parent, FieldName: field, ReturnType: ret, Start: time.Since(start).Nanoseconds(), Duration: 1200})
			}
		}
	}
	data := x.run(op)
	res := gqlResult{hasData: true}
	if data != nil {
		res.Data = data
	}
	for _, e := range x.errs {
		res.Errors = append(res.Errors, g.decorate(e, "GraphQLError"))
	}
	if g.flaws.Tracing {
		end := time.Now()
		res.Extensions = map[string]any{"tracing": map[string]any{
			"version": 1, "startTime": start.UTC().Format(time.RFC3339Nano), "endTime": end.UTC().Format(time.RFC3339Nano),
			"duration": end.Sub(start).Nanoseconds(), "execution": map[string]any{"resolvers": trace},
		}}
	}
	return res
}
