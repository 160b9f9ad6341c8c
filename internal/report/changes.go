package report

import (
	"fmt"
	"strings"

	"github.com/plumbsec/plumb/internal/result"
)

// changeLine is one change a writes scan did not undo, as one sentence.
func changeLine(c result.Change) string {
	return fmt.Sprintf("%s: %s (%s, by %s); not undone: %s", c.Object, c.Change, c.Operation, c.Check, c.Reason)
}

// changes prints what a writes scan changed on the target and did not put
// back: the user has to, so it comes right after the findings.
func (t *tw) changes(r *result.Report) {
	if r.Mode != "writes" {
		return
	}
	if len(r.ChangesNotUndone) == 0 {
		t.printf("%s\n\n", t.c(ansiDim, "writes mode: plumb undid every change it made on the target"))
		return
	}
	t.printf("%s\n", t.c(ansiBold+ansiYel, fmt.Sprintf("CHANGES NOT UNDONE (%d) — undo them by hand", len(r.ChangesNotUndone))))
	for _, c := range r.ChangesNotUndone {
		t.wrap("  • ", changeLine(c), "")
	}
	t.printf("\n")
}

// mdChanges is the markdown section of the changes not undone.
func mdChanges(b *strings.Builder, r *result.Report) {
	if r.Mode != "writes" {
		return
	}
	if len(r.ChangesNotUndone) == 0 {
		b.WriteString("Writes mode: plumb undid every change it made on the target.\n\n")
		return
	}
	fmt.Fprintf(b, "### ⚠️ Changes plumb did not undo (%d)\n\n| object | change | request | check | why not undone |\n|---|---|---|---|---|\n",
		len(r.ChangesNotUndone))
	for _, c := range r.ChangesNotUndone {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", mdEscape(c.Object), mdEscape(c.Change), mdCode(c.Operation), mdCode(c.Check), mdEscape(c.Reason))
	}
	b.WriteString("\n")
}
