package spec

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// refBomb is a "billion laughs" of $refs: each of n schemas refers to the
// next one twice through properties, twice through allOf and twice through
// items of oneOf, so naive expansion grows like 6^n.
func refBomb(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"openapi":"3.0.3","info":{"title":"bomb","version":"1"},"paths":{"/x":{"post":{` +
		`"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/S0"}}}},` +
		`"responses":{"200":{"description":"ok"}}}}},"components":{"schemas":{`)
	for i := 0; i < n; i++ {
		next := fmt.Sprintf(`{"$ref":"#/components/schemas/S%d"}`, i+1)
		fmt.Fprintf(&b, `"S%d":{"type":"object","properties":{"a":%s,"b":%s},"allOf":[%s,%s],"oneOf":[{"type":"array","items":%s},%s]},`,
			i, next, next, next, next, next, next)
	}
	fmt.Fprintf(&b, `"S%d":{"type":"string"}}}}`, n)
	return []byte(b.String())
}

func TestRefFanOutBomb(t *testing.T) {
	t.Parallel()
	data := refBomb(60)
	for _, kinOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("kinOnly=%v", kinOnly), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if kinOnly {
				ctx = context.WithValue(ctx, kinOnlyKey{}, true)
			}
			direct := false
			ctx = context.WithValue(ctx, directProbeKey{}, &direct)
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			api, err := Parse(ctx, data, "bomb.json", LoadOptions{})
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if direct == kinOnly {
				t.Errorf("direct = %v with kinOnly = %v", direct, kinOnly)
			}
			s := api.Operations[0].RequestBody.Schema
			depth := 0
			for ; s != nil && s.Properties["a"] != nil; s = s.Properties["a"] {
				if s.Properties["a"] != s.Properties["b"] {
					t.Fatalf("depth %d: shared definition converted twice", depth)
				}
				depth++
			}
			if depth != 60 {
				t.Errorf("chain depth = %d, want 60", depth)
			}
			if !raceEnabled && elapsed > 5*time.Second {
				t.Errorf("ref bomb took %v", elapsed)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 512<<20 {
				t.Errorf("ref bomb allocated %d MiB", alloc>>20)
			}
		})
	}
}

// TestHugeArrayAndDeepNesting checks the two other ways to make a small
// document expensive: a long flat array and nesting to the depth limit.
func TestHugeArrayAndDeepNesting(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/x":{"get":{"responses":{"200":{"description":"ok"}},` +
		`"parameters":[{"name":"q","in":"query","schema":{"type":"string","enum":[`)
	for i := 0; i < 200000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"v%d"`, i)
	}
	b.WriteString(`]}}]}}},"x-deep":` + strings.Repeat(`[`, maxDepth-4) + strings.Repeat(`]`, maxDepth-4) + `}`)
	start := time.Now()
	api, err := Parse(context.Background(), []byte(b.String()), "big.json", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(api.Operations[0].Params[0].Schema.Enum); got != 200000 {
		t.Errorf("enum has %d values", got)
	}
	if !raceEnabled && time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	deeper := `{"openapi":"3.0.3","x":` + strings.Repeat(`[`, maxDepth+2) + strings.Repeat(`]`, maxDepth+2) + `}`
	if _, err := Parse(context.Background(), []byte(deeper), "deep.json", LoadOptions{}); err == nil || !strings.Contains(err.Error(), "deeper") {
		t.Errorf("nesting past the limit: err = %v", err)
	}
}

// aliasBomb is a small YAML document whose aliases repeat one big string:
// few nodes (it passes the alias node cap) but a huge expanded size.
func aliasBomb(strLen, aliases int) []byte {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: bomb, version: \"1\"}\npaths:\n  /x:\n    get:\n      responses:\n        \"200\": {description: ok}\n")
	b.WriteString("x-big: &a " + strings.Repeat("A", strLen) + "\nx-list:\n")
	for range aliases {
		b.WriteString("  - *a\n")
	}
	return []byte(b.String())
}

// TestYAMLAliasBombIsCappedByExpandedSize: 256 KiB repeated 1,000 times is
// 256 MiB once expanded; the document must be refused while it is being
// converted, before anything the size of the expansion is allocated.
func TestYAMLAliasBombIsCappedByExpandedSize(t *testing.T) {
	t.Parallel()
	data := aliasBomb(256<<10, 1000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Parse(context.Background(), data, "bomb.yaml", LoadOptions{})
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "expands to more than") {
		t.Fatalf("err = %v, want the expanded-size cap", err)
	}
	if strings.Count(err.Error(), "\n") > 0 || len(err.Error()) > 300 {
		t.Errorf("error is not one short line: %q", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 128<<20 {
		t.Errorf("refusing the bomb allocated %d MiB", alloc>>20)
	}
	// The same anchors used a sane number of times still load.
	if _, err := Parse(context.Background(), aliasBomb(4<<10, 100), "anchors.yaml", LoadOptions{}); err != nil {
		t.Errorf("modest anchors: %v", err)
	}
}
