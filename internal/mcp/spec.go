package mcp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/spec"
)

// SpecInput is analyse_spec's input.
type SpecInput struct {
	PathOrURL string `json:"path_or_url" jsonschema:"OpenAPI 2.0/3.0/3.1 document: a file path on the server's machine, or a URL whose host matches --allow-target"`
}

func (t *tools) addAnalyseSpec(s *sdk.Server) error {
	in, err := inputSchema[SpecInput](nil)
	if err != nil {
		return err
	}
	out, err := outputSchema(&spec.Summary{}, schemaBase+"analyse_spec.schema.json", "analyse_spec result",
		"What plumb spec --format json prints: operations, security schemes, servers, every host the document references with its roles and whether credentials flow there.")
	if err != nil {
		return err
	}
	addTool(s, &sdk.Tool{
		Name: "analyse_spec",
		Description: "Analyse an OpenAPI document offline, as `plumb spec` does: operations (and how many require authentication), " +
			"security schemes with their token and authorization URLs, servers, and every host the document references with its " +
			"roles and whether credentials flow there.",
		Annotations: annotations("Analyse an OpenAPI document", true),
	}, in, out, t.analyseSpec)
	return nil
}

func (t *tools) analyseSpec(ctx context.Context, _ *sdk.CallToolRequest, in SpecInput) (*sdk.CallToolResult, *spec.Summary, error) {
	src := strings.TrimSpace(in.PathOrURL)
	if src == "" {
		return nil, nil, errors.New("path_or_url is empty")
	}
	if isURL(src) {
		if err := t.cfg.Targets.URL(src); err != nil {
			return nil, nil, err
		}
		if t.cfg.Iterative {
			return nil, nil, fmt.Errorf("analyse_spec of a URL: %w", ErrNeedsResolver)
		}
	}
	o, err := t.cfg.SpecOptions()
	if err != nil {
		return nil, nil, err
	}
	if o.AllowHost == nil {
		return nil, nil, fmt.Errorf("%w: loading a document has no host policy", ErrConfig)
	}
	api, err := engine.LoadSpec(ctx, src, o)
	if err != nil {
		return nil, nil, err
	}
	sum := api.Summary()
	return toolResult(specSummary(&sum), &sum), &sum, nil
}

func specSummary(s *spec.Summary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (OpenAPI %s) — %s\n", s.Title, s.Version, s.Source)
	fmt.Fprintf(&b, "%d operation(s), %d require authentication; %d security scheme(s).\n", s.Operations, s.OperationsRequiringAuth, len(s.SecuritySchemes))
	var creds, other []string
	for _, h := range s.Hosts {
		roles := make([]string, len(h.Roles))
		for i, r := range h.Roles {
			roles[i] = string(r)
		}
		line := h.Host + " (" + strings.Join(roles, ", ") + ")"
		if h.CarriesCredentials {
			creds = append(creds, line)
		} else {
			other = append(other, line)
		}
	}
	if len(creds) > 0 {
		b.WriteString("Credentials flow to: " + strings.Join(creds, "; ") + ".\n")
	}
	if len(other) > 0 {
		b.WriteString("Other hosts: " + strings.Join(other, "; ") + ".\n")
	}
	for _, w := range s.Warnings {
		b.WriteString("Warning: " + w + "\n")
	}
	b.WriteString("audit_dns on the hosts that carry credentials tells whether any of them dangles.")
	return b.String()
}
