package fingerprints

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzIdentifyCNAME: any input is safe, and every service returned really
// owns a label-boundary suffix (or pattern) of the normalized name.
func FuzzIdentifyCNAME(f *testing.F) {
	db := mustLoad(f)
	seeds := 0
	for _, s := range db.Services() {
		for _, n := range append(append([]string{}, s.Tests.CNAME.Match...), s.Tests.CNAME.NoMatch...) {
			f.Add(n)
			seeds++
		}
	}
	if seeds == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, name string) {
		norm := normalizeName(name)
		for _, s := range db.IdentifyCNAME(name) {
			if !underAny(norm, s.CNAMESuffixes) && !patternHit(s.cnamePatterns, norm) {
				t.Fatalf("%q identified as %s without a suffix or pattern", name, s.ID)
			}
		}
		db.IdentifyNS(name)
	})
}

func patternHit(ps []compiledPattern, name string) bool {
	for _, p := range ps {
		if (name == p.suffix || strings.HasSuffix(name, "."+p.suffix)) && p.re.MatchString(name) {
			return true
		}
	}
	return false
}

// FuzzMatchHTTP: matchers never panic, and a match always explains itself.
func FuzzMatchHTTP(f *testing.F) {
	db := mustLoad(f)
	seeds := 0
	for _, r := range genericCorpus(f) {
		f.Add(r.status, r.header.Get("Server"), string(r.body))
		seeds++
	}
	for _, s := range db.Services() {
		for _, r := range s.Tests.HTTP.Match {
			f.Add(r.Status, r.Headers["Server"], r.Body)
			seeds++
		}
	}
	if seeds == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, status int, server, body string) {
		h := http.Header{}
		h.Set("Server", server)
		h.Set("Location", server)
		for _, s := range db.Services() {
			if ok, why := s.MatchHTTP(status, h, []byte(body)); ok && !strings.HasPrefix(why, s.ID+"/") {
				t.Fatalf("%s matched without evidence: %q", s.ID, why)
			}
		}
	})
}
