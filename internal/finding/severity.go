package finding

import (
	"fmt"
	"strings"
)

// Severity orders findings by impact. The zero value is Info.
type Severity int

// Severities from least to most severe.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity parses a severity name, case-insensitively.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return Info, fmt.Errorf("unknown severity %q (want one of %s)", s, strings.Join(severityNames[:], ", "))
}

// MarshalText encodes the severity as its name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Confidence says how sure a check is. The zero value is Tentative.
type Confidence int

// Confidence levels from least to most certain.
const (
	// Tentative: a signal that needs a human to confirm.
	Tentative Confidence = iota
	// Firm: strong evidence, but not a demonstrated exploit.
	Firm
	// Confirmed: the flaw was demonstrated (e.g. data returned without a credential).
	Confirmed
)

var confidenceNames = [...]string{"tentative", "firm", "confirmed"}

func (c Confidence) String() string {
	if c < Tentative || c > Confirmed {
		return fmt.Sprintf("confidence(%d)", int(c))
	}
	return confidenceNames[c]
}

// ParseConfidence parses a confidence name, case-insensitively.
func ParseConfidence(s string) (Confidence, error) {
	for i, n := range confidenceNames {
		if strings.EqualFold(s, n) {
			return Confidence(i), nil
		}
	}
	return Tentative, fmt.Errorf("unknown confidence %q (want one of %s)", s, strings.Join(confidenceNames[:], ", "))
}

// MarshalText encodes the confidence as its name.
func (c Confidence) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText decodes a confidence name.
func (c *Confidence) UnmarshalText(b []byte) error {
	v, err := ParseConfidence(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}
