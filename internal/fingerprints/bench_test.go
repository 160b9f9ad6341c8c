package fingerprints

import (
	"testing"
)

// benchNames mixes hits (every CNAME vector), near misses and the common
// case in bulk audits: names under no known service.
func benchNames(db *DB) []string {
	var names []string
	for _, s := range db.Services() {
		names = append(names, s.Tests.CNAME.Match...)
		names = append(names, s.Tests.CNAME.NoMatch...)
	}
	for _, n := range []string{"www.example.com", "api.internal.corp.example.net", "cdn.example.org.", "a.b.c.d.e.f.example.co.uk", "metrics.vulnshop.test"} {
		for range 10 {
			names = append(names, n)
		}
	}
	return names
}

func BenchmarkIdentifyCNAME(b *testing.B) {
	db := mustLoad(b)
	names := benchNames(db)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		db.IdentifyCNAME(names[i%len(names)])
	}
}

func BenchmarkIdentifyCNAMEMiss(b *testing.B) {
	db := mustLoad(b)
	b.ReportAllocs()
	for b.Loop() {
		db.IdentifyCNAME("api.internal.corp.example.net")
	}
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse(servicesYAML); err != nil {
			b.Fatal(err)
		}
	}
}
