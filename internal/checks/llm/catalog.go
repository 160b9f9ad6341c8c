package llm

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"sync"

	"github.com/plumbsec/plumb/internal/finding"
)

// The probe catalog and the regex packs are data (data/*.json), compiled
// once; a test runs every pattern's positive and negative samples.
var (
	//go:embed data/probes.json
	probesJSON []byte
	//go:embed data/patterns.json
	patternsJSON []byte
)

// Probe is one catalog entry.
type Probe struct {
	ID          string   `json:"id"`
	Family      string   `json:"family"`
	Tier        string   `json:"tier"`
	Severity    string   `json:"severity"`
	OWASPLLM    string   `json:"owasp_llm"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Remediation string   `json:"remediation"`
	Samples     []string `json:"samples"`

	sev finding.Severity
}

// Pattern is one regex of a pack, with the samples that prove it.
type Pattern struct {
	ID        string   `json:"id"`
	Pack      string   `json:"pack"`
	Regex     string   `json:"regex"`
	Validator string   `json:"validator"`
	Positive  []string `json:"positive"`
	Negative  []string `json:"negative"`

	re *regexp.Regexp
}

// Catalog is the compiled probe catalog and pattern packs.
type Catalog struct {
	Probes   []Probe
	Patterns []Pattern
	byID     map[string]*Probe
}

var (
	catOnce sync.Once
	cat     *Catalog
	catErr  error
)

// LoadCatalog compiles the embedded catalog (once).
func LoadCatalog() (*Catalog, error) {
	catOnce.Do(func() { cat, catErr = parseCatalog(probesJSON, patternsJSON) })
	return cat, catErr
}

func parseCatalog(probes, patterns []byte) (*Catalog, error) {
	var p struct {
		Probes []Probe `json:"probes"`
	}
	var q struct {
		Patterns []Pattern `json:"patterns"`
	}
	if err := json.Unmarshal(probes, &p); err != nil {
		return nil, fmt.Errorf("llm probe catalog: %w", err)
	}
	if err := json.Unmarshal(patterns, &q); err != nil {
		return nil, fmt.Errorf("llm pattern pack: %w", err)
	}
	c := &Catalog{Probes: p.Probes, Patterns: q.Patterns, byID: map[string]*Probe{}}
	for i := range c.Probes {
		pr := &c.Probes[i]
		sev, err := finding.ParseSeverity(pr.Severity)
		if err != nil {
			return nil, fmt.Errorf("llm probe %s: %w", pr.ID, err)
		}
		if _, ok := tierRank[pr.Tier]; !ok {
			return nil, fmt.Errorf("llm probe %s: unknown tier %q", pr.ID, pr.Tier)
		}
		if !strings.HasPrefix(pr.ID, "llm.") || c.byID[pr.ID] != nil {
			return nil, fmt.Errorf("llm probe %q: id must start with llm. and be unique", pr.ID)
		}
		pr.sev = sev
		c.byID[pr.ID] = pr
	}
	for i := range c.Patterns {
		pt := &c.Patterns[i]
		re, err := regexp.Compile(pt.Regex)
		if err != nil {
			return nil, fmt.Errorf("llm pattern %s: %w", pt.ID, err)
		}
		if pt.Validator != "" && validators[pt.Validator] == nil {
			return nil, fmt.Errorf("llm pattern %s: unknown validator %q", pt.ID, pt.Validator)
		}
		pt.re = re
	}
	return c, nil
}

// Probe returns the catalog entry id. Ids are constants in this package
// and a test proves each is in the catalog; a miss still yields a usable
// entry rather than a crash.
func (c *Catalog) Probe(id string) *Probe {
	if p := c.byID[id]; p != nil {
		return p
	}
	return &Probe{ID: id, Title: id, Tier: "deep", sev: finding.Info}
}

// Match is one pattern hit.
type Match struct {
	Pattern string
	Text    string
}

// Find returns the hits of one pack in s, validated (Luhn, IBAN) where the
// pattern asks for it.
func (c *Catalog) Find(pack, s string) []Match {
	var out []Match
	for i := range c.Patterns {
		pt := &c.Patterns[i]
		if pt.Pack != pack {
			continue
		}
		for _, m := range pt.re.FindAllString(s, 8) {
			if v := validators[pt.Validator]; v != nil && !v(m) {
				continue
			}
			out = append(out, Match{Pattern: pt.ID, Text: m})
		}
	}
	return out
}

var validators = map[string]func(string) bool{
	"luhn": luhn,
	"iban": iban,
}

func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func luhn(s string) bool {
	d := digitsOnly(s)
	if len(d) < 13 || len(d) > 19 {
		return false
	}
	sum := 0
	for i := 0; i < len(d); i++ {
		n := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// iban checks the ISO 13616 mod-97 checksum.
func iban(s string) bool {
	s = strings.ReplaceAll(strings.ToUpper(s), " ", "")
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	var b strings.Builder
	for _, r := range s[4:] + s[:4] {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			fmt.Fprintf(&b, "%d", r-'A'+10)
		default:
			return false
		}
	}
	n, ok := new(big.Int).SetString(b.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}
