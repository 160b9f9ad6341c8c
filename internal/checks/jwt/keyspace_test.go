package jwt

import (
	"context"
	"crypto/hmac"
	"fmt"
	"syscall"
	"testing"
	"time"

	gjwt "github.com/golang-jwt/jwt/v5"
)

func tokenTarget(t testing.TB, alg gjwt.SigningMethod, secret string) *target {
	t.Helper()
	s, err := gjwt.NewWithClaims(alg, gjwt.MapClaims{"sub": "alice", "iat": 1700000000, "role": "user"}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	tg, ok := newTarget(tok)
	if !ok {
		t.Fatal("not an HMAC token")
	}
	return tg
}

// The worker's HMAC equals crypto/hmac's for every key length around the
// block size, across key changes in both directions (the pads must not
// keep bytes of a longer previous key).
func TestWorkerMatchesCryptoHMAC(t *testing.T) {
	t.Parallel()
	for _, alg := range []gjwt.SigningMethod{gjwt.SigningMethodHS256, gjwt.SigningMethodHS384, gjwt.SigningMethodHS512} {
		tg := tokenTarget(t, alg, "x")
		w := newWorker(tg)
		for _, n := range []int{1, 63, 64, 65, 0, 127, 128, 129, 200, 3} {
			key := make([]byte, n)
			for i := range key {
				key[i] = byte('a' + i%26)
			}
			w.setKey(key)
			w.match()
			m := hmac.New(tg.newHash, key)
			m.Write(tg.msg)
			if !hmac.Equal(m.Sum(nil), w.sum2) {
				t.Errorf("%s key length %d: HMAC differs from crypto/hmac", alg.Alg(), n)
			}
		}
	}
}

// Keyspace search finds secrets at both ends of a length and across
// lengths, with one worker or several.
func TestSearchFindsKeyspaceSecrets(t *testing.T) {
	t.Parallel()
	ks := Keyspace{Alphabet: "abc0", MaxLen: 4}
	for _, secret := range []string{"a", "0", "aaaa", "0000", "c0a", "b0b0"} {
		for _, nw := range []int{1, 3} {
			r := search(context.Background(), tokenTarget(t, gjwt.SigningMethodHS256, secret), ks, nw)
			if !r.found || r.key != secret {
				t.Errorf("secret %q, %d workers: %+v", secret, nw, r)
			}
		}
	}
	r := search(context.Background(), tokenTarget(t, gjwt.SigningMethodHS256, "abcd"), ks, 2)
	if r.found || !r.complete || r.tried != ks.Size() {
		t.Errorf("a secret outside the keyspace: %+v, want complete after %d tries", r, ks.Size())
	}
	if got := DefaultKeyspaces[0].Size() + DefaultKeyspaces[1].Size(); got != 11_111_110+12_356_630 {
		t.Errorf("default keyspaces hold %d keys", got)
	}
}

// The default crack finds a six-digit secret (the keyspace) and a
// dictionary word, says where, and stops when its context ends.
func TestCrackOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ secret, list string }{
		{"secret", builtinList},
		{"tangerine", "a 122,087-word English dictionary (SCOWL)"},
		{"Mississippi", "a 122,087-word English dictionary (SCOWL)"},
		{"in-users-list", "the --jwt-wordlist file"},
		{"270811", DefaultKeyspaces[0].Name},
	} {
		tok, _ := Parse(sign(t, tc.secret, gjwt.MapClaims{"sub": "alice"}))
		r := CrackOptions{}.crack(context.Background(), tok, []string{"in-users-list"})
		if !r.found || r.secret != tc.secret || r.list != tc.list {
			t.Errorf("secret %q: %+v, want found in %q", tc.secret, r, tc.list)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tok, _ := Parse(sign(t, "zzzzzzzzz-not-guessable", gjwt.MapClaims{"sub": "bob"}))
	t0 := time.Now()
	r := CrackOptions{}.crack(ctx, tok, nil)
	if r.found || r.complete {
		t.Errorf("a cancelled crack: %+v", r)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Logf("a cancelled crack took %s", d) // informative, not a timing assertion
	}
	if n, err := DictionarySize(); err != nil || n < 100_000 {
		t.Errorf("dictionary: %d words, %v", n, err)
	}
}

// BenchmarkKeyspace reports the exhaustive search's rate (HS256, a
// 160-byte signing input like a real access token) on all cores.
func BenchmarkKeyspace(b *testing.B) {
	tg := tokenTarget(b, gjwt.SigningMethodHS256, "not-in-any-keyspace")
	ks := Keyspace{Alphabet: "0123456789", MaxLen: 6}
	b.ReportAllocs()
	var tried int64
	t0, c0 := time.Now(), cpuTime()
	for b.Loop() {
		r := search(context.Background(), tg, ks, 0)
		tried += r.tried
	}
	reportRates(b, tried, time.Since(t0), cpuTime()-c0)
}

// reportRates reports tries per wall second and per CPU second: on a
// shared machine only the second is comparable between runs.
func reportRates(b *testing.B, tried int64, wall, cpu time.Duration) {
	b.ReportMetric(float64(tried)/wall.Seconds(), "tries/s")
	if cpu > 0 {
		b.ReportMetric(float64(tried)/cpu.Seconds(), "tries/cpu-s")
	}
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkKeyspaceOneCore is the per-core rate.
func BenchmarkKeyspaceOneCore(b *testing.B) {
	tg := tokenTarget(b, gjwt.SigningMethodHS256, "not-in-any-keyspace")
	ks := Keyspace{Alphabet: "0123456789", MaxLen: 5}
	var tried int64
	t0, c0 := time.Now(), cpuTime()
	for b.Loop() {
		tried += search(context.Background(), tg, ks, 1).tried
	}
	reportRates(b, tried, time.Since(t0), cpuTime()-c0)
}

// BenchmarkDefaultCrack is the whole default crack of a token with a
// strong secret: every list and both keyspaces.
func BenchmarkDefaultCrack(b *testing.B) {
	var tried int64
	t0, c0 := time.Now(), cpuTime()
	for i := 0; b.Loop(); i++ {
		tok, _ := Parse(sign(b, "strong-"+fmt.Sprint(i), gjwt.MapClaims{"sub": "alice", "iat": 1700000000}))
		r := (CrackOptions{}).crack(context.Background(), tok, nil)
		if r.found || !r.complete {
			b.Fatalf("%+v", r)
		}
		tried += r.tried
	}
	reportRates(b, tried, time.Since(t0), cpuTime()-c0)
}
