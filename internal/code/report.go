package code

import (
	"time"

	"github.com/plumbsec/plumb/internal/finding"
)

// SchemaVersion is the version of the `plumb code` JSON contract.
const SchemaVersion = "1"

// Report is the result of `plumb code`. Its JSON encoding is the documented
// contract (docs/code.schema.json is generated from this type).
type Report struct {
	SchemaVersion string            `json:"schema_version"`
	Tool          Tool              `json:"tool"`
	Paths         []string          `json:"paths"`
	StartedAt     time.Time         `json:"started_at"`
	DurationMS    int64             `json:"duration_ms"`
	DNSAudited    bool              `json:"dns_audited"`
	Files         FileStats         `json:"files"`
	Hosts         []Host            `json:"hosts"`
	Findings      []finding.Finding `json:"findings"`
	Errors        []FileError       `json:"errors"`
	// Partial: the scan stopped early (interrupted) or a part of it could
	// not be done (the hosts' DNS, with no resolver answering); what was
	// read is reported.
	Partial bool `json:"partial"`
	// PartialReasons says why the report is partial, one reason each.
	PartialReasons []string `json:"partial_reasons,omitempty"`
}

// Tool names the scanner that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// FileStats counts the files read and skipped.
type FileStats struct {
	Scanned    int            `json:"scanned"`
	Bytes      int64          `json:"bytes"`
	ByLanguage map[string]int `json:"by_language"`
	Skipped    walkStats      `json:"skipped"`
}

// Host is one outbound destination named in the code or configuration.
type Host struct {
	Name string `json:"name"`
	// CarriesCredentials: a call that sends a credential is linked to this
	// host with confirmed or likely confidence.
	CarriesCredentials bool `json:"carries_credentials"`
	// Link is the strongest credential link: confirmed (same call), likely
	// (same client, session, setting or wrapper), possible (same file), or
	// empty (no credential seen).
	Link      string         `json:"link,omitempty" jsonschema:"enum=confirmed,enum=likely,enum=possible,enum="`
	Locations []HostLocation `json:"locations"`
	DNS       HostDNS        `json:"dns"`
}

// HostLocation is one place that names a host.
type HostLocation struct {
	File string `json:"file"`
	Line int    `json:"line"`
	// Name is the variable, setting or callee that names the host.
	Name string `json:"name,omitempty"`
	// URL is the URL as written (user info removed).
	URL string `json:"url,omitempty"`
	// Link and Via say whether and how a credential reaches the host from
	// here; Call is the file:line of the call that sends it.
	Link string `json:"link,omitempty"`
	Via  string `json:"via,omitempty"`
	Call string `json:"call,omitempty"`
}

// HostDNS is the DNS verdict on a host.
type HostDNS struct {
	// Status is the dnsaudit status (ok, dangling, vulnerable, unresolved,
	// error), or skipped when the host was not audited.
	Status  finding.DNSStatus `json:"status"`
	Detail  string            `json:"detail,omitempty"`
	Service string            `json:"service,omitempty"`
	// Chain is the resolution, one "name TYPE value (rcode)" per step.
	Chain []string `json:"chain,omitempty"`
}
