package property

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/spec"
)

// detailOf returns the GET operation that reads one object of the
// collection a POST creates (/orders → /orders/{id}), or nil.
func detailOf(api *spec.API, create spec.Operation) *spec.Operation {
	if strings.HasSuffix(create.Path, "}") {
		return nil
	}
	for i := range api.Operations {
		op := &api.Operations[i]
		if op.Method != http.MethodGet || !strings.HasPrefix(op.Path, create.Path+"/{") {
			continue
		}
		if rest := op.Path[len(create.Path)+1:]; strings.Count(rest, "/") == 0 && strings.HasSuffix(rest, "}") {
			return op
		}
	}
	return nil
}

// deleteOf returns the DELETE on a detail path, or nil.
func deleteOf(api *spec.API, detail spec.Operation) *spec.Operation {
	for i := range api.Operations {
		if op := &api.Operations[i]; op.Method == http.MethodDelete && op.Path == detail.Path {
			return op
		}
	}
	return nil
}

// createInjections chooses what to send when creating an object: every
// privilege field the schemas name (owners as identity B, prices at 0.01,
// balances high, verification true, roles at their top value) and every
// other readOnly property but the identity ones.
func (m *massRun) createInjections(ss []*spec.Schema) map[string]any {
	names := map[string]bool{}
	for _, s := range ss {
		for k := range s.Properties {
			names[k] = true
		}
	}
	inj := map[string]any{}
	for _, name := range sortedSet(names) {
		f := privilegeField(m.fields, name)
		s := propSchema(ss, name)
		var v any
		var ok bool
		switch {
		case f != nil && f.create:
			v, ok = valueFor(m.ranks, f, s, nil, m.other)
		case f == nil && s != nil && s.ReadOnly && !isIdentityKey(name):
			v, ok = readOnlyValue(s, nil)
		}
		if ok {
			inj[name] = v
		}
	}
	return inj
}

// created is an object plumb created, and how to read and delete it.
type created struct {
	req      *netx.Request
	resp     *netx.Response
	obj      map[string]any // as read back (or as the creation echoed it)
	readReq  *netx.Request
	readResp *netx.Response
	pend     *check.Pending
	url      string // its detail URL, "" when plumb could not tell its id
}

// create compares a plain creation with one carrying the injections.
func (m *massRun) create(ctx context.Context, op, detail spec.Operation) (*finding.Finding, error) {
	ss := append(recordSchemas(op), recordSchemas(detail)...)
	inj := m.createInjections(ss)
	if len(inj) == 0 {
		return nil, nil
	}
	u, ok := m.in.OperationURL(op)
	if !ok {
		return nil, nil
	}
	plain, err := m.createOne(ctx, op, detail, u, nil)
	if err != nil || plain == nil {
		return nil, err
	}
	defer m.cleanup(ctx, detail, plain)
	attacked, err := m.createOne(ctx, op, detail, u, inj)
	if err != nil || attacked == nil {
		return nil, err
	}
	defer m.cleanup(ctx, detail, attacked)
	var took []string
	for k, v := range inj {
		if equalJSON(attacked.obj[k], v) && !equalJSON(plain.obj[k], v) {
			took = append(took, fmt.Sprintf("%s=%v", k, v))
		}
	}
	if len(took) == 0 {
		return nil, nil
	}
	slices.Sort(took)
	in := m.in
	f := check.New(m.c.Meta(), fmt.Sprintf("%s %s lets a client set properties the server owns (%s)", op.Method, op.Path, strings.Join(took, ", ")),
		finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path, Param: strings.SplitN(took[0], "=", 2)[0]})
	f.Severity, f.Confidence = finding.High, finding.Confirmed
	how := "the creation's answer"
	ex := []finding.HTTPExchange{in.HTTP.Evidence(plain.req, plain.resp, nil), in.HTTP.Evidence(attacked.req, attacked.resp, nil)}
	if attacked.readReq != nil {
		how = "GET " + detail.Path
		ex = append(ex, in.HTTP.Evidence(attacked.readReq, attacked.readResp, nil))
	}
	f.Evidence = finding.Evidence{Summary: fmt.Sprintf("plumb created two objects through %s %s as identity A: a plain one, and one with "+
		"%s. Read back through %s, the second holds %s, which the plain one does not: the API takes these properties from "+
		"the client. Both objects were then deleted (or are listed in the report as not undone).",
		op.Method, op.Path, desc(inj), how, strings.Join(took, ", ")), HTTP: ex}
	f.Remediation = massRemediation
	return &f, nil
}

