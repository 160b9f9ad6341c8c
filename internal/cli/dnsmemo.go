package cli

import (
	"context"
	"strings"
	"sync"

	"github.com/plumbsec/plumb/internal/dnsaudit"
)

// memoNames is how many distinct names `plumb dns` remembers results for:
// a name repeated within that many others is audited once.
const memoNames = 65536

// auditMemo audits each name once and hands the result to every copy of
// the name, while it is among the last size names seen (first in, first
// out), so memory stays bounded on any input.
type auditMemo struct {
	mu    sync.Mutex
	size  int
	m     map[string]*memoEntry
	order []string // ring of keys, oldest at next
	next  int
}

type memoEntry struct {
	done chan struct{}
	res  *dnsaudit.Result
}

func newAuditMemo(size int) *auditMemo {
	return &auditMemo{size: size, m: map[string]*memoEntry{}}
}

// audit returns the audit of name: its own, or a copy of the one an
// earlier (or concurrent) copy of the name got. A copy counts no queries:
// it sent none.
func (m *auditMemo) audit(ctx context.Context, a *dnsaudit.Auditor, name string) *dnsaudit.Result {
	key := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	m.mu.Lock()
	if e, ok := m.m[key]; ok {
		m.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return a.Audit(ctx, name) // ends at once: ctx is done
		}
		dup := *e.res
		dup.Queries = 0
		return &dup
	}
	e := &memoEntry{done: make(chan struct{})}
	m.remember(key, e)
	m.mu.Unlock()
	e.res = a.Audit(ctx, name)
	close(e.done)
	return e.res
}

// remember stores e under key, forgetting the oldest name when full; mu is
// held.
func (m *auditMemo) remember(key string, e *memoEntry) {
	if len(m.order) < m.size {
		m.order = append(m.order, key)
	} else {
		delete(m.m, m.order[m.next])
		m.order[m.next] = key
		m.next = (m.next + 1) % m.size
	}
	m.m[key] = e
}
