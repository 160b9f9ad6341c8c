package report

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"

	"github.com/plumbsec/plumb/internal/result"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
)

// HTML renders one self-contained page: inline CSS and JS, no external
// resource, and a Content-Security-Policy that allows only the page's own
// style and script by hash, so even text that escaped escaping could not
// run or fetch anything. html/template escapes every value.
type HTML struct{ Opts Options }

//go:embed assets/report.html.tmpl assets/report.css assets/report.js
var assets embed.FS

var htmlTmpl = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"sevClass": func(s finding.Severity) string { return "sev-" + s.String() },
	"upper":    strings.ToUpper,
	"join":     strings.Join,
	"dnsClass": dnsClass,
	"headers":  sortedHeaders,
	"barWidth": func(score int) int { return max(0, min(100, score)) },
	"gradeClass": func(g string) string {
		if g == "N/A" {
			return "grade-na"
		}
		return "grade-" + strings.ToLower(g)
	},
}).ParseFS(assets, "assets/report.html.tmpl"))

type htmlData struct {
	R          *result.Report
	CSS        template.CSS
	JS         template.JS
	CSP        string
	Active     int
	Counts     []sevCount
	Categories []finding.Category
}

type sevCount struct {
	Severity finding.Severity
	N        int
}

// Render writes the page.
func (h HTML) Render(w io.Writer, r *result.Report) error {
	css, err := assets.ReadFile("assets/report.css")
	if err != nil {
		return err
	}
	js, err := assets.ReadFile("assets/report.js")
	if err != nil {
		return err
	}
	d := htmlData{R: r, CSS: template.CSS(css), JS: template.JS(js)}
	d.CSP = fmt.Sprintf("default-src 'none'; style-src '%s'; script-src '%s'; img-src data:; base-uri 'none'; form-action 'none'",
		cspHash(css), cspHash(js))
	counts := r.Counts()
	for s := finding.Critical; s >= finding.Info; s-- {
		d.Counts = append(d.Counts, sevCount{s, counts[s]})
		d.Active += counts[s]
	}
	seen := map[finding.Category]bool{}
	for _, f := range r.Findings {
		if !seen[f.Category] {
			seen[f.Category] = true
			d.Categories = append(d.Categories, f.Category)
		}
	}
	sort.Slice(d.Categories, func(i, j int) bool { return d.Categories[i] < d.Categories[j] })
	return htmlTmpl.Execute(w, d)
}

// cspHash is the CSP source expression allowing exactly this inline content.
func cspHash(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

func dnsClass(d *hosts.DNSSummary) string {
	if d == nil {
		return "dns-unknown"
	}
	switch {
	case d.Status == finding.DNSOK:
		return "dns-ok"
	case d.Status.Broken():
		return "dns-bad"
	case d.Status == finding.DNSError, d.Status == finding.DNSNoData:
		return "dns-warn"
	}
	return "dns-unknown"
}

type header struct{ Name, Value string }

func sortedHeaders(m map[string][]string) []header {
	var out []header
	for k, vs := range m {
		for _, v := range vs {
			out = append(out, header{k, v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
