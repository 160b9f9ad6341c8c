// Package graphql holds the GraphQL checks: endpoint discovery and server
// identification, the schema (introspection, or rebuilt from field
// suggestions), and what goes wrong on GraphQL APIs — introspection and
// suggestions in production, sensitive fields, queries answered without
// credentials, object-level authorization through id arguments, missing
// depth and batching limits, CSRF-able transports, verbose errors and
// debug extensions. Every check shares one discovery per scan and a fixed
// request budget per endpoint (docs/graphql.md).
package graphql

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	gql "github.com/plumbsec/plumb/internal/graphql"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/spec"
)

// Budget is the most requests each part of the GraphQL checks sends to
// one endpoint (docs/graphql.md explains each). Discovery is per scan.
var Budget = map[string]int{
	groupDiscovery: 2 * maxCandidates, // POST {__typename} per candidate, GET after a 405
	groupSchema:    11,                // syntax probe, introspection, up to 9 suggestion probes
	groupUnauth:    12,                // 8 query fields, 4 mutations (--allow-writes only)
	groupBOLA:      19,                // self as A and B, 3 lists, 4 detail fields × 3 identities
	groupLimits:    3,                 // one nested query, one aliased query, one array batch
	groupCSRF:      3,                 // GET query, GET mutation{__typename}, form POST
	groupErrors:    1,                 // one malformed argument
}

// Request groups.
const (
	groupDiscovery = "discovery"
	groupSchema    = "schema"
	groupUnauth    = "unauthenticated"
	groupBOLA      = "object-access"
	groupLimits    = "limits"
	groupCSRF      = "csrf"
	groupErrors    = "errors"
)

// Discovery bounds.
const (
	maxEndpoints  = 2
	maxCandidates = 10
	maxHosts      = 64 // hosts the GraphQL checks may add to the graph
)

// Endpoint is one GraphQL endpoint and what plumb learned about it.
type Endpoint struct {
	URL    string // absolute
	Path   string // as locations show it, e.g. /graphql
	Engine string // identified server, "" when unknown
	// Schema is the schema plumb could learn (nil: none); Source says how:
	// "introspection" or "suggestions".
	Schema *gql.Schema
	Source string
	// Answers to the common probes, shared by the checks.
	Typename, Syntax, Introspection *exchange
	Recon                           *gql.Recon
	ReconEx                         *exchange // the first suggestion probe
	ops                             map[string]spec.Operation
	fromSpec                        bool

	mu    sync.Mutex
	spent map[string]int
}

// exchange is one request and what came back.
type exchange struct {
	doc    string
	client *netx.Client
	req    *netx.Request
	resp   *netx.Response
	gql    *gql.Response // nil unless the body was a GraphQL answer
	batch  []*gql.Response
}

func (x *exchange) status() int {
	if x == nil || x.resp == nil {
		return 0
	}
	return x.resp.StatusCode
}

// evidence is the redacted exchange, from the client that sent it.
func (x *exchange) evidence() finding.HTTPExchange {
	return x.client.Evidence(x.req, x.resp, nil)
}

// errStop ends one group's probes of one endpoint: its budget is spent.
var errStop = errors.New("graphql endpoint budget spent")

// take books one request of group on ep.
func (ep *Endpoint) take(group string) bool {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	if ep.spent == nil {
		ep.spent = map[string]int{}
	}
	if ep.spent[group] >= Budget[group] {
		return false
	}
	ep.spent[group]++
	return true
}

// state is what the GraphQL checks of one scan share.
type state struct {
	endpoints []*Endpoint
	hosts     *hostAdder
}

var stateKey = check.NewKey[*state]("graphql discovery")

// shared returns the scan's GraphQL state, discovering it on first use.
func shared(ctx context.Context, in *check.Input) (*state, error) {
	return check.Once(ctx, in, stateKey, func(ctx context.Context) (*state, error) { return discover(ctx, in) })
}

// How a document travels.
type transport int

