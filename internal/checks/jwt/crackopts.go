package jwt

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"time"
)

// DefaultMaxCrackTime bounds the offline crack of one scan (the scan's
// --max-time bounds it too): on two cores the default keyspaces take a few
// seconds, so the bound only matters on a starved machine.
const DefaultMaxCrackTime = 3 * time.Minute

// CrackOptions say how hard the JWT checks try to guess an HMAC secret.
// The zero value is plumb's default: every list, then DefaultKeyspaces on
// every core (at most 8), for at most DefaultMaxCrackTime.
type CrackOptions struct {
	// Keyspaces are searched exhaustively after the lists; nil means
	// DefaultKeyspaces, an empty non-nil slice none.
	Keyspaces []Keyspace
	Workers   int           // goroutines of a keyspace search; 0: GOMAXPROCS, at most 8
	MaxTime   time.Duration // 0: DefaultMaxCrackTime
}

func (o CrackOptions) keyspaces() []Keyspace {
	if o.Keyspaces == nil {
		return DefaultKeyspaces
	}
	return o.Keyspaces
}

// crackResult is what cracking one token gave.
type crackResult struct {
	secret   string
	list     string
	found    bool
	tried    int64
	complete bool // every candidate was tried
}

// crack tries the lists in order (team list, dictionary, user list) and
// then the keyspaces, stopping at the first hit, when ctx ends or after
// MaxTime. Results are remembered for the process: a token is the same
// puzzle in every scan that meets it.
func (o CrackOptions) crack(ctx context.Context, t *Token, user []string) crackResult {
	tg, ok := newTarget(t)
	if !ok {
		return crackResult{complete: true}
	}
	key := o.cacheKey(t, user)
	if r, ok := crackCache.get(key); ok {
		return r
	}
	ctx, cancel := context.WithTimeout(ctx, cmpDur(o.MaxTime, DefaultMaxCrackTime))
	defer cancel()
	r := o.run(ctx, tg, user)
	if r.found || r.complete {
		crackCache.put(key, r)
	}
	return r
}

func (o CrackOptions) run(ctx context.Context, tg *target, user []string) crackResult {
	var tried int64
	dict, err := dictionary()
	lists := []struct {
		name string
		next func() ([]byte, bool)
	}{
		{builtinList, lines(builtinSecretsClean())},
		{"a 122,087-word English dictionary (SCOWL)", lines(dict)},
		{"the --jwt-wordlist file", stringsIter(user)},
	}
	for _, l := range lists {
		s, found, n := tryList(ctx, tg, l.next)
		tried += n
		if found {
			return crackResult{secret: s, list: l.name, found: true, tried: tried}
		}
		if ctx.Err() != nil {
			return crackResult{tried: tried}
		}
	}
	for _, ks := range o.keyspaces() {
		r := search(ctx, tg, ks, o.Workers)
		tried += r.tried
		if r.found {
			return crackResult{secret: r.key, list: ks.Name, found: true, tried: tried}
		}
		if !r.complete {
			return crackResult{tried: tried}
		}
	}
	return crackResult{tried: tried, complete: err == nil}
}

// builtinSecretsClean is the team list without its comments, one per line.
var builtinSecretsClean = sync.OnceValue(func() []byte {
	return []byte(strings.Join(BuiltinSecrets(), "\n"))
})

// cacheKey names a crack: the token's algorithm, signing input and
// signature, the keyspaces and the user's list.
func (o CrackOptions) cacheKey(t *Token, user []string) [32]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", t.Alg(), t.SigningInput(), t.Parts[2])
	for _, ks := range o.keyspaces() {
		fmt.Fprintf(h, "%q:%d\x00", ks.Alphabet, ks.MaxLen)
	}
	fmt.Fprintf(h, "\x01%d\x00", len(user))
	for _, u := range user {
		fmt.Fprintf(h, "%d:%s", len(u), u)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func cmpDur(a, b time.Duration) time.Duration {
	if a > 0 {
		return a
	}
	return b
}

// crackCache remembers the last cracks of the process (a bounded map; the
// oldest entry goes first).
var crackCache = &resultCache{max: 64, m: map[[32]byte]crackResult{}}

type resultCache struct {
	mu    sync.Mutex
	max   int
	m     map[[32]byte]crackResult
	order [][32]byte
}

func (c *resultCache) get(k [32]byte) (crackResult, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[k]
	return r, ok
}

func (c *resultCache) put(k [32]byte, r crackResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok {
		return
	}
	if len(c.order) >= c.max {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.m[k] = r
	c.order = append(c.order, k)
}
