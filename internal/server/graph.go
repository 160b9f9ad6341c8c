package server

import (
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
)

// The host graph as an SVG picture, drawn on the server: the scanned host
// in the middle, every related host around it on rings, an edge per host
// labelled with its roles. Colour is DNS status; a thick dark ring and a
// solid edge mean the API's credentials flow there. Presentation
// attributes only (no style attributes), so the page's CSP holds.

const (
	graphW      = 900
	nodeR       = 13
	ringGap     = 150
	perRing     = 14
	labelMaxLen = 34
)

// dnsColour is a host's fill colour by DNS status.
func dnsColour(h hosts.Host) (fill, label string) {
	if h.DNS == nil {
		return "#9e9e9e", "not audited"
	}
	switch h.DNS.Status {
	case finding.DNSOK:
		return "#2e7d32", "DNS ok"
	case finding.DNSDangling, finding.DNSVulnerable, finding.DNSUnresolved:
		return "#c62828", "DNS " + string(h.DNS.Status)
	case finding.DNSNoData:
		return "#ef6c00", "DNS nodata"
	case finding.DNSError:
		return "#f9a825", "DNS error"
	}
	return "#9e9e9e", "DNS " + string(h.DNS.Status)
}

type placed struct {
	h    hosts.Host
	x, y float64
}

// layout puts the target (or the first host) in the middle and the rest on
// rings of up to perRing hosts.
func layout(hs []hosts.Host, target string) (center *placed, rest []placed, height float64) {
	others := slices.Clone(hs)
	idx := slices.IndexFunc(others, func(h hosts.Host) bool { return h.Name == target || slices.Contains(h.Roles, hosts.RoleTarget) })
	if idx < 0 && len(others) > 0 {
		idx = 0
	}
	rings := max(1, (len(others)-1+perRing-1)/perRing)
	height = float64(2*rings*ringGap + 160)
	cx, cy := float64(graphW)/2, height/2-20
	if idx >= 0 {
		center = &placed{h: others[idx], x: cx, y: cy}
		others = slices.Delete(others, idx, idx+1)
	}
	for i, h := range others {
		ring, pos := i/perRing, i%perRing
		n := min(perRing, len(others)-ring*perRing)
		a := 2*math.Pi*float64(pos)/float64(n) - math.Pi/2 + float64(ring)*0.2
		r := float64((ring + 1) * ringGap)
		rest = append(rest, placed{h: h, x: cx + r*math.Cos(a)*1.6, y: cy + r*math.Sin(a)})
	}
	return center, rest, height
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func roleList(h hosts.Host) string {
	rs := make([]string, 0, len(h.Roles))
	for _, r := range h.Roles {
		rs = append(rs, string(r))
	}
	return strings.Join(rs, ", ")
}

// writeGraph draws the host graph of a report.
func writeGraph(w io.Writer, hs []hosts.Host, target string) error {
	center, rest, height := layout(hs, target)
	left, right := extent(center, rest)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="%.0f 0 %.0f %.0f" width="100%%" role="img" aria-labelledby="gt gd" font-family="sans-serif" font-size="12">`, left, right-left, height+60)
	b.WriteString(`<title id="gt">Host graph</title><desc id="gd">Hosts related to the API, their roles, where credentials flow and their DNS status.</desc>`)
	fmt.Fprintf(&b, `<rect x="%.0f" width="%.0f" height="%.0f" fill="#ffffff"/>`, left, right-left, height+60)
	if center == nil {
		b.WriteString(`<text x="20" y="40" fill="#333333">No hosts in this report.</text></svg>`)
		_, err := io.WriteString(w, b.String())
		return err
	}
	for _, p := range rest {
		dash, width, colour := ` stroke-dasharray="6 5"`, 1.2, "#9e9e9e"
		if p.h.CarriesCredentials {
			dash, width, colour = "", 2.5, "#37474f"
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%.1f"%s/>`, center.x, center.y, p.x, p.y, colour, width, dash)
		mx, my := (center.x+p.x)/2, (center.y+p.y)/2
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#546e7a" font-size="10">%s</text>`, mx, my-4, html.EscapeString(shorten(roleList(p.h), 40)))
	}
	for _, p := range append([]placed{*center}, rest...) {
		node(&b, p)
	}
	legend(&b, height+10)
	b.WriteString(`</svg>`)
	_, err := io.WriteString(w, b.String())
	return err
}

// labelCharW is about the width of a character of a 12px sans-serif label.
const labelCharW = 7.0

// extent is the horizontal span the picture needs: the canvas, widened
// wherever a node's label (drawn centred under it) would be cut off.
func extent(center *placed, rest []placed) (left, right float64) {
	left, right = 0, graphW
	all := rest
	if center != nil {
		all = append([]placed{*center}, rest...)
	}
	for _, p := range all {
		half := max(float64(nodeR), float64(len([]rune(shorten(p.h.Name, labelMaxLen))))*labelCharW/2) + 8
		left, right = min(left, p.x-half), max(right, p.x+half)
	}
	return math.Floor(left), math.Ceil(right)
}

func node(b *strings.Builder, p placed) {
	fill, dnsLabel := dnsColour(p.h)
	stroke, sw := "#ffffff", 2.0
	if p.h.CarriesCredentials {
		stroke, sw = "#263238", 4
	}
	creds := "no credentials"
	if p.h.CarriesCredentials {
		creds = "receives credentials"
	}
	fmt.Fprintf(b, `<g class="host" data-host="%s" data-dns="%s" data-credentials="%t">`, html.EscapeString(p.h.Name), html.EscapeString(dnsStatus(p.h)), p.h.CarriesCredentials)
	fmt.Fprintf(b, `<title>%s — %s; %s; roles: %s</title>`, html.EscapeString(p.h.Name), dnsLabel, creds, html.EscapeString(roleList(p.h)))
	fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="%d" fill="%s" stroke="%s" stroke-width="%.1f"/>`, p.x, p.y, nodeR, fill, stroke, sw)
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#212121">%s</text>`, p.x, p.y+nodeR+14, html.EscapeString(shorten(p.h.Name, labelMaxLen)))
	b.WriteString(`</g>`)
}

func dnsStatus(h hosts.Host) string {
	if h.DNS == nil {
		return "unknown"
	}
	return string(h.DNS.Status)
}

func legend(b *strings.Builder, y float64) {
	items := []struct{ fill, label string }{{"#2e7d32", "DNS ok"}, {"#c62828", "dangling / claimable / NXDOMAIN"}, {"#ef6c00", "no address"}, {"#f9a825", "DNS error"}, {"#9e9e9e", "not audited"}}
	x := 20.0
	for _, it := range items {
		fmt.Fprintf(b, `<circle cx="%.0f" cy="%.0f" r="6" fill="%s"/><text x="%.0f" y="%.0f" fill="#333333">%s</text>`, x, y+20, it.fill, x+10, y+24, it.label)
		x += float64(len(it.label))*7 + 36
	}
	fmt.Fprintf(b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#37474f" stroke-width="2.5"/><text x="%.0f" y="%.0f" fill="#333333">credentials flow</text>`, x, y+20, x+28, y+20, x+34, y+24)
}
