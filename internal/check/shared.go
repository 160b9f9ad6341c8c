package check

import "sync"

// sharedValues memoizes values several checks need but that must be
// computed once per scan (e.g. the bearer-token calibration). It lives in
// the Input, so nothing is shared across scans.
type sharedValues struct {
	mu sync.Mutex
	m  map[any]*sharedEntry
}

type sharedEntry struct {
	once sync.Once
	v    any
	err  error
}

// Shared returns the result of compute for key, calling compute at most
// once per Input however many checks ask, concurrently or not. Callers
// that arrive while it runs wait for it. Use an unexported key type per
// package to avoid collisions.
func (in *Input) Shared(key any, compute func() (any, error)) (any, error) {
	in.shared.mu.Lock()
	if in.shared.m == nil {
		in.shared.m = map[any]*sharedEntry{}
	}
	e, ok := in.shared.m[key]
	if !ok {
		e = &sharedEntry{}
		in.shared.m[key] = e
	}
	in.shared.mu.Unlock()
	e.once.Do(func() { e.v, e.err = compute() })
	return e.v, e.err
}
