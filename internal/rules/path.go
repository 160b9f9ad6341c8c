package rules

import (
	"bytes"
	"strings"
)

// Confirm reports whether body, served with contentType, is the resource
// a path rule names: every content pattern matches, a rule of its
// content_pack (if any) matches, and a not_html resource is neither served
// nor shaped as HTML (a catch-all page that answers every path with 200
// never confirms).
func (r *Rule) Confirm(body []byte, contentType string) bool {
	if len(r.content) == 0 && r.ContentPack == "" {
		return false
	}
	if r.NotHTML && (strings.Contains(strings.ToLower(contentType), "html") || LooksHTML(body)) {
		return false
	}
	for _, re := range r.content {
		if !re.Match(body) {
			return false
		}
	}
	if r.ContentPack != "" {
		p, err := Load(r.ContentPack)
		if err != nil || p.Kind != KindPattern {
			return false
		}
		if _, ok := p.First(NewText(string(body))); !ok {
			return false
		}
	}
	return true
}

// LooksHTML reports whether body starts like an HTML document.
func LooksHTML(b []byte) bool {
	head := bytes.ToLower(bytes.TrimSpace(b[:min(len(b), 256)]))
	return bytes.HasPrefix(head, []byte("<!doctype")) || bytes.HasPrefix(head, []byte("<html"))
}