const (
	postJSON transport = iota
	getQuery
	postForm
)

// build makes the request for doc.
func build(u string, doc string, how transport, creds bool) *netx.Request {
	switch how {
	case getQuery:
		p, err := url.Parse(u)
		if err == nil {
			q := p.Query()
			q.Set("query", doc)
			p.RawQuery = q.Encode()
			u = p.String()
		}
		return &netx.Request{Method: http.MethodGet, URL: u, Header: http.Header{"Accept": {"application/json"}}, WithCredentials: creds}
	case postForm:
		return &netx.Request{Method: http.MethodPost, URL: u, WithCredentials: creds, Body: []byte(url.Values{"query": {doc}}.Encode()),
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}}}
	}
	body, _ := json.Marshal(map[string]string{"query": doc})
	return &netx.Request{Method: http.MethodPost, URL: u, Body: body, WithCredentials: creds,
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/graphql-response+json, application/json"}}}
}

// send sends doc to ep through c within group's budget. A failed request
// is an exchange without a response; only the scan's budget, cancellation
// and errStop are errors.
func (s *state) send(ctx context.Context, in *check.Input, ep *Endpoint, group string, c *netx.Client, doc string, how transport, creds bool) (*exchange, error) {
	return s.sendReq(ctx, in, ep, group, c, doc, build(ep.URL, doc, how, creds))
}

func (s *state) sendReq(ctx context.Context, in *check.Input, ep *Endpoint, group string, c *netx.Client, doc string, req *netx.Request) (*exchange, error) {
	if !ep.take(group) {
		return nil, errStop
	}
	x := &exchange{doc: doc, client: c, req: req}
	resp, err := c.Do(ctx, req)
	if err != nil {
		if reqgen.Fatal(ctx, err) {
			return nil, err
		}
		return x, nil
	}
	x.resp = resp
	if r, ok := gql.Parse(resp.Body); ok {
		x.gql = r
	} else if b, ok := gql.ParseBatch(resp.Body); ok {
		x.batch = b
	}
	if x.gql != nil || x.batch != nil {
		s.hosts.fromAnswer(in, resp.Body, req.Method+" "+ep.Path)
	}
	return x, nil
}

// eachEndpoint runs probe on every endpoint discovery found (only those
// with a learned schema when schemaOnly) and collects the findings. An
// error that ends the check (scan budget, cancellation) stops the loop;
// errStop, one endpoint's spent budget, does not. Discovery's own error
// comes back with the findings.
func eachEndpoint(ctx context.Context, in *check.Input, schemaOnly bool, probe func(*state, *Endpoint) ([]finding.Finding, error)) ([]finding.Finding, error) {
	st, err := shared(ctx, in)
	if st == nil {
		return nil, err
	}
	var out []finding.Finding
	for _, ep := range st.endpoints {
		if schemaOnly && ep.Schema == nil {
			continue
		}
		fs, perr := probe(st, ep)
		out = append(out, fs...)
		if _, perr := stop(perr); perr != nil {
			return out, perr
		}
	}
	return out, err
}

// stop reports whether err ends a check (scan budget, cancellation) and
// turns errStop into nil.
func stop(err error) (bool, error) {
	if err == nil {
		return false, nil
	}
	if errors.Is(err, errStop) {
		return true, nil
	}
	return true, err
}

// location places a finding on ep: the operation or schema element in
// coordinate ("query user", "type User.passwordHash"), param its argument.
func location(in *check.Input, ep *Endpoint, coordinate, param string) finding.Location {
	host := in.Target.Host
	if u, err := url.Parse(ep.URL); err == nil {
		host = u.Host
	}
	return finding.Location{Host: host, Method: http.MethodPost, Path: ep.Path, GraphQL: coordinate, Param: param}
}

// excerpt shortens a document for a summary.
func excerpt(doc string) string {
	doc = strings.Join(strings.Fields(doc), " ")
	if len(doc) > 300 {
		return doc[:300] + "…"
	}
	return doc
}
