package check

// LLMOptions configure the LLM probes (--llm, --llm-system-prompt-file).
type LLMOptions struct {
	// Tier is quick, standard, deep or off; "" means standard.
	Tier string
	// SystemPrompt is the deployed system prompt, when the user gives it:
	// leakage is then measured against it (gray box).
	SystemPrompt string
}
