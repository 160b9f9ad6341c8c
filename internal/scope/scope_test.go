package scope

import (
	"net/url"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/spec"
)

func op(method, path string) spec.Operation { return spec.Operation{Method: method, Path: path} }

func TestStateChanging(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		op   spec.Operation
		want bool
	}{
		{op("GET", "/api/v1/admin/reset-db"), true},
		{op("HEAD", "/logout"), true},
		{op("POST", "/books"), true},
		{op("DELETE", "/books/{id}"), true},
		{op("GET", "/datasets"), false},
		{op("GET", "/users/{id}/sent-messages"), false},
		{op("GET", "/settings"), false},
		{op("OPTIONS", "/reset"), false},
		{spec.Operation{Method: "GET", Path: "/x", OperationID: "resetDatabase"}, true},
		{spec.Operation{Method: "GET", Path: "/x", Summary: "Re-create the database"}, true},
		{spec.Operation{Method: "GET", Path: "/x", OperationID: "getImportStatus"}, false},
	} {
		why, got := StateChanging(c.op)
		if got != c.want {
			t.Errorf("%s %s %+v: got %v (%s), want %v", c.op.Method, c.op.Path, c.op, got, why, c.want)
		}
		if got && why == "" {
			t.Errorf("%s %s: no reason", c.op.Method, c.op.Path)
		}
	}
}

func TestParsePattern(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"GET /admin/*", "/admin/*", "* /x", "delete /users/{id}", "*reset*"} {
		if _, err := ParsePattern(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"", "GET", "GET /a /b", "G3T /a", "admin/*"} {
		if _, err := ParsePattern(s); err == nil {
			t.Errorf("%q parsed", s)
		}
	}
}

func TestGlob(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		pat, s string
		want   bool
	}{
		{"/admin/*", "/admin/users/{id}", true},
		{"/admin/*", "/administrator", false},
		{"*reset*", "/api/v1/admin/reset-db", true},
		{"/users/{id}", "/users/{id}", true},
		{"/users/?", "/users/7", true},
		{"/a*b*c", "/aXXbYYc", true},
		{"/a*b*c", "/aXXbYY", false},
		{strings.Repeat("*a", 30), strings.Repeat("a", 100) + "b", false}, // no exponential backtracking
	} {
		if got := glob(c.pat, c.s); got != c.want {
			t.Errorf("glob(%q, %q) = %v", c.pat, c.s, got)
		}
	}
}

func mustPattern(t *testing.T, s string) Pattern {
	t.Helper()
	p, err := ParsePattern(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPlan(t *testing.T) {
	t.Parallel()
	api := &spec.API{Operations: []spec.Operation{
		op("GET", "/books"), op("GET", "/books/{id}"), op("GET", "/admin/reset-db"), op("POST", "/admin/reset-db"),
		op("GET", "/internal/metrics"), op("DELETE", "/books/{id}"), op("GET", "/{tenant}/seed"),
	}}
	pol := Policy{Exclude: []Pattern{mustPattern(t, "GET /internal/*")}}
	pl := pol.Apply(api, "/api/v1")
	keys := func(a *spec.API) string {
		var out []string
		for _, o := range a.Operations {
			out = append(out, o.Method+" "+o.Path)
		}
		return strings.Join(out, ",")
	}
	if got := keys(pl.Read); got != "GET /books,GET /books/{id},POST /admin/reset-db,DELETE /books/{id}" {
		t.Errorf("read model %s", got)
	}
	if pl.StateChanging != 2 || pl.Excluded != 1 {
		t.Errorf("counts %+v", pl)
	}
	if r := pl.Skipped["GET /admin/reset-db"]; !strings.Contains(r, "read-only scan never sends it") || !strings.Contains(r, `path word "reset"`) {
		t.Errorf("reason %q", r)
	}
	refused := func(method, raw string) bool {
		u, _ := url.Parse(raw)
		return pl.Refuse(method, u) != ""
	}
	for _, c := range []struct {
		method, url string
		want        bool
	}{
		{"GET", "https://a.test/api/v1/admin/reset-db", true},
		{"OPTIONS", "https://a.test/api/v1/admin/reset-db/", true},
		{"GET", "https://a.test/api/v0/admin/reset-db", true}, // a version variant is the same handler
		{"GET", "https://a.test/api/v1/admin/reset-db2", false},
		{"GET", "https://a.test/api/v1/acme/seed", true},
		{"GET", "https://a.test/api/v1/x/acme/seed", true}, // suffix match: refusing too much only costs coverage
		{"GET", "https://a.test/api/v1/internal/metrics", true},
		{"HEAD", "https://a.test/api/v1/internal/anything", true}, // --exclude globs apply to URLs too
		{"POST", "https://a.test/api/v1/internal/metrics", false},
		{"GET", "https://a.test/api/v1/books/7", false},
	} {
		if got := refused(c.method, c.url); got != c.want {
			t.Errorf("%s %s refused=%v, want %v", c.method, c.url, got, c.want)
		}
	}

	w := Policy{AllowWrites: true, Exclude: pol.Exclude}.Apply(api, "/api/v1")
	if got := keys(w.Write); !strings.Contains(got, "GET /admin/reset-db") || strings.Contains(keys(w.Read), "GET /admin/reset-db") {
		t.Errorf("writes mode: read %s, write %s", keys(w.Read), got)
	}
	if r := w.Skipped["GET /admin/reset-db"]; strings.Contains(r, "allow-writes") {
		t.Errorf("writes mode says %q", r)
	}
	u, _ := url.Parse("https://a.test/api/v1/admin/reset-db")
	if w.Refuse("GET", u) == "" {
		t.Error("read phase of a writes scan sent a state-changing GET")
	}
	w.EnterWrites()
	if w.Refuse("GET", u) != "" {
		t.Error("write phase refuses a state-changing GET")
	}
	u2, _ := url.Parse("https://a.test/api/v1/internal/metrics")
	if w.Refuse("GET", u2) == "" {
		t.Error("write phase ignores --exclude")
	}

	inc := Policy{Include: []Pattern{mustPattern(t, "/books*")}}.Apply(api, "")
	if got := keys(inc.Read); got != "GET /books,GET /books/{id},DELETE /books/{id}" || inc.NotIncluded != 4 {
		t.Errorf("include: %s (%d not included)", got, inc.NotIncluded)
	}
}
