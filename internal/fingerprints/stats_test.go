package fingerprints

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the statistics block in README.md")

const (
	statsBegin = "<!-- stats:begin (go test ./internal/fingerprints -run TestReadmeStats -update) -->"
	statsEnd   = "<!-- stats:end -->"
)

// statsMarkdown renders DB statistics for the README and release notes.
func statsMarkdown(db *DB) string {
	st := db.Stats()
	var b strings.Builder
	fmt.Fprintf(&b, "%d services (data updated %s): ", st.Services, db.Updated())
	statuses := []Status{StatusVulnerable, StatusEdgeCase, StatusNotVulnerable, StatusUnknown}
	for i, s := range statuses {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d %s", st.ByStatus[s], s)
	}
	b.WriteString(".\n\n| category | services |\n|---|---|\n")
	cats := append([]string(nil), Categories...)
	sort.SliceStable(cats, func(i, j int) bool { return st.ByCategory[cats[i]] > st.ByCategory[cats[j]] })
	for _, c := range cats {
		fmt.Fprintf(&b, "| %s | %d |\n", c, st.ByCategory[c])
	}
	fmt.Fprintf(&b, "\n%d entries carry %d HTTP matchers; %d treat an NXDOMAIN target as dangling.\n",
		st.WithHTTP, st.Matchers, st.NXDomain)
	return b.String()
}

// TestReadmeStats fails when README.md's statistics no longer match the data.
func TestReadmeStats(t *testing.T) {
	db := mustLoad(t)
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, statsBegin), strings.Index(doc, statsEnd)
	if i < 0 || j < i {
		t.Fatal("README.md lacks the stats markers")
	}
	want := doc[:i+len(statsBegin)] + "\n" + statsMarkdown(db) + doc[j:]
	t.Log("\n" + statsMarkdown(db))
	if want == doc {
		return
	}
	if *update {
		if err := os.WriteFile("README.md", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("README.md statistics are stale; rerun with -update")
}
