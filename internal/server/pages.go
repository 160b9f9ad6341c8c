package server

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

//go:embed web/templates/*.html web/static/*
var webFS embed.FS

// pages holds one template set per dashboard page, each with the layout.
type pages struct {
	byName map[string]*template.Template
	css    []byte
}

var funcs = template.FuncMap{
	"when": func(t any) string {
		var tt time.Time
		switch v := t.(type) {
		case time.Time:
			tt = v
		case *time.Time:
			if v == nil {
				return ""
			}
			tt = *v
		}
		if tt.IsZero() {
			return ""
		}
		return tt.UTC().Format("2006-01-02 15:04 UTC")
	},
	"join": strings.Join,
}

func loadPages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	names, err := fs.Glob(webFS, "web/templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := strings.TrimSuffix(n[len("web/templates/"):], ".html")
		if base == "layout" || base == "findings" {
			continue // shared blocks, parsed with every page
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(webFS, "web/templates/layout.html", "web/templates/findings.html", n)
		if err != nil {
			return nil, fmt.Errorf("dashboard template %s: %w", base, err)
		}
		p.byName[base] = t
	}
	if p.css, err = webFS.ReadFile("web/static/style.css"); err != nil {
		return nil, err
	}
	return p, nil
}

// view is what every page template gets.
type view struct {
	Title  string
	CSRF   string // empty when signed out (hides the navigation)
	Flash  string
	Origin string
	Data   any
}

// render executes a page into a buffer first, so a template error is a
// clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, status int, page string, v view) {
	t, ok := s.pages.byName[page]
	if !ok {
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.cfg.Logger.Error("render page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) staticCSS(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(s.pages.css)
}

// sparkline draws the last scores (oldest first) as a small inline SVG.
// It holds only numbers the server computed, so it is safe as HTML.
func sparkline(scores []int) template.HTML {
	if len(scores) < 2 {
		return ""
	}
	const w, h = 100.0, 24.0
	var pts strings.Builder
	for i, s := range scores {
		x := w * float64(i) / float64(len(scores)-1)
		y := h - 2 - (h-4)*float64(s)/100
		fmt.Fprintf(&pts, "%.1f,%.1f ", x, y)
	}
	last := scores[len(scores)-1]
	colour := "#2e7d32"
	if last < scores[len(scores)-2] {
		colour = "#c62828"
	}
	return template.HTML(fmt.Sprintf(`<svg class="spark" width="100" height="24" viewBox="0 0 100 24" role="img" aria-label="score trend %v"><polyline fill="none" stroke="%s" stroke-width="2" points="%s"/></svg>`, //nolint:gosec // numbers only
		scores, colour, strings.TrimSpace(pts.String())))
}
