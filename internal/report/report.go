// Package report renders scan reports. Each format is one small Renderer
// in a registry; the CLI picks renderers by name.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/result"
)

// Options tune rendering.
type Options struct {
	Color bool // ANSI colors (only on a terminal, never with NO_COLOR)
	Width int  // terminal width; 0 means 80
	// FailOn is the --fail-on severity ("" = none): JUnit failures start there.
	FailOn string
	// NewOnly: the gate applies to new findings only (--gate-new-only).
	NewOnly bool
	// Written lists the other outputs of this run, for the table to mention.
	Written []Written
	// Rule looks up what a finding id means (the check catalog); nil: the
	// renderers that list rules describe them from the findings alone.
	Rule func(id string) (result.Rule, bool)
}

// Written is one report file written by this run.
type Written struct {
	Format string
	Path   string
}

// Renderer writes one report in one format.
type Renderer interface {
	Render(w io.Writer, r *result.Report) error
}

// Format is a registered output format.
type Format struct {
	Name        string
	Description string
	New         func(Options) Renderer
}

var formats = []Format{
	{Name: "table", Description: "human-readable terminal report", New: func(o Options) Renderer { return Table{Opts: o} }},
	{Name: "json", Description: "the JSON report contract (docs/report.schema.json)", New: func(Options) Renderer { return JSON{} }},
	{Name: "sarif", Description: "SARIF 2.1.0 for GitHub code scanning and other SARIF viewers", New: func(o Options) Renderer { return SARIF{Opts: o} }},
	{Name: "html", Description: "one self-contained HTML page (works offline)", New: func(o Options) Renderer { return HTML{Opts: o} }},
	{Name: "markdown", Description: "compact Markdown for pull-request comments and job summaries", New: func(o Options) Renderer { return Markdown{Opts: o} }},
	{Name: "junit", Description: "JUnit XML: one test case per check and location", New: func(o Options) Renderer { return JUnit{Opts: o} }},
}

// Formats lists the registered formats.
func Formats() []Format { return formats }

// Names lists the registered format names, sorted.
func Names() []string {
	var ns []string
	for _, f := range formats {
		ns = append(ns, f.Name)
	}
	sort.Strings(ns)
	return ns
}

// Lookup returns the named format.
func Lookup(name string) (Format, error) {
	for _, f := range formats {
		if f.Name == name {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("unknown format %q (want one of %s)", name, strings.Join(Names(), ", "))
}

// JSON renders the report as indented JSON.
type JSON struct{}

// Render writes the report.
func (JSON) Render(w io.Writer, r *result.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// affectedList names a grouped finding's operations, comma-separated.
func affectedList(ls []finding.Location) string {
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.OpName()
	}
	return strings.Join(names, ", ")
}
