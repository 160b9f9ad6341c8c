package lab

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/graphql"
)

// gqlLab serves one lab GraphQL server over httptest (the server itself
// is under test here; scans go through the lab world and netx).
func gqlLab(t *testing.T, f GraphQLFlaws) (*httptest.Server, map[string]string, *graphqlServer) {
	t.Helper()
	j := jwtIssuer{secret: []byte("test-secret"), issuer: "https://gql.test"}
	g, err := newGraphQLServer(f, graphqlAuth(j), "https://avatars.gql.test")
	if err != nil {
		t.Fatal(err)
	}
	toks := map[string]string{}
	for _, u := range []string{"alice", "bob"} {
		if toks[u], err = j.issue(u, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv, toks, g
}

func gqlPost(t *testing.T, srv *httptest.Server, token, body, ctype string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func gqlQuery(t *testing.T, srv *httptest.Server, token, q string) (int, string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"query": q})
	return gqlPost(t, srv, token, string(b), "application/json")
}

func gqlGet(t *testing.T, srv *httptest.Server, q string) (int, string) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + "?query=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestLabGraphQLFlawsAndTwin(t *testing.T) {
	t.Parallel()
	vuln, vt, vg := gqlLab(t, AllGraphQLFlaws())
	clean, ct, cg := gqlLab(t, GraphQLFlaws{})
	deep := `query{book(id:"1"){author{latestBook{author{latestBook{author{latestBook{author{latestBook{author{latestBook{title}}}}}}}}}}}}`
	aliases := "query{" + strings.Repeat("", 0)
	for i := range 20 {
		aliases += " a" + string(rune('a'+i)) + ":__typename"
	}
	aliases += "}"
	tests := []struct {
		name       string
		do         func(*httptest.Server, map[string]string) (int, string)
		vuln, twin string // substrings of the answers
	}{
		{"introspection", func(s *httptest.Server, tk map[string]string) (int, string) {
			return gqlQuery(t, s, "", graphql.IntrospectionQuery)
		}, `"queryType":{"name":"Query"}`, "introspection disabled"},
		{"suggestions", func(s *httptest.Server, tk map[string]string) (int, string) { return gqlQuery(t, s, "", "query{usr}") },
			`Did you mean \"user\"`, `Cannot query field \"usr\" on type \"Query\".","`},
		{"anonymous users", func(s *httptest.Server, tk map[string]string) (int, string) {
			return gqlQuery(t, s, "", "query{users{username email}}")
		},
			`"email":"bob@vulnshop.test"`, "UNAUTHENTICATED"},
		{"bola", func(s *httptest.Server, tk map[string]string) (int, string) {
			return gqlQuery(t, s, tk["bob"], `query{order(id:"101"){id total user{username}}}`)
		}, `"username":"alice"`, "FORBIDDEN"},
		{"own order", func(s *httptest.Server, tk map[string]string) (int, string) {
			return gqlQuery(t, s, tk["alice"], `query{order(id:"101"){id user{username}}}`)
		}, `"username":"alice"`, `"username":"alice"`},
		{"depth", func(s *httptest.Server, tk map[string]string) (int, string) { return gqlQuery(t, s, "", deep) },
			`"title":"The Go Programming Language"`, "the limit is 8"},
		{"aliases", func(s *httptest.Server, tk map[string]string) (int, string) { return gqlQuery(t, s, "", aliases) },
			`"at":"Query"`, "the limit is 15"},
		{"array batch", func(s *httptest.Server, tk map[string]string) (int, string) {
			return gqlPost(t, s, "", `[{"query":"{__typename}"},{"query":"{__typename}"}]`, "application/json")
		}, `[{"data":{"__typename":"Query"}`, "batching is disabled"},
		{"get query", func(s *httptest.Server, tk map[string]string) (int, string) { return gqlGet(t, s, "query{__typename}") },
			`{"data":{"__typename":"Query"}`, "Cross-Site Request Forgery"},
		{"form post", func(s *httptest.Server, tk map[string]string) (int, string) {
			return gqlPost(t, s, "", "query="+url.QueryEscape("{__typename}"), "application/x-www-form-urlencoded")
		}, `"__typename":"Query"`, "application/json"},
		{"syntax", func(s *httptest.Server, tk map[string]string) (int, string) {
			return gqlQuery(t, s, "", graphql.SyntaxProbe)
		},
			`Syntax Error: Unexpected Name \"queryy\".","extensions":{"code":"GRAPHQL_PARSE_FAILED","exception":{"stacktrace"`, `"message":"Unexpected Name \"queryy\"","extensions":{"code":"GRAPHQL_PARSE_FAILED"}}`},
		{"tracing", func(s *httptest.Server, tk map[string]string) (int, string) {
			return gqlQuery(t, s, "", "query{books{title}}")
		},
			`"execution":{"resolvers":[{"path":["books"]`, `"data":{"books":[{"title":"The Go Programming Language"}`},
		{"anonymous write", func(s *httptest.Server, tk map[string]string) (int, string) {
			return gqlQuery(t, s, "", `mutation{cancelOrder(id:"201"){id status}}`)
		}, `"status":"CANCELLED"`, "UNAUTHENTICATED"},
	}
	for _, tt := range tests {
		if _, got := tt.do(vuln, vt); !strings.Contains(got, tt.vuln) {
			t.Errorf("%s: vulnerable answer %s lacks %s", tt.name, got, tt.vuln)
		}
		if _, got := tt.do(clean, ct); !strings.Contains(got, tt.twin) {
			t.Errorf("%s: clean answer %s lacks %s", tt.name, got, tt.twin)
		}
	}
	// Mutations over GET: both servers see the document; only the flawed one runs it.
	if st, got := gqlGet(t, vuln, "mutation{__typename}"); st != 200 || !strings.Contains(got, `"__typename":"Mutation"`) {
		t.Errorf("vulnerable mutation over GET: %d %s", st, got)
	}
	if st, got := gqlGet(t, clean, "mutation{__typename}"); st != 405 && st != 400 {
		t.Errorf("clean mutation over GET: %d %s", st, got)
	}
	recs := vg.log.Records()
	if len(recs) == 0 || recs[len(recs)-1].Operation != "mutation" || !recs[len(recs)-1].Executed {
		t.Errorf("the log missed the mutation: %+v", recs)
	}
	for _, r := range cg.log.Records() {
		if r.Operation == "mutation" && r.Executed && r.HTTPMethod == http.MethodGet {
			t.Errorf("clean twin ran a mutation over GET: %+v", r)
		}
	}
}

// The introspection answer of the lab round-trips through plumb's
// introspection reader into the same schema.
func TestLabIntrospectionRoundTrip(t *testing.T) {
	t.Parallel()
	srv, _, g := gqlLab(t, AllGraphQLFlaws())
	_, body := gqlQuery(t, srv, "", graphql.IntrospectionQuery)
	s, err := graphql.FromIntrospection([]byte(body))
	if err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	for name, def := range g.schema.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		got := s.Types[name]
		if got == nil || got.Kind != def.Kind || len(got.Fields) != len(def.Fields) {
			t.Errorf("type %s: got %+v", name, got)
		}
	}
	if s.Query == nil || s.Query.Name != "Query" || s.Mutation == nil || s.Mutation.Fields.ForName("cancelOrder") == nil {
		t.Errorf("roots: %+v %+v", s.Query, s.Mutation)
	}
	if !strings.Contains(strings.Join(s.Descriptions, "\n"), "https://docs.vulnshop.test/graphql") {
		t.Errorf("descriptions: %q", s.Descriptions)
	}
}
