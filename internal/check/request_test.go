package check

import (
	"net/url"
	"testing"

	"github.com/plumbsec/plumb/internal/spec"
)

func TestOperationURL(t *testing.T) {
	t.Parallel()
	target, _ := url.Parse("https://api.example.test")
	api := &spec.API{Servers: []spec.Server{{URL: "https://other.example.test/x"}, {URL: "https://api.example.test/v1/"}}}
	in := &Input{Target: target, API: api}
	tests := []struct {
		name string
		op   spec.Operation
		want string
		ok   bool
	}{
		{"server base path", spec.Operation{Method: "GET", Path: "/users"}, "https://api.example.test/v1/users", true},
		{"path param from example", spec.Operation{Method: "GET", Path: "/users/{id}", Params: []spec.Param{{Name: "id", In: "path", Example: 42}}},
			"https://api.example.test/v1/users/42", true},
		{"integer placeholder", spec.Operation{Method: "GET", Path: "/o/{n}", Params: []spec.Param{{Name: "n", In: "path", Schema: &spec.Schema{Type: "integer"}}}},
			"https://api.example.test/v1/o/1", true},
		{"uuid placeholder escaped", spec.Operation{Method: "GET", Path: "/o/{u}", Params: []spec.Param{{Name: "u", In: "path", Schema: &spec.Schema{Type: "string", Format: "uuid"}}}},
			"https://api.example.test/v1/o/00000000-0000-4000-8000-000000000001", true},
		{"required query from enum", spec.Operation{Method: "GET", Path: "/s", Params: []spec.Param{{Name: "q", In: "query", Required: true, Schema: &spec.Schema{Enum: []any{"a b"}}}}},
			"https://api.example.test/v1/s?q=a+b", true},
		{"optional query left out", spec.Operation{Method: "GET", Path: "/s", Params: []spec.Param{{Name: "q", In: "query"}}},
			"https://api.example.test/v1/s", true},
		{"required header cannot be filled", spec.Operation{Method: "GET", Path: "/s", Params: []spec.Param{{Name: "X-Id", In: "header", Required: true}}},
			"", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := in.OperationURL(tt.op)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("got %q %v, want %q %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestBaseURLKeepsTargetPathAndRelativeServers(t *testing.T) {
	t.Parallel()
	target, _ := url.Parse("https://api.example.test/v1")
	in := &Input{Target: target, API: &spec.API{Servers: []spec.Server{{URL: "https://api.example.test/v1"}}}}
	if got := in.BaseURL().String(); got != "https://api.example.test/v1" {
		t.Errorf("base path must not be doubled: %s", got)
	}
	target2, _ := url.Parse("https://api.example.test")
	in = &Input{Target: target2, API: &spec.API{Servers: []spec.Server{{URL: "/api"}}}}
	if got := in.BaseURL().String(); got != "https://api.example.test/api" {
		t.Errorf("relative server path: %s", got)
	}
}

func TestCoverage(t *testing.T) {
	t.Parallel()
	ops := []spec.Operation{{Method: "GET", Path: "/a"}, {Method: "GET", Path: "/b"}, {Method: "POST", Path: "/c"}, {Method: "GET", Path: "/d"}}
	c := NewCoverage(len(ops))
	c.Requested(ops[0], 401)
	c.Requested(ops[0], 200) // 2xx is the most telling answer
	c.Skip(ops[1], "first reason")
	c.Skip(ops[1], "second reason")
	c.Skip(ops[2], "needs --allow-writes")
	c.Requested(ops[2], 0) // requested after all: no longer skipped
	s := c.Summary(&spec.API{Operations: ops})
	if s.Imported != 4 || s.Requested != 2 || s.Answered2x != 1 || s.Failed != 1 {
		t.Fatalf("counts: %+v", s)
	}
	if len(s.Skipped) != 2 || s.Skipped[0].Reason != "first reason" || s.Skipped[1].Reason != "no check applies" {
		t.Fatalf("skipped: %+v", s.Skipped)
	}
}
