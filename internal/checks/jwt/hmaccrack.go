package jwt

import (
	"bytes"
	"context"
	"hash"
	"runtime"
	"sync"
	"sync/atomic"
)

// target is one HMAC-signed token to crack: the hash, the signing input
// and the signature it must reproduce.
type target struct {
	newHash func() hash.Hash
	block   int // the hash's block size: 64 (SHA-256) or 128 (SHA-384/512)
	msg     []byte
	want    []byte
}

// newTarget returns the crack target of t, or false for a token that is
// not HMAC-signed or has no signature.
func newTarget(t *Token) (*target, bool) {
	h := hmacHash(t.Alg())
	if h == nil {
		return nil, false
	}
	want, err := b64(t.Parts[2])
	if err != nil || len(want) == 0 {
		return nil, false
	}
	return &target{newHash: h, block: h().BlockSize(), msg: []byte(t.SigningInput()), want: want}, true
}

// worker computes HMACs for one goroutine without allocating: the padded
// key blocks are kept between tries and only the bytes that change are
// rewritten (an enumeration mostly changes the last byte of the key).
type worker struct {
	t            *target
	inner, outer hash.Hash
	ipad, opad   []byte // key XOR 0x36 / 0x5c, padded to the block size
	keyLen       int    // bytes of the key currently in the pads
	sum, sum2    []byte
}

func newWorker(t *target) *worker {
	w := &worker{t: t, inner: t.newHash(), outer: t.newHash(), ipad: make([]byte, t.block), opad: make([]byte, t.block),
		sum: make([]byte, 0, 64), sum2: make([]byte, 0, 64)}
	for i := range w.ipad {
		w.ipad[i], w.opad[i] = 0x36, 0x5c
	}
	return w
}

// setKey puts key into the pads. A key longer than the block is hashed
// first (RFC 2104); that allocates, but no enumerated key is that long.
func (w *worker) setKey(key []byte) {
	if len(key) > w.t.block {
		h := w.t.newHash()
		h.Write(key)
		key = h.Sum(nil)
	}
	for i := len(key); i < w.keyLen; i++ { // bytes of a longer previous key
		w.ipad[i], w.opad[i] = 0x36, 0x5c
	}
	for i, b := range key {
		w.ipad[i], w.opad[i] = b^0x36, b^0x5c
	}
	w.keyLen = len(key)
}

// setByte changes byte i of the current key.
func (w *worker) setByte(i int, b byte) { w.ipad[i], w.opad[i] = b^0x36, b^0x5c }

// match reports whether the key in the pads reproduces the signature.
func (w *worker) match() bool {
	w.inner.Reset()
	w.inner.Write(w.ipad)
	w.inner.Write(w.t.msg)
	w.sum = w.inner.Sum(w.sum[:0])
	w.outer.Reset()
	w.outer.Write(w.opad)
	w.outer.Write(w.sum)
	w.sum2 = w.outer.Sum(w.sum2[:0])
	// Offline: timing is not a secret here, and the first byte rules out
	// all but one key in 256.
	return w.sum2[0] == w.t.want[0] && bytes.Equal(w.sum2, w.t.want)
}

// try tests one key.
func (w *worker) try(key []byte) bool {
	w.setKey(key)
	return w.match()
}

// Keyspace is every string of 1 to MaxLen characters from Alphabet.
type Keyspace struct {
	Name     string // as the report says it: "all numeric secrets of up to 7 digits"
	Alphabet string
	MaxLen   int
}

// DefaultKeyspaces are tried exhaustively after the lists: every numeric
// secret of up to 7 digits (11.1 million) and every lower-case one of up
// to 5 letters (12.4 million).
var DefaultKeyspaces = []Keyspace{
	{Name: "every numeric secret of up to 7 digits", Alphabet: "0123456789", MaxLen: 7},
	{Name: "every lower-case secret of up to 5 letters", Alphabet: "abcdefghijklmnopqrstuvwxyz", MaxLen: 5},
}

// Size is the number of keys in the keyspace.
func (k Keyspace) Size() int64 {
	var n, p int64 = 0, 1
	for range k.MaxLen {
		p *= int64(len(k.Alphabet))
		n += p
	}
	return n
}

// chunk is how many keys a worker claims at a time: large enough that
// the shared counter is cold, small enough that a hit or a cancellation
// stops every worker within milliseconds.
const chunk = 1 << 14

// Workers bounds the goroutines of one exhaustive search; 0 means
// GOMAXPROCS, capped at 8.
func workers(n int) int {
	if n <= 0 {
		n = min(runtime.GOMAXPROCS(0), 8)
	}
	return max(n, 1)
}

// searchResult is the outcome of an exhaustive search.
type searchResult struct {
	key      string
	found    bool
	tried    int64
	complete bool // every key was tried (false: a hit or ctx stopped it)
}

// search tries every key of ks on nw goroutines, stopping at the first
// hit or when ctx ends.
func search(ctx context.Context, t *target, ks Keyspace, nw int) searchResult {
	var (
		tried atomic.Int64
		found atomic.Bool
		once  sync.Once
		hit   string
	)
	alpha := []byte(ks.Alphabet)
	for length := 1; length <= ks.MaxLen; length++ {
		total := int64(1)
		for range length {
			total *= int64(len(alpha))
		}
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers(nw) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := newWorker(t)
				key := make([]byte, length)
				idx := make([]int, length)
				for !found.Load() && ctx.Err() == nil {
					start := next.Add(chunk) - chunk
					if start >= total {
						return
					}
					n := min(int64(chunk), total-start)
					w.seek(key, idx, alpha, start)
					for i := int64(0); i < n; i++ {
						if w.match() {
							found.Store(true)
							once.Do(func() { hit = string(key) })
							tried.Add(i + 1)
							return
						}
						w.increment(key, idx, alpha)
					}
					tried.Add(n)
				}
			}()
		}
		wg.Wait()
		if found.Load() || ctx.Err() != nil {
			break
		}
	}
	return searchResult{key: hit, found: found.Load(), tried: tried.Load(), complete: !found.Load() && ctx.Err() == nil}
}

// seek sets key to the n-th key of its length (base-len(alpha) digits,
// most significant first) and loads it into the pads.
func (w *worker) seek(key []byte, idx []int, alpha []byte, n int64) {
	base := int64(len(alpha))
	for i := len(key) - 1; i >= 0; i-- {
		idx[i] = int(n % base)
		key[i] = alpha[idx[i]]
		n /= base
	}
	w.setKey(key)
}

// increment moves key to the next one, rewriting only the pad bytes of
// the positions that changed.
func (w *worker) increment(key []byte, idx []int, alpha []byte) {
	for i := len(key) - 1; i >= 0; i-- {
		idx[i]++
		if idx[i] < len(alpha) {
			key[i] = alpha[idx[i]]
			w.setByte(i, key[i])
			return
		}
		idx[i] = 0
		key[i] = alpha[0]
		w.setByte(i, key[i])
	}
}

// tryList tests a list of candidates in order on one goroutine; lists are
// short next to a keyspace.
func tryList(ctx context.Context, t *target, next func() ([]byte, bool)) (string, bool, int64) {
	w := newWorker(t)
	var n int64
	for {
		key, ok := next()
		if !ok {
			return "", false, n
		}
		if n++; n%chunk == 0 && ctx.Err() != nil {
			return "", false, n
		}
		if len(key) > 0 && w.try(key) {
			return string(key), true, n
		}
	}
}
