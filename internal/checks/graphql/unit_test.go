package graphql

import (
	"testing"
)

func TestTraceIn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body, family string
	}{
		{`{"errors":[{"message":"boom","extensions":{"exception":{"stacktrace":["Error: boom","    at resolve (/srv/app/resolvers.js:12:5)"]}}}]}`, "Node.js stack trace"},
		{`{"errors":[{"message":"boom","stack":"Traceback (most recent call last):\n  File \"/app/schema.py\", line 3, in resolve_user"}]}`, "Python traceback"},
		{`{"errors":[{"message":"java.lang.NullPointerException\n\tat com.shop.graphql.UserFetcher.get(UserFetcher.java:42)"}]}`, "Java stack trace"},
		{`{"errors":[{"message":"Cannot query field \"x\" on type \"Query\".","locations":[{"line":1,"column":3}]}]}`, ""},
		// Frames outside errors (data that happens to hold a path) are not traces.
		{`{"data":{"note":"    at home (/srv/notes.js:1:2)"}}`, ""},
	}
	for _, tt := range tests {
		family, _, ok := traceIn([]byte(tt.body))
		if family != tt.family || ok != (tt.family != "") {
			t.Errorf("traceIn(%s) = %q %v, want %q", tt.body, family, ok, tt.family)
		}
	}
}

func TestDebugIn(t *testing.T) {
	t.Parallel()
	if keys, sql := debugIn([]byte(`{"data":{},"extensions":{"tracing":{"version":1},"cacheControl":{"version":1}}}`)); len(keys) != 1 || keys[0] != "tracing" || sql {
		t.Errorf("tracing: %v %v", keys, sql)
	}
	if _, sql := debugIn([]byte(`{"data":{},"extensions":{"debug":[{"sql":"select * from users where id = 1"}]}}`)); !sql {
		t.Error("SQL in a debug extension must raise the severity")
	}
	if keys, _ := debugIn([]byte(`{"data":{},"extensions":{"cost":{"requestedQueryCost":3}}}`)); len(keys) != 0 {
		t.Errorf("cost is not debug data: %v", keys)
	}
}

func TestSensitiveFieldNames(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"password", "passwordHash", "apiToken", "accessToken", "clientSecret", "ssn", "creditCardNumber", "apiKey"} {
		if _, ok := sensitive(name); !ok {
			t.Errorf("%s is sensitive", name)
		}
	}
	for _, name := range []string{"email", "username", "passwordChangedAt", "tokenExpiresAt", "hash", "id", "nationality", "session"} {
		if r, ok := sensitive(name); ok {
			t.Errorf("%s is not sensitive (rule %s)", name, r.ID)
		}
	}
}

func TestCyclePath(t *testing.T) {
	t.Parallel()
	s := mustSchema(t, `type Query { books(first: Int): [Book!]! me: User }
		type User { orders: [Order!]! name: String }
		type Order { user: User! }
		type Book { author: Author! title: String }
		type Author { latestBook: Book! books: [Book!]! }`)
	root, f, ok := cyclePath(s, 12)
	if !ok || root != "books" {
		t.Fatalf("no cycle: %v %s", ok, root)
	}
	doc := render(f)
	want := `books(first:1){author{latestBook{author{latestBook{author{latestBook{author{latestBook{author{latestBook{author{__typename}}}}}}}}}}}}`
	if doc != want {
		t.Errorf("nested query\n got %s\nwant %s", doc, want)
	}
	// A cycle only through an unbounded list is never used.
	s = mustSchema(t, `type Query { me: User } type User { orders: [Order!]! } type Order { user: User! }`)
	if _, _, ok := cyclePath(s, 12); ok {
		t.Error("a cycle through a list without a page argument must not be followed")
	}
}
