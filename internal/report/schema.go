package report

import (
	"encoding/json"
	"net/netip"
	"path"
	"reflect"

	"github.com/plumbsec/plumb/internal/result"

	"github.com/invopop/jsonschema"

	"github.com/plumbsec/plumb/internal/code"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
)

// SchemaID identifies the report schema document.
const SchemaID = "https://github.com/plumbsec/plumb/docs/report.schema.json"

// Schema returns the JSON Schema of the report contract, generated from
// the Go types so it cannot drift from what plumb writes.
func Schema() ([]byte, error) {
	return SchemaOf(&result.Report{}, SchemaID, "plumb scan report",
		"The JSON report written by `plumb scan --format json`, schema_version "+result.SchemaVersion+".")
}

// CodeSchemaID identifies the plumb code report schema document.
const CodeSchemaID = "https://github.com/plumbsec/plumb/docs/code.schema.json"

// CodeSchema returns the JSON Schema of the `plumb code --format json` report.
func CodeSchema() ([]byte, error) {
	return SchemaOf(&code.Report{}, CodeSchemaID, "plumb code report",
		"The JSON report written by `plumb code --format json`, schema_version "+code.SchemaVersion+".")
}

// SchemaOf returns the JSON Schema of v's JSON encoding, with plumb's
// enums (severity, confidence, category, DNS status) as the report schema
// has them. Other JSON contracts (plumb dns, plumb spec, plumb code, the
// MCP tools) use it.
func SchemaOf(v any, id, title, description string) ([]byte, error) {
	r := &jsonschema.Reflector{
		Anonymous:      true,
		ExpandedStruct: true,
		Mapper:         mapType,
		// Qualify definition names so equal type names from two packages never collide.
		Namer: func(t reflect.Type) string {
			if t.PkgPath() == "" || t.Name() == "" {
				return t.Name()
			}
			return path.Base(t.PkgPath()) + "." + t.Name()
		},
	}
	s := r.Reflect(v)
	s.ID = jsonschema.ID(id)
	s.Title = title
	s.Description = description
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func mapType(t reflect.Type) *jsonschema.Schema {
	switch t {
	case reflect.TypeFor[finding.Severity]():
		return enum("info", "low", "medium", "high", "critical")
	case reflect.TypeFor[finding.Confidence]():
		return enum("tentative", "firm", "confirmed")
	case reflect.TypeFor[finding.Category]():
		cats := make([]string, len(finding.Categories))
		for i, c := range finding.Categories {
			cats[i] = string(c)
		}
		return enum(cats...)
	case reflect.TypeFor[finding.DNSStatus]():
		sts := make([]string, len(finding.DNSStatuses))
		for i, s := range finding.DNSStatuses {
			sts[i] = string(s)
		}
		return enum(sts...)
	case reflect.TypeFor[hosts.Role]():
		return &jsonschema.Schema{Type: "string"}
	case reflect.TypeFor[netip.Addr]():
		return &jsonschema.Schema{Type: "string", Description: "an IPv4 or IPv6 address"}
	}
	return nil
}

func enum(vals ...string) *jsonschema.Schema {
	s := &jsonschema.Schema{Type: "string"}
	for _, v := range vals {
		s.Enum = append(s.Enum, v)
	}
	return s
}
