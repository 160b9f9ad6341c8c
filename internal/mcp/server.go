// Package mcp serves plumb's scans to AI assistants over the Model Context
// Protocol (the official go-sdk): audit_dns, scan_api, analyse_spec,
// scan_code and explain_finding, each with input and output schemas whose
// structured results are the CLI's JSON contracts. It guards what an assistant can
// make plumb do: targets only from --allow-target, credentials only by the
// name of an environment variable --allow-env lists, writes only with
// --allow-writes.
package mcp

import (
	"context"
	"errors"

	"github.com/google/jsonschema-go/jsonschema"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/plumbsec/plumb/internal/catalog"
	"github.com/plumbsec/plumb/internal/code"
	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/engine"
)

// Config says what a plumb mcp server may do and how it builds the scans
// its tools run. The CLI fills it from plumb mcp's flags so a tool call
// scans exactly as the matching command would.
type Config struct {
	Version     string
	Targets     *Allowlist // hosts tools may reach; nil or empty: none
	Env         []string   // --allow-env globs: variables a credential may come from
	AllowWrites bool       // scan_api may honour allow_writes
	Resolvers   []string   // the configured resolvers, which audit_dns may also name
	// Iterative says the server resolves names from the root servers
	// (--resolver iterative): DNS audits work as plumb dns does, while
	// scan_api and analyse_spec of a URL, which need a recursive
	// resolver, refuse with ErrNeedsResolver.
	Iterative   bool
	MaxRequests int // the request budget of one scan, and the most scan_api may ask for

	// ScanOptions builds the engine options of one scan_api call, the way
	// plumb scan builds them from its flags. Its errors are the user's.
	ScanOptions func(ScanSettings) (engine.Options, error)
	// SpecOptions builds the options analyse_spec loads a document with.
	SpecOptions func() (engine.Options, error)
	// Auditor builds a DNS auditor as plumb dns would with the call's
	// settings on top of the server's flags.
	Auditor func(ctx context.Context, s DNSSettings) (*dnsaudit.Auditor, error)
	// CodeOptions builds the options of one scan_code call as plumb code
	// builds them, with its DNS auditor when audit is set. scan_code sets
	// which hosts may be audited (Targets) and asks for the auditor only
	// when one is.
	CodeOptions func(ctx context.Context, audit bool) (code.Options, error)
	// Catalog explains rules; nil means catalog.Full().
	Catalog *catalog.Catalog
}

// ScanSettings are what one scan_api call chooses on top of the server's
// flags.
type ScanSettings struct {
	BearerEnv, BearerEnvB string // environment variable names, never values
	LLM                   string // LLM probe tier ("" for the default)
	MaxRequests           int    // 0: the server's budget
	AllowWrites           bool
}

// DNSSettings are what one audit_dns call chooses on top of the server's
// flags.
type DNSSettings struct {
	Resolver string               // "" for the server's resolvers, IP:PORT, or "iterative"
	Types    dnsaudit.RecordTypes // 0 for the default (dnsaudit.DefaultTypes)
}

// ErrNeedsResolver is what scan_api and analyse_spec of a URL answer on a
// server started with --resolver iterative: HTTP needs a recursive resolver.
var ErrNeedsResolver = errors.New("plumb mcp was started with --resolver iterative, which only DNS audits (audit_dns, scan_code) use: " +
	"scans and documents fetched from a URL need a recursive resolver (the user must restart plumb mcp with --resolver IP:PORT)")

// ErrConfig is a Config that cannot serve.
var ErrConfig = errors.New("mcp: incomplete configuration")

// New returns an MCP server with plumb's tools. It infers and checks
// every schema first, so a mistake is an error here rather than a panic
// when a tool is added.
func New(cfg Config) (*sdk.Server, error) {
	if cfg.ScanOptions == nil || cfg.SpecOptions == nil || cfg.Auditor == nil || cfg.CodeOptions == nil {
		return nil, ErrConfig
	}
	if cfg.Targets == nil {
		cfg.Targets = &Allowlist{}
	}
	if cfg.Catalog == nil {
		cfg.Catalog = catalog.Full()
	}
	if cfg.MaxRequests <= 0 {
		cfg.MaxRequests = 2000
	}
	t := &tools{cfg: cfg}
	s := sdk.NewServer(&sdk.Implementation{Name: "plumb", Title: "plumb API security scanner", Version: cfg.Version},
		&sdk.ServerOptions{Instructions: instructions})
	for _, add := range []func(*sdk.Server) error{t.addAuditDNS, t.addScanAPI, t.addAnalyseSpec, t.addScanCode, t.addExplain} {
		if err := add(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

const instructions = `plumb is a black-box API security scanner that follows the tokens: it
audits the DNS of host names (dangling CNAMEs, takeovers), scans an API from
the outside (findings with evidence, a score and grade), analyses OpenAPI
documents (where credentials flow), reads an application's code for the
hosts it sends credentials to, and explains its rules.
Only hosts the user allowed when starting the server can be scanned or
DNS-audited; a refused target means the user must restart plumb mcp with
--allow-target (scan_code still reads the code and lists the hosts it
could not audit).
Never ask the user for a token: scan_api takes the NAME of an environment
variable of the server (bearer_env), never its value.`

// tools holds the configuration the tool handlers share.
type tools struct{ cfg Config }

// addTool adds a typed tool with explicit, already-resolved schemas.
func addTool[In, Out any](s *sdk.Server, t *sdk.Tool, in, out *jsonschema.Schema, h sdk.ToolHandlerFor[In, Out]) {
	t.InputSchema, t.OutputSchema = in, out
	sdk.AddTool(s, t, h)
}

func ptr[T any](v T) *T { return &v }

// annotations marks a tool read-only (it changes nothing it touches) and
// whether it reaches beyond this machine.
func annotations(title string, openWorld bool) *sdk.ToolAnnotations {
	return &sdk.ToolAnnotations{Title: title, ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: ptr(openWorld)}
}
