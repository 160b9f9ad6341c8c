package redirect

import (
	"net/url"
	"testing"

	"github.com/plumbsec/plumb/internal/spec"
)

func TestInjectAndMapBack(t *testing.T) {
	t.Parallel()
	params := []string{"next", "return_to", "url"}
	u, err := url.Parse(inject("https://api.shop.io/auth?keep=1", params, nil))
	if err != nil {
		t.Fatal(err)
	}
	if u.Query().Get("keep") != "1" {
		t.Error("existing query lost")
	}
	for _, p := range params {
		loc, err := url.Parse(u.Query().Get(p))
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := probedParam(loc, params); !ok || got != p {
			t.Errorf("Location %s maps to %q, want %q", loc, got, p)
		}
	}
	for _, other := range []string{"https://api.shop.io/home", "https://next.plumb-redirect.evil.test.attacker.io/", "https://unknown.plumb-redirect.evil.test/"} {
		loc, _ := url.Parse(other)
		if p, ok := probedParam(loc, params); ok {
			t.Errorf("%s mapped to %q", other, p)
		}
	}
}

func TestCandidates(t *testing.T) {
	t.Parallel()
	api := &spec.API{Operations: []spec.Operation{
		{Method: "GET", Path: "/books"},
		{Method: "GET", Path: "/files", Params: []spec.Param{{Name: "redirect_url", In: "query"}}},
		{Method: "GET", Path: "/report", Responses: []string{"302"}},
		{Method: "GET", Path: "/sso/login"},
		{Method: "POST", Path: "/logout"},
	}}
	got := map[string]bool{}
	for _, c := range candidates(api) {
		got[c.op.Path] = true
		if len(c.params) < len(commonParams) {
			t.Errorf("%s: %d params", c.op.Path, len(c.params))
		}
	}
	for p, want := range map[string]bool{"/books": false, "/files": true, "/report": true, "/sso/login": true, "/logout": false} {
		if got[p] != want {
			t.Errorf("%s candidate=%v, want %v", p, got[p], want)
		}
	}
}
