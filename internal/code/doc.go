// Package code is the inside view of `plumb code`: it reads an
// application's source (Python, JavaScript/TypeScript, Go) and configuration
// (.env, YAML, JSON, TOML, INI, .properties, Terraform) and finds the hosts
// it calls, which of those calls carry credentials (graded confirmed, likely
// or possible), and the remediation patterns of this problem space (TLS
// verification off, no timeout, hard-coded tokens, credentials over http://,
// destinations from user input or the environment, Authorization forwarded
// on redirects), each with file and line. DNS truth for the hosts comes from
// internal/dnsaudit; the CLI renders the Report.
//
// Every language front-end (a real parser for Go, a tokenizer and a tolerant
// parser for Python and JavaScript) lowers its input to one small IR (ir.go)
// that a single analyzer reads, so the linking and pattern rules exist once.
package code
