package cli

import (
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/llm"
)

// llmFlags control the LLM endpoint probes.
type llmFlags struct {
	tier       string
	promptFile string
}

// maxSystemPrompt bounds --llm-system-prompt-file: a prompt, not a corpus.
const maxSystemPrompt = 256 << 10

func (f *llmFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.tier, "llm", llm.TierStandard, "LLM endpoint probes `TIER`: "+strings.Join(llm.Tiers, ", ")+" (run only where an LLM endpoint is found)")
	fs.StringVar(&f.promptFile, "llm-system-prompt-file", "", "the deployed system prompt, `FILE`: measures prompt leakage against it (gray box)")
}

func (f *llmFlags) build() (check.LLMOptions, error) {
	o := check.LLMOptions{Tier: f.tier}
	if !slices.Contains(llm.Tiers, f.tier) {
		return o, usagef("--llm %q: want one of %s", f.tier, strings.Join(llm.Tiers, ", "))
	}
	if f.promptFile != "" {
		b, err := os.ReadFile(f.promptFile)
		if err != nil {
			return o, usagef("--llm-system-prompt-file: %v", err)
		}
		if len(b) > maxSystemPrompt {
			return o, usagef("--llm-system-prompt-file %s: larger than 256 KiB", f.promptFile)
		}
		if strings.TrimSpace(string(b)) == "" {
			return o, usagef("--llm-system-prompt-file %s: the file is empty", f.promptFile)
		}
		o.SystemPrompt = string(b)
	}
	return o, nil
}
