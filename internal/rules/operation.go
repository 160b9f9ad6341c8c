package rules

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Operation is what an operation rule reads of one API operation: its
// names, never its traffic.
type Operation struct {
	Path        string // template, e.g. /admin/reset-db or /users/{id}
	OperationID string
	Summary     string
	Tags        []string
}

// summaryFiller are words a summary may start with before its verb
// ("This endpoint resets …", "Used to delete …").
var summaryFiller = map[string]bool{
	"this": true, "endpoint": true, "api": true, "operation": true, "method": true, "call": true,
	"used": true, "to": true, "will": true, "can": true, "be": true, "the": true, "which": true, "that": true,
}

// MatchOperation reports whether an operation rule covers op, and where
// it matched (e.g. `path word "reset"`):
//   - a word of a literal path segment or of the operationId is one of
//     the rule's words, or a one-word segment or operationId word starts
//     with one of its prefixes (resetdb) — unless a word of that name is
//     excluded (getImportStatus, /run-history);
//   - the summary's leading verb is one of the words, bare or with -s/-es
//     ("Resets the database");
//   - a tag of two or more words starts with one ("Reset database"): a
//     one-word tag names a group of operations, not what one does.
func (r *Rule) MatchOperation(op Operation) (string, bool) {
	for _, seg := range strings.Split(op.Path, "/") {
		if seg == "" || strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			continue
		}
		if w, ok := r.matchName(stripParams(seg)); ok {
			return fmt.Sprintf("path word %q", w), true
		}
	}
	if w, ok := r.matchName(op.OperationID); ok {
		return fmt.Sprintf("operationId word %q", w), true
	}
	if v, ok := r.matchSummary(op.Summary); ok {
		return fmt.Sprintf("summary verb %q", v), true
	}
	for _, t := range op.Tags {
		ws := nameWords(t)
		if len(ws) >= 2 && r.words[ws[0]] {
			return fmt.Sprintf("tag %q", t), true
		}
	}
	return "", false
}

// matchName applies words, prefixes and exclude to one name.
func (r *Rule) matchName(name string) (string, bool) {
	ws := nameWords(name)
	hit := ""
	for _, w := range ws {
		if r.exclude[w] {
			return "", false
		}
		if hit != "" {
			continue
		}
		if r.words[w] {
			hit = w
			continue
		}
		for _, p := range r.prefixes {
			if len(w) >= len(p)+2 && strings.HasPrefix(w, p) {
				hit = w
				break
			}
		}
	}
	return hit, hit != ""
}

// matchSummary finds the summary's leading verb, also written as two
// words ("Log out", "Re-create", "Set up").
func (r *Rule) matchSummary(s string) (string, bool) {
	ws := nameWords(s)
	for i, w := range ws {
		if summaryFiller[w] {
			continue
		}
		if i+1 < len(ws) && r.verb(w+ws[i+1]) {
			return w + " " + ws[i+1], true
		}
		return w, r.verb(w)
	}
	return "", false
}

// verb reports whether w is one of the words, bare or with -s/-es/-ies.
func (r *Rule) verb(w string) bool {
	if r.words[w] {
		return true
	}
	for _, stem := range []string{strings.TrimSuffix(w, "s"), strings.TrimSuffix(w, "es"), strings.TrimSuffix(w, "ies") + "y"} {
		if stem != "" && len(stem) < len(w) && r.words[stem] {
			return true
		}
	}
	return false
}

// stripParams drops {param} parts of a segment (/{name}:cancel → :cancel).
func stripParams(seg string) string {
	var b strings.Builder
	depth := 0
	for _, c := range seg {
		switch {
		case c == '{':
			depth++
			b.WriteByte(' ')
		case c == '}' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// nameWords splits a name or a phrase into lower-case words: at anything
// that is not a letter or digit, and at camelCase humps.
func nameWords(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		out = append(out, words(part)...)
	}
	return out
}

func (r *Rule) compileOperation() error {
	if len(r.Words) == 0 {
		return &Error{Field: "words", Err: errors.New("an operation rule needs words")}
	}
	for _, s := range append(append([]Sample(nil), r.Positive...), r.Negative...) {
		if s.Expect != nil {
			return &Error{Field: "positive", Err: errors.New("operation samples have no captures")}
		}
		if _, err := ParseOperationSample(s.Text); err != nil {
			return &Error{Field: "positive", Err: err}
		}
	}
	r.words, r.exclude = setOf(r.Words, strings.ToLower), setOf(r.Exclude, strings.ToLower)
	for _, p := range r.Prefixes {
		if p == "" {
			return &Error{Field: "prefixes", Err: errors.New("empty prefix")}
		}
		r.prefixes = append(r.prefixes, strings.ToLower(p))
	}
	if r.words[""] || r.exclude[""] {
		return &Error{Field: "words", Err: errors.New("empty word")}
	}
	return nil
}

// ParseOperationSample reads an operation sample: "METHOD /path", then
// optionally " | operationId | summary | tag, tag" (empty fields allowed).
func ParseOperationSample(s string) (Operation, error) {
	parts := strings.Split(s, "|")
	head := strings.Fields(parts[0])
	if len(head) != 2 || !strings.HasPrefix(head[1], "/") || len(parts) > 4 {
		return Operation{}, fmt.Errorf("sample %q: want \"METHOD /path | operationId | summary | tags\"", s)
	}
	op := Operation{Path: head[1]}
	field := func(i int) string {
		if i < len(parts) {
			return strings.TrimSpace(parts[i])
		}
		return ""
	}
	op.OperationID, op.Summary = field(1), field(2)
	for _, t := range strings.Split(field(3), ",") {
		if t = strings.TrimSpace(t); t != "" {
			op.Tags = append(op.Tags, t)
		}
	}
	return op, nil
}
