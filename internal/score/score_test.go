package score

import (
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/finding"
)

func f(cat finding.Category, sev finding.Severity, conf finding.Confidence) finding.Finding {
	return finding.Finding{Category: cat, Severity: sev, Confidence: conf}
}

func all() map[finding.Category]bool {
	m := map[finding.Category]bool{}
	for _, c := range finding.Categories {
		m[c] = true
	}
	return m
}

func TestGradeBands(t *testing.T) {
	t.Parallel()
	for s, want := range map[int]string{100: "A", 90: "A", 89: "B", 80: "B", 79: "C", 70: "C", 69: "D", 60: "D", 59: "F", 0: "F"} {
		if got := Grade(s); got != want {
			t.Errorf("Grade(%d) = %s, want %s", s, got, want)
		}
	}
}

func TestRules(t *testing.T) {
	t.Parallel()
	two := map[finding.Category]bool{finding.CatAuthentication: true, finding.CatEncryption: true}
	tests := []struct {
		name      string
		findings  []finding.Finding
		assessed  map[finding.Category]bool
		wantScore int
		wantGrade string
		catScore  map[finding.Category]int
	}{
		{"clean scan scores 100", nil, all(), 100, "A", nil},
		{"nothing assessed has no grade", nil, nil, 0, NotAssessed, nil},
		{"penalty scaled by confidence", []finding.Finding{f(finding.CatEncryption, finding.Medium, finding.Tentative)}, two, 98, "A",
			map[finding.Category]int{finding.CatEncryption: 95, finding.CatAuthentication: 100}},
		{"category score floors at zero", []finding.Finding{
			f(finding.CatEncryption, finding.High, finding.Confirmed), f(finding.CatEncryption, finding.High, finding.Confirmed),
			f(finding.CatEncryption, finding.High, finding.Confirmed), f(finding.CatEncryption, finding.High, finding.Confirmed),
			f(finding.CatEncryption, finding.High, finding.Confirmed)}, two, 60, "D", map[finding.Category]int{finding.CatEncryption: 0}},
		{"weights: auth counts three times encryption's two", []finding.Finding{f(finding.CatAuthentication, finding.Medium, finding.Confirmed)}, two, 94, "A",
			map[finding.Category]int{finding.CatAuthentication: 90}},
		{"confirmed critical caps at F", []finding.Finding{f(finding.CatEncryption, finding.Critical, finding.Confirmed)}, all(), 59, "F", nil},
		{"firm critical caps at D", []finding.Finding{f(finding.CatEncryption, finding.Critical, finding.Firm)}, all(), 69, "D", nil},
		{"tentative critical caps at C", []finding.Finding{f(finding.CatEncryption, finding.Critical, finding.Tentative)}, all(), 79, "C", nil},
		{"confirmed high caps at C", []finding.Finding{f(finding.CatDNS, finding.High, finding.Confirmed)}, all(), 79, "C", nil},
		{"firm high caps at B", []finding.Finding{f(finding.CatDNS, finding.High, finding.Firm)}, all(), 89, "B", nil},
		{"low findings do not cap", []finding.Finding{f(finding.CatDNS, finding.Low, finding.Confirmed)}, all(), 100, "A", nil},
		{"finding in an unassessed category assesses it", []finding.Finding{f(finding.CatDNS, finding.Low, finding.Confirmed)}, nil, 97, "A",
			map[finding.Category]int{finding.CatDNS: 97}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Compute(tt.findings, tt.assessed, nil)
			if r.Score != tt.wantScore || r.Grade != tt.wantGrade {
				t.Fatalf("got %d %s, want %d %s", r.Score, r.Grade, tt.wantScore, tt.wantGrade)
			}
			for _, c := range r.Categories {
				if want, ok := tt.catScore[c.ID]; ok && c.Score != want {
					t.Errorf("category %s = %d, want %d", c.ID, c.Score, want)
				}
			}
		})
	}
}

// Rule 2: a category whose checks could not assess it (every probe failed,
// the time ran out, ...) is not assessed: grade N/A, the reason kept, and
// no weight in the overall score, however clean it would look.
func TestNotAssessedCategoryKeepsItsReasonAndDoesNotCount(t *testing.T) {
	t.Parallel()
	assessed := map[finding.Category]bool{finding.CatEncryption: true}
	why := map[finding.Category]string{finding.CatBOLA: "bola.object-level-authorization not-assessed: none of its 12 request(s) was answered"}
	r := Compute([]finding.Finding{f(finding.CatEncryption, finding.Medium, finding.Confirmed)}, assessed, why)
	if r.Score != 90 {
		t.Errorf("score %d, want 90 (encryption alone)", r.Score)
	}
	for _, c := range r.Categories {
		switch c.ID {
		case finding.CatBOLA:
			if c.Assessed || c.Grade != NotAssessed || c.Reason != why[finding.CatBOLA] {
				t.Errorf("bola: %+v", c)
			}
		case finding.CatEncryption:
			if !c.Assessed || c.Reason != "" {
				t.Errorf("encryption: %+v", c)
			}
		case finding.CatDNS:
			if c.Assessed || c.Reason != "no check of this category ran" {
				t.Errorf("dns: %+v", c)
			}
		}
	}
}

// Rule 2: a finding is a fact: its category is graded even when some of its
// checks were cut off, and says it was only partly assessed.
func TestFindingGradesAPartlyAssessedCategory(t *testing.T) {
	t.Parallel()
	why := map[finding.Category]string{finding.CatBOLA: "bola.x not-assessed: none of its 3 request(s) was answered"}
	r := Compute([]finding.Finding{f(finding.CatBOLA, finding.Medium, finding.Confirmed)}, nil, why)
	for _, c := range r.Categories {
		if c.ID == finding.CatBOLA && (!c.Assessed || c.Score != 90 || !strings.HasPrefix(c.Reason, "partly assessed (graded on its findings): bola.x")) {
			t.Errorf("bola: %+v", c)
		}
	}
}
