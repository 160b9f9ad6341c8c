package catalog

// owaspAPI names the OWASP API Security Top 10 (2023) risks.
var owaspAPI = map[string]string{
	"API1:2023":  "Broken Object Level Authorization",
	"API2:2023":  "Broken Authentication",
	"API3:2023":  "Broken Object Property Level Authorization",
	"API4:2023":  "Unrestricted Resource Consumption",
	"API5:2023":  "Broken Function Level Authorization",
	"API6:2023":  "Unrestricted Access to Sensitive Business Flows",
	"API7:2023":  "Server Side Request Forgery",
	"API8:2023":  "Security Misconfiguration",
	"API9:2023":  "Improper Inventory Management",
	"API10:2023": "Unsafe Consumption of APIs",
}

// owaspLLM names the OWASP Top 10 for LLM Applications (2025) risks.
var owaspLLM = map[string]string{
	"LLM01:2025": "Prompt Injection",
	"LLM02:2025": "Sensitive Information Disclosure",
	"LLM03:2025": "Supply Chain",
	"LLM04:2025": "Data and Model Poisoning",
	"LLM05:2025": "Improper Output Handling",
	"LLM06:2025": "Excessive Agency",
	"LLM07:2025": "System Prompt Leakage",
	"LLM08:2025": "Vector and Embedding Weaknesses",
	"LLM09:2025": "Misinformation",
	"LLM10:2025": "Unbounded Consumption",
}

// OWASPName returns the name of an OWASP API Security (2023) or LLM (2025)
// Top 10 id, "" for an unknown id.
func OWASPName(id string) string {
	if n, ok := owaspAPI[id]; ok {
		return n
	}
	return owaspLLM[id]
}
