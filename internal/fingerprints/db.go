package fingerprints

import (
	"net/netip"
	"sort"
	"strings"
)

// DB is the compiled fingerprint database. It is immutable after Load.
type DB struct {
	schema, updated string
	sources         map[string]SourceInfo
	services        []*Service
	byID            map[string]*Service
	cname, ns       map[string]*suffixEntry // keyed by suffix
	ips             []ipEntry
}

// suffixEntry is what one suffix key leads to: services identified by the
// plain suffix, and patterns to try because their anchor is this suffix.
type suffixEntry struct {
	services []*Service
	patterns []patternRef
}

type patternRef struct {
	svc *Service
	p   *compiledPattern
}

type ipEntry struct {
	prefix netip.Prefix
	svc    *Service
}

func (db *DB) buildIndex() {
	db.cname, db.ns = map[string]*suffixEntry{}, map[string]*suffixEntry{}
	get := func(m map[string]*suffixEntry, k string) *suffixEntry {
		e := m[k]
		if e == nil {
			e = &suffixEntry{}
			m[k] = e
		}
		return e
	}
	for _, s := range db.services {
		for _, suf := range s.CNAMESuffixes {
			e := get(db.cname, suf)
			e.services = appendUnique(e.services, s)
		}
		for i := range s.cnamePatterns {
			p := &s.cnamePatterns[i]
			get(db.cname, p.suffix).patterns = append(get(db.cname, p.suffix).patterns, patternRef{s, p})
		}
		for _, suf := range s.NSSuffixes {
			e := get(db.ns, suf)
			e.services = appendUnique(e.services, s)
		}
		for i := range s.nsPatterns {
			p := &s.nsPatterns[i]
			get(db.ns, p.suffix).patterns = append(get(db.ns, p.suffix).patterns, patternRef{s, p})
		}
		for _, p := range s.prefixes {
			db.ips = append(db.ips, ipEntry{p, s})
		}
	}
	// Most specific prefix first, so IdentifyIP lists the narrowest match first.
	sort.SliceStable(db.ips, func(i, j int) bool { return db.ips[i].prefix.Bits() > db.ips[j].prefix.Bits() })
}

func appendUnique(list []*Service, s *Service) []*Service {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// Schema returns the data schema id; Updated the date the data was last revised.
func (db *DB) Schema() string  { return db.schema }
func (db *DB) Updated() string { return db.updated }

// Sources returns the upstream sources the entries cite, keyed by id.
func (db *DB) Sources() map[string]SourceInfo {
	out := make(map[string]SourceInfo, len(db.sources))
	for k, v := range db.sources {
		out[k] = v
	}
	return out
}

// Services returns every entry, in data-file order.
func (db *DB) Services() []*Service { return append([]*Service(nil), db.services...) }

// Service returns the entry with the given id, or nil.
func (db *DB) Service(id string) *Service { return db.byID[id] }

// IdentifyCNAME returns the services a CNAME target (any hop of a chain)
// belongs to, most specific suffix first. Matching is on label boundaries:
// "evilazurewebsites.net" is not under "azurewebsites.net". The name is
// compared case-insensitively; a trailing dot is ignored. Lookups cost one
// map probe per label and allocate only when something matches.
func (db *DB) IdentifyCNAME(target string) []*Service { return lookup(db.cname, target) }

// IdentifyNS returns the DNS providers a nameserver host name belongs to.
func (db *DB) IdentifyNS(ns string) []*Service { return lookup(db.ns, ns) }

// IdentifyIP returns the services whose published addresses contain ip,
// narrowest range first.
func (db *DB) IdentifyIP(ip netip.Addr) []*Service {
	ip = ip.Unmap()
	var out []*Service
	for _, e := range db.ips {
		if e.prefix.Contains(ip) {
			out = appendUnique(out, e.svc)
		}
	}
	return out
}

func lookup(index map[string]*suffixEntry, name string) []*Service {
	name = normalizeName(name)
	if name == "" {
		return nil
	}
	var out []*Service
	for s := name; ; {
		if e := index[s]; e != nil {
			for _, svc := range e.services {
				out = appendUnique(out, svc)
			}
			for _, pr := range e.patterns {
				if pr.p.re.MatchString(name) {
					out = appendUnique(out, pr.svc)
				}
			}
		}
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return out
		}
		s = s[i+1:]
	}
}

// normalizeName lowercases ASCII and drops one trailing dot, allocating only
// when the name has upper-case letters.
func normalizeName(name string) string {
	name = strings.TrimSuffix(name, ".")
	for i := 0; i < len(name); i++ {
		if c := name[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(name)
		}
	}
	return name
}

// Claimable reports whether the service's status lets anyone claim a
// dangling name at all. Only "vulnerable" entries are claimable; the DNS
// engine must never report a takeover as possible when this is false.
func (s *Service) Claimable() bool { return s.Status == StatusVulnerable }

// ClaimableTarget reports whether target (a CNAME target identified as this
// service) could be registered by someone else, and if not, why. It is false
// whenever Claimable is false, when the platform assigns random names, and
// when the target fails the service's claimable/unclaimable shapes (e.g. an
// Elastic Beanstalk name without a region, an Azure unique default hostname).
func (s *Service) ClaimableTarget(target string) (bool, string) {
	if !s.Claimable() {
		return false, "service status is " + string(s.Status)
	}
	if s.RandomIDNames {
		return false, "the platform assigns random resource names"
	}
	target = normalizeName(target)
	if s.unclaimableRE != nil && s.unclaimableRE.MatchString(target) {
		return false, "target has a form nobody else can recreate (" + s.Claim.UnclaimableRegex + ")"
	}
	if s.claimableRE != nil && !s.claimableRE.MatchString(target) {
		return false, "target lacks the claimable form (" + s.Claim.ClaimableRegex + ")"
	}
	return true, ""
}

// Stats summarises the database for reports and release notes.
type Stats struct {
	Services   int
	ByStatus   map[Status]int
	ByCategory map[string]int
	WithHTTP   int // entries with at least one HTTP matcher
	NXDomain   int // entries where an NXDOMAIN target means dangling
	Matchers   int // HTTP matchers in total
}

// Stats counts entries by status and category.
func (db *DB) Stats() Stats {
	st := Stats{Services: len(db.services), ByStatus: map[Status]int{}, ByCategory: map[string]int{}}
	for _, s := range db.services {
		st.ByStatus[s.Status]++
		st.ByCategory[s.Category]++
		st.Matchers += len(s.HTTP)
		if len(s.HTTP) > 0 {
			st.WithHTTP++
		}
		if s.NXDomainDangling {
			st.NXDomain++
		}
	}
	return st
}
