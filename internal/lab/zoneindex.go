package lab

import (
	"strings"

	"github.com/miekg/dns"
)

// zoneIndex finds a zone's records by owner name: benchmarks serve zones of
// thousands of records, where a scan per query would dominate the CPU.
type zoneIndex struct {
	byName map[string][]dns.RR // lower-case FQDN owner
	exists map[string]bool     // every owner and its ancestors below the origin (empty non-terminals exist)
}

// reindex rebuilds z's index; callers hold whatever lock guards z.
func (z *Zone) reindex() {
	idx := &zoneIndex{byName: make(map[string][]dns.RR, len(z.Records)), exists: map[string]bool{}}
	origin := strings.ToLower(z.Origin)
	for _, rr := range z.Records {
		owner := strings.ToLower(rr.Header().Name)
		idx.byName[owner] = append(idx.byName[owner], rr)
		for n := owner; dns.IsSubDomain(origin, n) && !idx.exists[n]; n = parentName(n) {
			idx.exists[n] = true
			if n == origin || n == "." {
				break
			}
		}
	}
	z.idx = idx
}

// at returns the records owned by name (lower-case FQDN) and whether name
// exists (owns records or has descendants).
func (z *Zone) at(name string) ([]dns.RR, bool) {
	if z.idx != nil {
		return z.idx.byName[name], z.idx.exists[name]
	}
	var (
		rrs    []dns.RR
		exists bool
	)
	for _, rr := range z.Records {
		h := rr.Header()
		switch {
		case strings.EqualFold(h.Name, name):
			exists = true
			rrs = append(rrs, rr)
		case dns.IsSubDomain(name, h.Name):
			exists = true
		}
	}
	return rrs, exists
}
