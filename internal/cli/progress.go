package cli

import (
	"fmt"
	"io"
	"os"
	"sync"

	"golang.org/x/term"

	"github.com/plumbsec/plumb/internal/engine"
)

// progress draws one status line on stderr when stderr is a terminal, and
// nothing otherwise (CI logs stay clean).
type progress struct {
	mu     sync.Mutex
	w      io.Writer
	active bool
	drawn  bool
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, active: isTerminal(w)}
}

func (p *progress) update(e engine.Progress) {
	if !p.active {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	line := "plumb: " + e.Stage
	if e.Total > 0 {
		line = fmt.Sprintf("plumb: checks %d/%d %s", e.Done, e.Total, e.Check)
	}
	if len(line) > 78 {
		line = line[:78]
	}
	fmt.Fprintf(p.w, "\r\x1b[2K%s", line)
	p.drawn = true
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[2K")
	}
	p.active = false
}

func termWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 80
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width < 40 {
		return 80
	}
	return width
}
