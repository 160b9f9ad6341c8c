package input

import (
	"strings"
	"testing"
)

// BenchmarkSignatures runs the stack and SQL tables over a 64 KiB body.
func BenchmarkSignatures(b *testing.B) {
	body := []byte(strings.Repeat(`{"id":12345,"title":"The Go Programming Language","user":"alice"},`, 1000))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		_, _, _ = match(stackSigs, body)
		_, _, _ = match(sqlSigs, body)
	}
}
