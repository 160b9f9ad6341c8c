package finding

import (
	"encoding/json"
	"testing"
)

func TestFingerprintIsStableAndUnambiguous(t *testing.T) {
	t.Parallel()
	loc := Location{Host: "API.example.test", Method: "get", Path: "/users/{id}"}
	a := ComputeFingerprint("authentication.x", loc)
	if a != ComputeFingerprint("authentication.x", Location{Host: "api.example.test", Method: "GET", Path: "/users/{id}"}) {
		t.Error("host and method case must not change the fingerprint")
	}
	if len(a) != 32 {
		t.Errorf("fingerprint %q is not 32 hex chars", a)
	}
	// Length-prefixing keeps ("ab","c") and ("a","bc") apart.
	x := ComputeFingerprint("id", Location{Host: "ab", Path: "c"})
	y := ComputeFingerprint("id", Location{Host: "a", Path: "bc"})
	if x == y {
		t.Error("ambiguous encoding: different locations share a fingerprint")
	}
	if a == ComputeFingerprint("authentication.x", Location{Host: "api.example.test", Method: "GET", Path: "/users/{id}", Param: "id"}) {
		t.Error("the parameter must be part of the fingerprint")
	}
}

func TestNormalizeSortsAndMerges(t *testing.T) {
	t.Parallel()
	loc := Location{Host: "h", Path: "/a"}
	fs := Normalize([]Finding{
		{ID: "b", Severity: Low, Category: CatDNS, Location: loc},
		{ID: "a", Severity: Critical, Category: CatAuthentication, Location: loc},
		{ID: "b", Severity: High, Confidence: Firm, Category: CatDNS, Location: loc},
		{ID: "c", Severity: Medium, Category: CatEncryption, Location: loc},
	})
	if len(fs) != 3 {
		t.Fatalf("duplicates by fingerprint must merge: %+v", fs)
	}
	if fs[0].ID != "a" || fs[1].ID != "b" || fs[1].Severity != High || fs[2].ID != "c" {
		t.Fatalf("want a(critical), b(high, merged), c(medium); got %+v", fs)
	}
	for _, f := range fs {
		if f.Fingerprint == "" {
			t.Error("fingerprint not filled")
		}
	}
}

func TestSeverityAndConfidenceText(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(struct {
		S Severity
		C Confidence
	}{High, Firm})
	if err != nil || string(b) != `{"S":"high","C":"firm"}` {
		t.Fatalf("got %s, %v", b, err)
	}
	var v struct {
		S Severity
		C Confidence
	}
	if err := json.Unmarshal([]byte(`{"S":"CRITICAL","C":"confirmed"}`), &v); err != nil || v.S != Critical || v.C != Confirmed {
		t.Fatalf("got %+v, %v", v, err)
	}
	if err := json.Unmarshal([]byte(`{"S":"severe"}`), &v); err == nil {
		t.Fatal("unknown severity must be an error")
	}
	if _, err := ParseConfidence("maybe"); err == nil {
		t.Fatal("unknown confidence must be an error")
	}
	for _, c := range Categories {
		if !c.Valid() {
			t.Errorf("%s not valid", c)
		}
	}
	if Category("misc").Valid() {
		t.Error("unknown category valid")
	}
}

// Code findings key on file and symbol, never on the line: moving code
// keeps the fingerprint, another file or variable changes it; findings
// without a file keep the fingerprint they always had.
func TestFingerprintOfCodeFindings(t *testing.T) {
	t.Parallel()
	loc := Location{Host: "metrics.example.test", File: "app/config.py", Line: 12, Symbol: "METRICS_URL"}
	a := ComputeFingerprint("code.x", loc)
	moved := loc
	moved.Line = 40
	if ComputeFingerprint("code.x", moved) != a {
		t.Error("the line must not change the fingerprint")
	}
	other := loc
	other.File = "app/settings.py"
	renamed := loc
	renamed.Symbol = "TRACES_URL"
	if ComputeFingerprint("code.x", other) == a || ComputeFingerprint("code.x", renamed) == a {
		t.Error("file and symbol must be part of the fingerprint")
	}
	// The value below is the fingerprint before File existed: it must not change.
	if got := ComputeFingerprint("dns.dangling-cname", Location{Host: "login.example.test", Line: 3}); got != "3236fba3511ee51fd7e24a917d6cd47e" {
		t.Errorf("a finding without a file changed its fingerprint: %s", got)
	}
}

// GraphQL locations render one way everywhere and fingerprint apart from
// each other, while every location without a GraphQL part keeps the
// fingerprint it had before the field existed.
func TestGraphQLLocation(t *testing.T) {
	t.Parallel()
	l := Location{Host: "api.example.test", Method: "POST", Path: "/graphql", GraphQL: "query user", Param: "id"}
	if got := l.String(); got != "POST api.example.test/graphql query user(id)" {
		t.Errorf("String = %q", got)
	}
	bare := Location{Host: "api.example.test", Method: "POST", Path: "/graphql"}
	if bare.String() != "POST api.example.test/graphql" || bare.Operation() != "" {
		t.Errorf("bare = %q", bare.String())
	}
	if ComputeFingerprint("x", l) == ComputeFingerprint("x", Location{Host: "api.example.test", Method: "POST", Path: "/graphql", GraphQL: "query users", Param: "id"}) {
		t.Error("two GraphQL fields share a fingerprint")
	}
	// Computed before GraphQL locations existed: this value must not change.
	if got := ComputeFingerprint("authentication.x", Location{Host: "api.example.test", Method: "GET", Path: "/users/{id}"}); got != "4910ce342e653f9dd8984b1c42e10acd" {
		t.Errorf("fingerprint %s", got)
	}
}
