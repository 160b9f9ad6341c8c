// Package writes holds what the writes probes (--allow-writes) share:
// creating objects through an API's own create operations and deleting
// them again, with every step in the scan's ledger; finding an object's
// detail, update and delete operations; and reading what an identity's
// own records say. The checks decide what to probe; this package owns
// the side effects.
package writes

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/plumbsec/plumb/internal/accounts"
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/spec"
)

// Detail returns the GET operation that reads one object of the
// collection a POST creates (/orders → /orders/{id}), or nil.
func Detail(api *spec.API, create spec.Operation) *spec.Operation {
	if create.Method != http.MethodPost || strings.HasSuffix(create.Path, "}") || create.GraphQL != "" ||
		accounts.IsRegistration(create) || accounts.IsLogin(create) || accounts.IsReset(create) {
		return nil
	}
	for i := range api.Operations {
		op := &api.Operations[i]
		if op.Method != http.MethodGet || !strings.HasPrefix(op.Path, create.Path+"/{") {
			continue
		}
		if rest := op.Path[len(create.Path)+1:]; !strings.Contains(rest, "/") && strings.HasSuffix(rest, "}") {
			return op
		}
	}
	return nil
}

// On returns the operation with method on the detail operation's path.
func On(api *spec.API, detail spec.Operation, method string) *spec.Operation {
	for i := range api.Operations {
		if op := &api.Operations[i]; op.Method == method && op.Path == detail.Path {
			return op
		}
	}
	return nil
}

// Object is an object plumb created, and how to read and delete it.
type Object struct {
	Create, Detail spec.Operation
	Req            *netx.Request
	Resp           *netx.Response
	Obj            map[string]any // as read back (or as the creation echoed it)
	ID             string
	URL            string // its detail URL; "" when plumb could not tell its id
	ReadReq        *netx.Request
	ReadResp       *netx.Response
	made           *check.Pending
	gone           bool // a probe deleted it
}

// Create creates an object through create as identity A, with extra
// properties on top of a well-formed body, records it in the ledger and
// reads it back through detail. It returns nil when the API refused.
func Create(ctx context.Context, in *check.Input, checkID string, create, detail spec.Operation, extra map[string]any) (*Object, error) {
	u, ok := in.OperationURL(create)
	if !ok {
		return nil, nil
	}
	body := reqgen.BodyFields(create)
	for k, v := range extra {
		body[k] = v
	}
	what := "created an object"
	if len(extra) > 0 {
		what = "created an object with " + Describe(extra)
	}
	req, err := reqgen.BodyRequest(create, create.Method, u, body, true)
	if err != nil {
		return nil, err
	}
	made := in.Changes.Made(result.Change{Check: checkID, Operation: create.Method + " " + create.Path,
		Object: "a new object of " + create.Path, Change: what})
	resp, err := in.HTTP.Do(ctx, req)
	if err != nil {
		return nil, err // the ledger keeps it: plumb cannot tell whether it was created
	}
	in.Coverage.Requested(create, resp.StatusCode)
	o := Adopt(in, create, detail, resp, made)
	if o == nil {
		return nil, nil
	}
	o.Req = req
	if o.URL == "" {
		return o, nil
	}
	obj, rq, rs, err := o.Read(ctx, in.HTTP)
	o.ReadReq, o.ReadResp = rq, rs
	if obj != nil {
		o.Obj = obj
	}
	if err != nil && reqgen.Fatal(ctx, err) {
		return o, err
	}
	return o, nil
}

// Adopt takes charge of an object a caller created itself through
// create (its answer resp, its ledger entry made): nil when the API
// refused (made is then undone), else the object with its id and detail
// URL (made is described, or failed when the id is unknown).
func Adopt(in *check.Input, create, detail spec.Operation, resp *netx.Response, made *check.Pending) *Object {
	o := &Object{Create: create, Detail: detail, Resp: resp, made: made}
	if resp == nil || !reqgen.OK2xx(resp) {
		made.Undone() // refused (or not sent): nothing was created
		return nil
	}
	o.Obj = reqgen.FirstObject(resp.Body)
	if o.ID = objectID(o.Obj, resp, detail); o.ID == "" {
		made.Failed("plumb could not tell the new object's id from the answer, so it could not delete it")
		return o
	}
	made.Describe(create.Path+"/"+o.ID, "")
	b, why := reqgen.Build(in.BaseURL(), detail, map[string]string{PathParam(detail.Path): o.ID}, nil)
	if why != "" {
		made.Failed("plumb could not build the new object's URL: " + why)
		return o
	}
	o.URL = b.URL
	return o
}

// Read reads the object through its detail operation as client c; obj is
// nil unless the answer is 2xx with a JSON object.
func (o *Object) Read(ctx context.Context, c *netx.Client) (map[string]any, *netx.Request, *netx.Response, error) {
	req := &netx.Request{Method: http.MethodGet, URL: o.URL, WithCredentials: true}
	resp, err := c.Do(ctx, req)
	if err != nil || !reqgen.OK2xx(resp) {
		return nil, req, resp, err
	}
	return reqgen.FirstObject(resp.Body), req, resp, nil
}

// Gone says a probe deleted the object: nothing is left to undo.
func (o *Object) Gone() {
	o.made.Undone()
	o.gone = true
}

// Delete deletes the object as each client in turn until one succeeds
// (A, then B when an owner field may have handed it over) and settles the
// ledger.
func (o *Object) Delete(ctx context.Context, in *check.Input, clients ...*netx.Client) {
	if o.URL == "" || o.gone {
		return
	}
	del := On(in.API, o.Detail, http.MethodDelete)
	if del == nil {
		o.made.Failed("the spec documents no DELETE " + o.Detail.Path)
		return
	}
	var statuses []string
	for _, c := range clients {
		if c == nil {
			continue
		}
		resp, err := c.Do(ctx, &netx.Request{Method: http.MethodDelete, URL: o.URL, WithCredentials: true})
		if err != nil {
			statuses = append(statuses, "failed")
			continue
		}
		in.Coverage.Requested(*del, resp.StatusCode)
		statuses = append(statuses, fmt.Sprint(resp.StatusCode))
		if reqgen.OK2xx(resp) {
			o.made.Undone()
			return
		}
	}
	o.made.Failed(fmt.Sprintf("DELETE %s answered %s", o.Detail.Path, strings.Join(statuses, ", then ")))
}

// objectID finds a created object's id: the detail path parameter's
// property, else "id" or "uuid", else the last segment of a Location
// header.
func objectID(obj map[string]any, resp *netx.Response, detail spec.Operation) string {
	for _, k := range []string{PathParam(detail.Path), "id", "uuid"} {
		v, ok := obj[k]
		if !ok || v == nil {
			continue
		}
		if f, isNum := v.(float64); isNum {
			return fmt.Sprintf("%.0f", f)
		}
		if s := fmt.Sprint(v); s != "" && len(s) < 200 {
			return s
		}
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		loc = strings.TrimSuffix(Path(loc), "/")
		return loc[strings.LastIndex(loc, "/")+1:]
	}
	return ""
}

// PathParam is the name of the last path parameter of a path.
func PathParam(path string) string {
	i := strings.LastIndex(path, "{")
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(path[i+1:], "}")
}

// Path is the path of a URL, for ledger entries and prose (no query: it
// may hold a credential).
func Path(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
		if j := strings.IndexByte(u, '/'); j >= 0 {
			u = u[j:]
		} else {
			u = "/"
		}
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u = u[:i]
	}
	return u
}
