package llm

import (
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
)

// probeRules derives the check's rules from the probe catalog: each probe
// id is a rule, with the probe's title, severity, OWASP LLM id,
// description (plus the lowest --llm tier that runs it) and remediation.
func probeRules() []check.Rule {
	c, err := LoadCatalog()
	if err != nil {
		return check.NoRules // a test proves the embedded catalog loads
	}
	out := make([]check.Rule, 0, len(c.Probes))
	for i := range c.Probes {
		p := &c.Probes[i]
		out = append(out, check.Rule{ID: p.ID, Title: p.Title, Severity: p.sev, OWASPLLM: p.OWASPLLM,
			Description: p.Description + " Runs at --llm " + p.Tier + tierSuffix(p.Tier) + ".", Remediation: probeFix(p)})
	}
	return out
}

func tierSuffix(tier string) string {
	if tier == TierDeep {
		return ""
	}
	return " and above"
}

// probeFix is the remediation of a probe's findings.
func probeFix(p *Probe) finding.Remediation {
	return finding.Remediation{Summary: p.Remediation, References: []string{"https://genai.owasp.org/llm-top-10/"}}
}
