package reqgen

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/spec"
)

// BodyRequest builds a request whose body is fields, encoded as the
// operation takes it: JSON unless the operation only documents a form
// (application/x-www-form-urlencoded), whose values are then rendered as
// strings. withCreds attaches the client's credential.
func BodyRequest(op spec.Operation, method, u string, fields map[string]any, withCreds bool) (*netx.Request, error) {
	req := &netx.Request{Method: method, URL: u, WithCredentials: withCreds, Header: http.Header{"Accept": {"application/json"}}}
	if FormOnly(op) {
		v := url.Values{}
		for k, x := range fields {
			v.Set(k, scalar(x))
		}
		req.Body = []byte(v.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req, nil
	}
	b, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	req.Body = b
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// FormOnly reports an operation whose body is documented only as a form.
func FormOnly(op spec.Operation) bool {
	if op.RequestBody == nil || len(op.RequestBody.ContentTypes) == 0 {
		return false
	}
	return !slices.ContainsFunc(op.RequestBody.ContentTypes, func(ct string) bool {
		ct = strings.ToLower(ct)
		return strings.Contains(ct, "json")
	}) && slices.ContainsFunc(op.RequestBody.ContentTypes, func(ct string) bool {
		return strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded")
	})
}

// BodyFields is a body for op's request schema, as a well-behaved client
// sends it: a value for every property (Value) except readOnly ones, or
// an empty object without a schema.
func BodyFields(op spec.Operation) map[string]any {
	if op.RequestBody == nil || op.RequestBody.Schema == nil {
		return map[string]any{}
	}
	s := op.RequestBody.Schema
	m, _ := Value(s).(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	for k, p := range s.Properties {
		if p != nil && p.ReadOnly {
			delete(m, k)
		}
	}
	return m
}
