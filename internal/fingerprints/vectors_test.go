package fingerprints

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func sampleHeader(h map[string]string) http.Header {
	out := http.Header{}
	for k, v := range h {
		out.Set(k, v)
	}
	return out
}

func has(list []*Service, s *Service) bool { return slices.Contains(list, s) }

// TestEntryVectors runs every entry's own positive and negative samples.
func TestEntryVectors(t *testing.T) {
	t.Parallel()
	db := mustLoad(t)
	for _, s := range db.Services() {
		t.Run(s.ID, func(t *testing.T) {
			t.Parallel()
			v := s.Tests
			if len(v.CNAME.Match)+len(v.NS.Match)+len(v.IP.Match) == 0 {
				t.Error("no positive identification vector")
			}
			if len(s.HTTP) > 0 && len(v.HTTP.Match) == 0 {
				t.Error("HTTP matchers without a positive HTTP vector")
			}
			for _, n := range v.CNAME.Match {
				if !has(db.IdentifyCNAME(n), s) {
					t.Errorf("IdentifyCNAME(%q) misses %s", n, s.ID)
				}
			}
			for _, n := range v.CNAME.NoMatch {
				if has(db.IdentifyCNAME(n), s) {
					t.Errorf("IdentifyCNAME(%q) wrongly matches %s", n, s.ID)
				}
			}
			for _, n := range v.NS.Match {
				if !has(db.IdentifyNS(n), s) {
					t.Errorf("IdentifyNS(%q) misses %s", n, s.ID)
				}
			}
			for _, n := range v.NS.NoMatch {
				if has(db.IdentifyNS(n), s) {
					t.Errorf("IdentifyNS(%q) wrongly matches %s", n, s.ID)
				}
			}
			for _, a := range v.IP.Match {
				if !has(db.IdentifyIP(netip.MustParseAddr(a)), s) {
					t.Errorf("IdentifyIP(%s) misses %s", a, s.ID)
				}
			}
			for _, a := range v.IP.NoMatch {
				if has(db.IdentifyIP(netip.MustParseAddr(a)), s) {
					t.Errorf("IdentifyIP(%s) wrongly matches %s", a, s.ID)
				}
			}
			for _, n := range v.Claimable {
				if ok, why := s.ClaimableTarget(n); !ok {
					t.Errorf("ClaimableTarget(%q) = false (%s), want true", n, why)
				}
			}
			for _, n := range v.NotClaimable {
				if ok, _ := s.ClaimableTarget(n); ok {
					t.Errorf("ClaimableTarget(%q) = true, want false", n)
				}
			}
			for i, r := range v.HTTP.Match {
				if ok, why := s.MatchHTTP(r.Status, sampleHeader(r.Headers), []byte(r.Body)); !ok || why == "" {
					t.Errorf("http match[%d] not matched", i)
				}
			}
			for i, r := range v.HTTP.NoMatch {
				if ok, why := s.MatchHTTP(r.Status, sampleHeader(r.Headers), []byte(r.Body)); ok {
					t.Errorf("http no_match[%d] matched: %s", i, why)
				}
			}
		})
	}
}

// TestSuffixLabelBoundaries checks, for every suffix in the data, that names
// glued onto it or extending past it never identify the service.
func TestSuffixLabelBoundaries(t *testing.T) {
	t.Parallel()
	db := mustLoad(t)
	for _, s := range db.Services() {
		check := func(kind string, sufs []string, identify func(string) []*Service) {
			for _, suf := range sufs {
				if !has(identify("x."+suf), s) || !has(identify(strings.ToUpper(suf)+"."), s) {
					t.Errorf("%s %s: %s suffix %q does not match its own subdomain", s.ID, kind, kind, suf)
				}
				for _, bad := range []string{"evil" + suf, suf + ".attacker.test", suf + "x", "x" + strings.Replace(suf, ".", "", 1)} {
					if has(identify(bad), s) && !underAny(bad, sufs) {
						t.Errorf("%s: %s %q matches suffix %q", s.ID, kind, bad, suf)
					}
				}
			}
		}
		check("cname", s.CNAMESuffixes, db.IdentifyCNAME)
		check("ns", s.NSSuffixes, db.IdentifyNS)
	}
	az := db.Service("azure-app-service")
	if has(db.IdentifyCNAME("evilazurewebsites.net"), az) || !has(db.IdentifyCNAME("api.azurewebsites.net."), az) {
		t.Fatal("azurewebsites.net label boundary broken")
	}
	for _, n := range []string{"", ".", "net", ".."} {
		if got := db.IdentifyCNAME(n); len(got) != 0 {
			t.Errorf("IdentifyCNAME(%q) = %d services", n, len(got))
		}
	}
}

// underAny reports whether name is, on a label boundary, under one of sufs.
func underAny(name string, sufs []string) bool {
	for _, suf := range sufs {
		if name == suf || strings.HasSuffix(name, "."+suf) {
			return true
		}
	}
	return false
}

