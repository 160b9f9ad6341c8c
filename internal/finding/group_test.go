package finding

import (
	"slices"
	"testing"
)

func TestGroupOneFindingPerProblem(t *testing.T) {
	t.Parallel()
	loc := func(m, p, param string) Location { return Location{Host: "api.test", Method: m, Path: p, Param: param} }
	mk := func(id string, sev Severity, l Location) Finding {
		return Finding{ID: id, Title: l.Method + " " + l.Path + " does it", Severity: sev, Confidence: Confirmed, Location: l,
			Evidence: Evidence{Summary: "seen", HTTP: []HTTPExchange{{Method: l.Method, URL: "https://api.test" + l.Path}}}}
	}
	policy := func(id string) GroupBy {
		return map[string]GroupBy{"cors": GroupHost, "forge": GroupHostParam}[id]
	}
	in := []Finding{
		mk("cors", Low, loc("GET", "/b", "")), mk("cors", High, loc("GET", "/a", "")), mk("cors", Low, loc("GET", "/c", "")),
		mk("forge", Critical, loc("GET", "/a", "alg-none")), mk("forge", Critical, loc("GET", "/b", "alg-none")),
		mk("forge", High, loc("GET", "/a", "expired")),
		mk("bola", High, loc("GET", "/a", "id")), mk("bola", High, loc("GET", "/b", "id")),
	}
	out := Normalize(Group(in, policy))
	if len(out) != 5 {
		t.Fatalf("%d findings, want 5 (cors, forge×2, bola×2): %+v", len(out), out)
	}
	var cors Finding
	for _, f := range out {
		if f.ID == "cors" {
			cors = f
		}
	}
	if cors.Location != (Location{Host: "api.test"}) || cors.Severity != High || len(cors.Affected) != 3 ||
		cors.Affected[0].Path != "/a" || cors.Title != "GET /a does it (and 2 more operations)" {
		t.Errorf("grouped cors: %+v", cors)
	}
	if len(cors.Evidence.HTTP) != 3 {
		t.Errorf("evidence sample: %d exchanges, want 3 (the strongest member's, and one each of two more)", len(cors.Evidence.HTTP))
	}
	// Order does not matter: the same findings in reverse give the same report.
	rev := slices.Clone(in)
	slices.Reverse(rev)
	again := Normalize(Group(rev, policy))
	for i := range out {
		if out[i].Fingerprint != again[i].Fingerprint || out[i].Title != again[i].Title || !slices.Equal(out[i].Affected, again[i].Affected) {
			t.Errorf("finding %d depends on input order: %+v vs %+v", i, out[i], again[i])
		}
	}
	// The fingerprint is the root cause's: one more operation does not change it.
	more := Normalize(Group(append(slices.Clone(in), mk("cors", Low, loc("GET", "/d", ""))), policy))
	fps := func(fs []Finding) []string {
		var s []string
		for _, f := range fs {
			s = append(s, f.Fingerprint)
		}
		slices.Sort(s)
		return s
	}
	if !slices.Equal(fps(out), fps(more)) {
		t.Error("a new affected operation changed the grouped fingerprint")
	}
	if got := LegacyFingerprints(cors); !slices.Contains(got, ComputeFingerprint("cors", loc("GET", "/b", ""))) {
		t.Errorf("legacy fingerprints %v lack GET /b's", got)
	}
}
