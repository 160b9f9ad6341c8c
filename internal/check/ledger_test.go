package check

import (
	"testing"

	"github.com/plumbsec/plumb/internal/result"
)

func TestLedger(t *testing.T) {
	t.Parallel()
	var l Ledger
	a := l.Made(result.Change{Check: "c", Operation: "PUT /x", Object: "x 1", Change: "set a"})
	b := l.Made(result.Change{Check: "c", Operation: "POST /y", Object: "y ?", Change: "created"})
	c := l.Made(result.Change{Check: "c", Operation: "PUT /z", Object: "z 1", Change: "set z"})
	a.Undone()
	b.Describe("y 7", "")
	c.Failed("the restore answered 403")
	got := l.NotUndone()
	if len(got) != 2 || got[0].Object != "y 7" || got[0].Reason != notUndoneYet || got[1].Reason != "the restore answered 403" {
		t.Fatalf("NotUndone = %+v", got)
	}
	var nl *Ledger // a nil ledger records nothing and never panics
	p := nl.Made(result.Change{Object: "o"})
	p.Undone()
	p.Failed("x")
	if nl.NotUndone() != nil {
		t.Error("a nil ledger listed changes")
	}
}
