package dnsaudit

import (
	"sync"
	"sync/atomic"
)

// slowAfter is how many silent replies in a row move a server to the back
// of the line: an iterative walk then asks its siblings first instead of
// waiting out its timeout for every name.
const slowAfter = 3

// serverHealth remembers which authorities stopped answering, for the run.
type serverHealth struct{ silent sync.Map } // server → *atomic.Int32 (silences in a row)

func (h *serverHealth) note(server string, answered bool) {
	v, ok := h.silent.Load(server)
	if answered {
		if ok {
			v.(*atomic.Int32).Store(0)
		}
		return
	}
	if !ok {
		v, _ = h.silent.LoadOrStore(server, new(atomic.Int32))
	}
	v.(*atomic.Int32).Add(1)
}

func (h *serverHealth) slow(server string) bool {
	v, ok := h.silent.Load(server)
	return ok && v.(*atomic.Int32).Load() >= slowAfter
}

// order returns servers with the slow ones last (the input when none is).
func (h *serverHealth) order(servers []string) []string {
	var fast, slow []string
	for i, s := range servers {
		if !h.slow(s) {
			if slow != nil {
				fast = append(fast, s)
			}
			continue
		}
		if slow == nil {
			fast = append(fast, servers[:i]...)
		}
		slow = append(slow, s)
	}
	if slow == nil {
		return servers
	}
	return append(fast, slow...)
}
