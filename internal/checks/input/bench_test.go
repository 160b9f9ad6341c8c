package input

import (
	"strings"
	"testing"
)

// BenchmarkSignatures runs the stack and SQL tables over a 64 KiB body.
func BenchmarkSignatures(b *testing.B) {
	body := []byte(strings.Repeat(`{"id":12345,"title":"The Go Programming Language","user":"alice"},`, 1000))
	stack, sql := loadPack(b, stackPack), loadPack(b, sqlPack)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		_, _, _ = match(stack, body)
		_, _, _ = match(sql, body)
	}
}
