package finding

import (
	"slices"
	"testing"
)

func TestRenamedIDs(t *testing.T) {
	t.Parallel()
	loc := Location{Host: "api.example.test", Method: "GET", Path: "/v1/books/{id}", Param: "id"}
	for old, cur := range Renamed() {
		if CurrentID(old) != cur || CurrentID(cur) != cur {
			t.Errorf("CurrentID(%s) = %s, CurrentID(%s) = %s", old, CurrentID(old), cur, CurrentID(cur))
		}
		if !slices.Contains(FormerIDs(cur), old) {
			t.Errorf("FormerIDs(%s) = %v, want %s among them", cur, FormerIDs(cur), old)
		}
		if !slices.Contains(FormerFingerprints(cur, loc), ComputeFingerprint(old, loc)) {
			t.Errorf("FormerFingerprints(%s) lacks the fingerprint of %s", cur, old)
		}
		f := Finding{ID: old, Location: loc, Fingerprint: ComputeFingerprint(old, loc)}
		if !Upgrade(&f) || f.ID != cur || f.Fingerprint != ComputeFingerprint(cur, loc) {
			t.Errorf("Upgrade(%s) = %+v", old, f)
		}
	}
	f := Finding{ID: "dns.dangling-cname", Fingerprint: "kept"}
	if Upgrade(&f) || f.Fingerprint != "kept" || FormerIDs("dns.dangling-cname") != nil || CurrentID("x.y") != "x.y" {
		t.Errorf("an id never renamed changed: %+v", f)
	}
	if len(Renamed()) < 6 {
		t.Errorf("%d renamed ids; never remove an entry", len(Renamed()))
	}
}
