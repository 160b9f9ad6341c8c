package reqgen

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkHarvestCandidates: harvesting a 50-item list and choosing the
// detail operation's id, as the corpus does per list → detail pair.
func BenchmarkHarvestCandidates(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"orders":[`)
	for i := range 50 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":%d,"user":"u%d","item":"book %d","total":12.5,"shipping_address":"x"}`, i, i%3, i)
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	id := Identity{Markers: []string{"u1"}}
	b.ReportAllocs()
	for b.Loop() {
		p := &Pool{}
		p.Harvest("/api/v1/orders", body)
		for _, c := range p.Candidates("/api/v1/orders/{id}", "id") {
			if id.Owns(c.Item.Fields) {
				break
			}
		}
	}
}
