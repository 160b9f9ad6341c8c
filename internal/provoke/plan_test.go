package provoke

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/spec"
)

func f64(v float64) *float64 { return &v }

// api has nOps GET operations over a few resources, with integer, string,
// enum, uuid and array parameters, and a POST with a JSON body.
func api(nOps int) *spec.API {
	a := &spec.API{}
	resources := []string{"books", "orders", "users", "reports", "search"}
	for i := range nOps {
		r := resources[i%len(resources)]
		op := spec.Operation{Method: http.MethodGet, Path: fmt.Sprintf("/api/v1/%s/{id}/part%d", r, i)}
		op.Params = []spec.Param{
			{Name: "id", In: "path", Required: true, Schema: &spec.Schema{Type: "integer", Minimum: f64(1)}},
			{Name: "q", In: "query", Schema: &spec.Schema{Type: "string"}},
			{Name: "sort", In: "query", Schema: &spec.Schema{Type: "string", Enum: []any{"asc", "desc"}}},
			{Name: "ref", In: "query", Schema: &spec.Schema{Type: "string", Format: "uuid"}},
			{Name: "tags", In: "query", Schema: &spec.Schema{Type: "array", Items: &spec.Schema{Type: "string"}}},
		}
		a.Operations = append(a.Operations, op)
	}
	a.Operations = append(a.Operations, spec.Operation{Method: http.MethodPost, Path: "/api/v1/books",
		RequestBody: &spec.Body{ContentTypes: []string{"application/json"}, Schema: &spec.Schema{Type: "object"}}})
	return a
}

func input(a *spec.API) *check.Input {
	u, _ := url.Parse("https://api.shop.test")
	return &check.Input{Target: u, API: a}
}

func TestPlanBounds(t *testing.T) {
	t.Parallel()
	probes, total := Plan(input(api(40)), MaxPerScan)
	if len(probes) != MaxPerScan || total <= MaxPerScan {
		t.Fatalf("%d probes of %d planned, want the cap %d of more", len(probes), total, MaxPerScan)
	}
	perParam, perOp := map[string]int{}, map[string]int{}
	second := 0
	for i, p := range probes {
		perOp[p.Op.Path]++
		if p.Param != "" {
			perParam[p.Op.Path+" "+p.Param]++
		}
		if p.In == "header" || p.In == "body" {
			second++
		} else if second > 0 {
			t.Errorf("probe %d (%s) is a parameter probe after a second-tier one", i, p.Describe())
		}
		if p.Req.Method != http.MethodGet {
			t.Errorf("read-only scan sent %s %s", p.Req.Method, p.Op.Path)
		}
		if p.In == "path" && (p.Kind == Empty || p.Kind == Object) {
			t.Errorf("path parameter probed as %s", p.Kind)
		}
		for _, bad := range []string{"'", "\"", "<", "../", "%00", "$"} {
			if strings.Contains(p.Value, bad) {
				t.Errorf("value %q is not harmless", p.Value)
			}
		}
	}
	for k, n := range perParam {
		if n > MaxPerParam {
			t.Errorf("%s: %d probes", k, n)
		}
	}
	for k, n := range perOp {
		if n > MaxPerOp {
			t.Errorf("%s: %d probes", k, n)
		}
	}
	if second > MaxSecond {
		t.Errorf("%d second-tier probes", second)
	}
}

// The plan is the same every time, and resources take turns: the first
// probes cover every resource before any repeats.
func TestPlanDeterministicAndSpread(t *testing.T) {
	t.Parallel()
	a, _ := Plan(input(api(40)), 30)
	b, _ := Plan(input(api(40)), 30)
	for i := range a {
		if a[i].Req.URL != b[i].Req.URL {
			t.Fatalf("probe %d differs: %s vs %s", i, a[i].Req.URL, b[i].Req.URL)
		}
	}
	seen := map[string]bool{}
	for _, p := range a[:5] {
		seen[resource(p.Op.Path)] = true
	}
	if len(seen) != 5 {
		t.Errorf("first five probes cover %d resources: %v", len(seen), seen)
	}
	ops := map[string]bool{}
	for _, p := range a {
		ops[p.Op.Path] = true
	}
	if len(ops) < 25 {
		t.Errorf("30 probes reached only %d of 40 operations", len(ops))
	}
}

// Values: an integer gets a wrong type and an overflow, a query string is
// sent as an object, a body is malformed only with --allow-writes.
func TestPlanValues(t *testing.T) {
	t.Parallel()
	a := api(1)
	a.Operations[0].Params = a.Operations[0].Params[:2] // id, q: room for every value of both
	in := input(a)
	probes, _ := Plan(in, MaxPerScan)
	var urls []string
	for _, p := range probes {
		urls = append(urls, p.Describe()+" "+p.Req.URL+"\n")
		if p.In == "body" {
			t.Errorf("body probe without --allow-writes: %s", p.Describe())
		}
	}
	all := strings.Join(urls, "")
	for _, want := range []string{"/part0?", "/api/v1/books/5m/part0", "/api/v1/books/" + outOfRangeValue + "/part0",
		"q%5Bplumb%5D=1", "q=" + longValue, "/part0?q=\n", "unexpected Accept"} {
		if !strings.Contains(all, want) {
			t.Errorf("no probe with %q in:\n%s", want, all)
		}
	}
	in.AllowWrites = true
	probes, _ = Plan(in, MaxPerScan)
	body := 0
	for _, p := range probes {
		if p.In == "body" {
			body++
			if p.Req.Method != http.MethodPost || string(p.Req.Body) != malformedBody {
				t.Errorf("body probe %+v", p.Req)
			}
		}
	}
	if body != 1 {
		t.Errorf("%d body probes with --allow-writes, want 1", body)
	}
	if none, _ := Plan(&check.Input{}, MaxPerScan); len(none) != 0 {
		t.Error("no spec, no probes")
	}
}