// createOne creates an object (with extra properties), records it in the
// ledger and reads it back. It returns nil when the API refused.
func (m *massRun) createOne(ctx context.Context, op, detail spec.Operation, u string, extra map[string]any) (*created, error) {
	in := m.in
	body := reqgen.BodyFields(op)
	for k, v := range extra {
		body[k] = v
	}
	what := "created an object"
	if len(extra) > 0 {
		what = "created an object with " + desc(extra)
	}
	c := &created{pend: in.Changes.Made(result.Change{Check: IDMassAssignment, Operation: op.Method + " " + op.Path,
		Object: "a new object of " + op.Path, Change: what})}
	var err error
	c.req, c.resp, err = sendJSON(ctx, in, in.HTTP, op.Method, u, body)
	if err != nil {
		return nil, ignorable(ctx, err)
	}
	in.Coverage.Requested(op, c.resp.StatusCode)
	if !reqgen.OK2xx(c.resp) {
		c.pend.Undone()
		return nil, nil
	}
	c.obj = reqgen.FirstObject(c.resp.Body)
	id := objectID(c.obj, c.resp, detail)
	if id == "" {
		c.pend.Failed("plumb could not tell the new object's id from the answer, so it could not delete it")
		return c, nil
	}
	c.pend.Describe(fmt.Sprintf("%s/%s", op.Path, id), "")
	b, why := reqgen.Build(in.BaseURL(), detail, map[string]string{pathParam(detail.Path): id}, nil)
	if why != "" {
		return c, nil
	}
	c.url = b.URL
	c.readReq = &netx.Request{Method: http.MethodGet, URL: c.url, WithCredentials: true}
	if resp, err := in.HTTP.Do(ctx, c.readReq); err == nil {
		c.readResp = resp
		if obj := reqgen.FirstObject(resp.Body); reqgen.OK2xx(resp) && obj != nil {
			c.obj = obj
		}
	} else if reqgen.Fatal(ctx, err) {
		return c, err
	}
	return c, nil
}

// cleanup deletes an object plumb created: as A, else as B (an owner
// field may have handed it over), and settles the ledger.
func (m *massRun) cleanup(ctx context.Context, detail spec.Operation, c *created) {
	if c.url == "" {
		return
	}
	del := deleteOf(m.in.API, detail)
	if del == nil {
		c.pend.Failed("the spec documents no DELETE " + detail.Path)
		return
	}
	status := 0
	for _, cl := range []*netx.Client{m.in.HTTP, m.in.HTTPB} {
		if cl == nil {
			continue
		}
		resp, err := cl.Do(ctx, &netx.Request{Method: http.MethodDelete, URL: c.url, WithCredentials: true})
		if err == nil {
			m.in.Coverage.Requested(*del, resp.StatusCode)
			status = resp.StatusCode
			if reqgen.OK2xx(resp) {
				c.pend.Undone()
				return
			}
		}
	}
	c.pend.Failed(fmt.Sprintf("DELETE %s answered %d", detail.Path, status))
}

// objectID finds a created object's id: the detail path parameter's
// property, else "id", else the last segment of a Location header.
func objectID(obj map[string]any, resp *netx.Response, detail spec.Operation) string {
	for _, k := range []string{pathParam(detail.Path), "id", "uuid"} {
		if v, ok := obj[k]; ok && v != nil {
			if s := fmt.Sprint(v); s != "" && len(s) < 200 {
				if f, isNum := v.(float64); isNum {
					return fmt.Sprintf("%.0f", f)
				}
				return s
			}
		}
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		loc = strings.TrimSuffix(pathOf(loc), "/")
		return loc[strings.LastIndex(loc, "/")+1:]
	}
	return ""
}

// pathParam is the name of the last path parameter of a path.
func pathParam(path string) string {
	i := strings.LastIndex(path, "{")
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(path[i+1:], "}")
}