// TestOnlyVulnerableIsClaimable: entries whose status is not "vulnerable",
// or whose names are random, can never yield a claimable verdict.
func TestOnlyVulnerableIsClaimable(t *testing.T) {
	t.Parallel()
	db := mustLoad(t)
	for _, s := range db.Services() {
		targets := append(append([]string{}, s.Tests.CNAME.Match...), s.Tests.Claimable...)
		targets = append(targets, s.Tests.NS.Match...)
		for _, n := range targets {
			ok, why := s.ClaimableTarget(n)
			if s.Status != StatusVulnerable || s.RandomIDNames {
				if ok || s.Claimable() && s.Status != StatusVulnerable {
					t.Errorf("%s (%s, random=%v): %q claimable", s.ID, s.Status, s.RandomIDNames, n)
				}
				if why == "" {
					t.Errorf("%s: refusal without a reason", s.ID)
				}
			}
		}
		if s.Claimable() != (s.Status == StatusVulnerable) {
			t.Errorf("%s: Claimable() disagrees with status %s", s.ID, s.Status)
		}
	}
}

// TestProvenance: every entry cites a known source and each fact carries a license.
func TestProvenance(t *testing.T) {
	t.Parallel()
	db := mustLoad(t)
	sources := db.Sources()
	for _, s := range db.Services() {
		if len(s.Provenance) == 0 {
			t.Errorf("%s: no provenance", s.ID)
		}
		for _, p := range s.Provenance {
			if _, ok := sources[p.Source]; !ok || p.License == "" || len(p.Facts) == 0 || p.Date == "" {
				t.Errorf("%s: incomplete provenance %+v", s.ID, p)
			}
		}
		if s.StatusDate == "" {
			t.Errorf("%s: no status date", s.ID)
		}
	}
}

// TestMatchersHaveSpecificTokens re-checks the lint that Load enforces and
// that the generic-token rules themselves classify known texts correctly.
func TestMatchersHaveSpecificTokens(t *testing.T) {
	t.Parallel()
	db := mustLoad(t)
	for _, s := range db.Services() {
		for i := range s.HTTP {
			if !matcherSpecific(&s.HTTP[i]) {
				t.Errorf("%s/%s has no specific token", s.ID, s.HTTP[i].ID)
			}
		}
	}
	generic := []string{"404", "Not Found", "404 Not Found<br>", "Error", "nginx", "Apache", "page not found",
		"404: This page could not be found.", "The requested URL was not found on this server.",
		"Repository not found", `{"message":"Repository not found"}`, "project not found", "Site unavailable.",
		"Domain not found", "Sorry, this page is no longer available.", "We could not find what you're looking for.",
		"The page you are looking for doesn't exist or has been moved.", "Oops! We couldn&#8217;t find that page.",
		"Account not found.", "Web Site Not Found", "text/plain", "Cannot GET /"}
	for _, g := range generic {
		if !tokenIsGeneric(g) {
			t.Errorf("tokenIsGeneric(%q) = false, want true", g)
		}
	}
	specific := []string{"There isn't a GitHub Pages site here.", "NoSuchBucket", "Fastly error: unknown domain",
		"herokucdn.com/error-pages/no-such-app.html", "is not a registered InCloud YouTrack", "Netlify"}
	for _, s := range specific {
		if tokenIsGeneric(s) {
			t.Errorf("tokenIsGeneric(%q) = true, want false", s)
		}
	}
}

// genericCorpus loads testdata/generic/*.http: default error pages of common
// servers, frameworks, CDNs and APIs, as raw HTTP responses.
func genericCorpus(t testing.TB) map[string]*corpusResponse {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "generic", "*.http"))
	if err != nil || len(files) < 20 {
		t.Fatalf("generic corpus: %d files, err %v", len(files), err)
	}
	out := map[string]*corpusResponse{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = &corpusResponse{resp.StatusCode, resp.Header, body}
	}
	return out
}

type corpusResponse struct {
	status int
	header http.Header
	body   []byte
}

// TestGenericPagesNeverMatch: no service's matcher may fire on a generic
// error page, whatever service the DNS engine identified.
func TestGenericPagesNeverMatch(t *testing.T) {
	t.Parallel()
	db := mustLoad(t)
	for name, r := range genericCorpus(t) {
		for _, s := range db.Services() {
			if ok, why := s.MatchHTTP(r.status, r.header, r.body); ok {
				t.Errorf("generic page %s matches %s: %s", name, s.ID, why)
			}
		}
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	db := mustLoad(t)
	st := db.Stats()
	if st.Services != len(db.Services()) || st.ByStatus[StatusVulnerable] == 0 || st.ByCategory["dns-provider"] == 0 {
		t.Fatalf("implausible stats %+v", st)
	}
	t.Logf("services=%d with_http=%d matchers=%d nxdomain=%d", st.Services, st.WithHTTP, st.Matchers, st.NXDomain)
	t.Logf("by status: %v", st.ByStatus)
	t.Logf("by category: %v", st.ByCategory)
}
