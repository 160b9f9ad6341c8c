package reqgen

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/plumbsec/plumb/internal/netx"
)

// SameBody reports whether two bodies carry the same data: equal JSON
// values (key order and whitespace do not matter), else equal bytes.
func SameBody(a, b []byte) bool {
	var va, vb any
	if json.Unmarshal(a, &va) == nil && json.Unmarshal(b, &vb) == nil {
		return reflect.DeepEqual(va, vb)
	}
	return bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(b))
}

// IsJSON reports a JSON media type (application/json or +json).
func IsJSON(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// OK2xx reports a 2xx response.
func OK2xx(r *netx.Response) bool { return r != nil && r.StatusCode >= 200 && r.StatusCode < 300 }

// Denied reports a 401 or 403 response.
func Denied(r *netx.Response) bool {
	return r != nil && (r.StatusCode == http.StatusUnauthorized || r.StatusCode == http.StatusForbidden)
}

// FirstObject returns the object a JSON body describes, out of its
// envelope ({"data": {...}}, JSON:API attributes), or nil.
func FirstObject(body []byte) map[string]any {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return nil
	}
	return Unwrap(m)
}
