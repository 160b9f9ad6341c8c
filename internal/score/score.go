// Package score implements the published scoring formula (docs/scoring.md):
// per-category scores from finding penalties, a weighted overall score, caps
// for critical and high findings, and the A–F grade bands.
package score

import (
	"math"

	"github.com/plumbsec/plumb/internal/finding"
)

// Penalty is what one finding of a severity subtracts from its category
// before the confidence factor.
var Penalty = map[finding.Severity]float64{
	finding.Critical: 50,
	finding.High:     25,
	finding.Medium:   10,
	finding.Low:      3,
	finding.Info:     0,
}

// ConfidenceFactor scales a penalty by how sure the check is.
var ConfidenceFactor = map[finding.Confidence]float64{
	finding.Confirmed: 1.0,
	finding.Firm:      0.8,
	finding.Tentative: 0.5,
}

// Weight is how much a category counts in the overall score.
var Weight = map[finding.Category]float64{
	finding.CatAuthentication:    3,
	finding.CatBOLA:              3,
	finding.CatDNS:               3,
	finding.CatBFLA:              2,
	finding.CatPropertyAuthz:     2,
	finding.CatInputValidation:   2,
	finding.CatDataExposure:      2,
	finding.CatEncryption:        2,
	finding.CatSSRF:              2,
	finding.CatLLM:               2,
	finding.CatRateLimiting:      1,
	finding.CatInventory:         1,
	finding.CatUnsafeConsumption: 1,
}

// cap is an upper bound on the overall score set by the worst finding.
type capRule struct {
	sev  finding.Severity
	conf finding.Confidence // at least this confidence
	max  int
}

// Caps, most restrictive first. A confirmed critical finding means an F.
var caps = []capRule{
	{finding.Critical, finding.Confirmed, 59},
	{finding.Critical, finding.Firm, 69},
	{finding.Critical, finding.Tentative, 79},
	{finding.High, finding.Confirmed, 79},
	{finding.High, finding.Firm, 89},
}

// Category is the score of one category.
type Category struct {
	ID       finding.Category `json:"id"`
	Assessed bool             `json:"assessed"`
	Score    int              `json:"score"`
	Grade    string           `json:"grade"`
	Findings int              `json:"findings"`
	// Reason says why a category was not assessed (absent when it was).
	Reason string `json:"reason,omitempty"`
}

// Result is the overall score, grade and per-category breakdown.
type Result struct {
	Score      int        `json:"score"`
	Grade      string     `json:"grade"`
	CappedBy   string     `json:"capped_by,omitempty"`
	Categories []Category `json:"categories"`
}

// NotAssessed is the grade of a category (or scan) no check looked at.
const NotAssessed = "N/A"

// Grade maps a score to its letter: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, else F.
func Grade(s int) string {
	switch {
	case s >= 90:
		return "A"
	case s >= 80:
		return "B"
	case s >= 70:
		return "C"
	case s >= 60:
		return "D"
	default:
		return "F"
	}
}

// Compute scores findings. assessed says which categories at least one
// check assessed (it ran, and got an answer if it asked the network);
// findings in other categories still count for them (they were assessed by
// definition). why says why the others were not, for the report.
// Suppressed findings must be removed by the caller.
func Compute(findings []finding.Finding, assessed map[finding.Category]bool, why map[finding.Category]string) Result {
	penalty := map[finding.Category]float64{}
	count := map[finding.Category]int{}
	for _, f := range findings {
		penalty[f.Category] += Penalty[f.Severity] * ConfidenceFactor[f.Confidence]
		count[f.Category]++
	}
	var res Result
	var sum, weights float64
	for _, c := range finding.Categories {
		cat := Category{ID: c, Findings: count[c], Grade: NotAssessed, Reason: why[c]}
		switch {
		case assessed[c]:
			cat.Reason = ""
		case count[c] > 0 && cat.Reason != "":
			// Its findings are facts; the rest of it was not looked at.
			cat.Reason = "partly assessed (graded on its findings): " + cat.Reason
		case cat.Reason == "":
			cat.Reason = "no check of this category ran"
		}
		if assessed[c] || count[c] > 0 {
			cat.Assessed = true
			cat.Score = int(math.Max(0, math.Round(100-penalty[c])))
			cat.Grade = Grade(cat.Score)
			sum += Weight[c] * float64(cat.Score)
			weights += Weight[c]
		}
		res.Categories = append(res.Categories, cat)
	}
	if weights == 0 {
		res.Grade = NotAssessed
		return res
	}
	res.Score = int(math.Round(sum / weights))
	for _, r := range caps {
		if res.Score > r.max && worst(findings, r.sev, r.conf) {
			res.Score = r.max
			res.CappedBy = r.sev.String() + " finding (" + r.conf.String() + " or better)"
			break
		}
	}
	res.Grade = Grade(res.Score)
	return res
}

func worst(fs []finding.Finding, sev finding.Severity, conf finding.Confidence) bool {
	for _, f := range fs {
		if f.Severity == sev && f.Confidence >= conf {
			return true
		}
	}
	return false
}
