package netx

import (
	"errors"
	"sync"
)

// Retries of DNS queries are budgeted per Resolver, like gRPC's retry
// throttling: every query earns retryShare of a retry, a retry spends one,
// and up to retryBurst can be saved. A list where most names fail (a dead
// zone, a SERVFAIL-heavy resolver) then costs about (1 + retryShare)
// queries a name instead of 1 + Retries, and does not sleep through a
// backoff per name, while occasional failures are retried as before.
const (
	retryShare = 0.2
	retryBurst = 32
)

type retryBudget struct {
	mu     sync.Mutex
	tokens float64
}

func newRetryBudget() *retryBudget { return &retryBudget{tokens: retryBurst} }

// earn credits one query.
func (b *retryBudget) earn() {
	b.mu.Lock()
	b.tokens = min(b.tokens+retryShare, retryBurst)
	b.mu.Unlock()
}

// spend takes one retry, if the budget allows it.
func (b *retryBudget) spend() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Attempts is how many exchanges a Query or QueryServer sent to get ans
// and err: retries and TCP fallbacks count, so it is what the servers saw.
func Attempts(ans *Answer, err error) int {
	if ans != nil {
		return ans.Attempts
	}
	var de *DNSError
	if errors.As(err, &de) {
		return de.Attempts
	}
	return 0
}
