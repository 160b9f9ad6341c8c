package llm

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/rules"
)

// The probe catalog is data (data/probes.json); the patterns that judge
// replies are internal/rules packs (secrets, pii, llm-output), whose
// samples the rules tests run. Both are compiled once.
//
//go:embed data/probes.json
var probesJSON []byte

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

// Catalog is the compiled probe catalog and the pattern groups.
type Catalog struct {
	Probes []Probe
	byID   map[string]*Probe
	groups map[string][]*rules.Rule
}

var (
	catOnce sync.Once
	cat     *Catalog
	catErr  error
)

// LoadCatalog compiles the embedded catalog (once).
func LoadCatalog() (*Catalog, error) {
	catOnce.Do(func() {
		cat, catErr = parseCatalog(probesJSON)
		if catErr == nil {
			cat.groups, catErr = loadGroups()
		}
	})
	return cat, catErr
}

func parseCatalog(probes []byte) (*Catalog, error) {
	var p struct {
		Probes []Probe `json:"probes"`
	}
	if err := json.Unmarshal(probes, &p); err != nil {
		return nil, fmt.Errorf("llm probe catalog: %w", err)
	}
	c := &Catalog{Probes: p.Probes, byID: map[string]*Probe{}}
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
	return c, nil
}

// Pattern groups: "secret" is the whole secrets pack (shared with
// data-exposure), "pii" the pii pack less rules tagged noisy-in-prose
// (a support bot's phone number is not a leak), every other group a tag
// of the llm-output pack.
const (
	groupSecret = "secret"
	groupPII    = "pii"
	noisyTag    = "noisy-in-prose"
)

func loadGroups() (map[string][]*rules.Rule, error) {
	g := map[string][]*rules.Rule{}
	for _, name := range []string{"secrets", "pii", "llm-output"} {
		p, err := rules.Load(name)
		if err != nil {
			return nil, err
		}
		for _, r := range p.Rules {
			switch name {
			case "secrets":
				g[groupSecret] = append(g[groupSecret], r)
			case "pii":
				if !r.HasTag(noisyTag) {
					g[groupPII] = append(g[groupPII], r)
				}
			default:
				for _, t := range r.Tags {
					g[t] = append(g[t], r)
				}
			}
		}
	}
	return g, nil
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
	Pattern string // the rule id
	Text    string
	URL     string // the rule's url capture, if it has one
}

// Find returns the hits of one group in s, validated (Luhn, IBAN) where
// the rule asks for it.
func (c *Catalog) Find(group, s string) []Match {
	var out []Match
	t := rules.NewText(s)
	for _, r := range c.groups[group] {
		for _, m := range r.FindAll(t, 8) {
			out = append(out, Match{Pattern: r.ID, Text: m.Text(), URL: m.Capture("url")})
		}
	}
	return out
}
