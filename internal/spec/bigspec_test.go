package spec

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

// bigSpec generates an OpenAPI 3.0 JSON document of at least size bytes:
// thousands of paths with $refs to shared component schemas, one recursive.
func bigSpec(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"openapi":"3.0.3","info":{"title":"Big","version":"1"},` +
		`"servers":[{"url":"https://big.example.com/v1"}],` +
		`"security":[{"bearer":[]}],"components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}},` +
		`"parameters":{"Limit":{"name":"limit","in":"query","schema":{"type":"integer","minimum":1,"maximum":500}}},` +
		`"schemas":{"Node":{"type":"object","properties":{"id":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/components/schemas/Node"}}}},`)
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, `"Model%d":{"type":"object","required":["id"],"description":"Model %d used by many operations, padded so the document reaches a realistic size.",`+
			`"properties":{"id":{"type":"string","format":"uuid"},"name":{"type":"string","maxLength":120},"tree":{"$ref":"#/components/schemas/Node"},`+
			`"count":{"type":"integer","minimum":0},"tags":{"type":"array","items":{"type":"string"}}}},`, i, i)
	}
	b.WriteString(`"Last":{"type":"string"}}},"paths":{`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		m := i % 200
		fmt.Fprintf(&b, `"/resource%d/{id}":{"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],`+
			`"get":{"operationId":"get%d","summary":"Get resource %d","description":"Returns the resource identified by id, with all of its attributes and nested trees.","parameters":[{"$ref":"#/components/parameters/Limit"}],`+
			`"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Model%d"}}}},"404":{"description":"not found"}}},`+
			`"put":{"operationId":"put%d","requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Model%d"}}}},`+
			`"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Model%d"}}}}}}}`,
			i, i, i, m, i, m, m)
	}
	b.WriteString(`}}`)
	return b.Bytes()
}

var bigSpecOnce = sync.OnceValue(func() []byte { return bigSpec(10 << 20) })

func BenchmarkLoad10MB(b *testing.B) {
	data := bigSpecOnce()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(context.Background(), data, "big.json", LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLoad10MB(t *testing.T) {
	if testing.Short() {
		t.Skip("large document")
	}
	data := bigSpecOnce()
	start := time.Now()
	api, err := Parse(context.Background(), data, "big.json", LoadOptions{})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if len(api.Operations) < 2000 {
		t.Fatalf("got %d operations, want thousands", len(api.Operations))
	}
	op := api.Operations[0]
	if op.Method != "GET" || len(op.Params) != 2 || op.Params[0].Schema == nil || op.Security == nil {
		t.Errorf("first operation not fully converted: %+v", op)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("%d bytes, %d operations, %v, heap sys %d MiB", len(data), len(api.Operations), elapsed, ms.HeapSys>>20)
	// Speed is measured by BenchmarkLoad10MB, never asserted here.
}
