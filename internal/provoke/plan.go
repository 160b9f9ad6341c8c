package provoke

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/spec"
)

// Bounds of a scan's provocation.
const (
	MaxPerScan  = 64 // probes a scan sends at most
	MaxPerParam = 3  // breaking values per parameter
	MaxPerOp    = 6  // probes per operation, parameters and negotiation together
	MaxSecond   = 8  // of MaxPerScan, negotiation and body probes (second tier)
	// budgetShare is the part of the request budget left when provocation
	// starts that it may use (1/budgetShare).
	budgetShare = 8
)

// Probe is one provocation: an operation with one parameter (or its
// headers, or its body) replaced by a breaking value.
type Probe struct {
	Op    spec.Operation
	Param string // the parameter replaced; "" for negotiation and body probes
	In    string // path, query, header (negotiation) or body
	Kind  Kind
	Value string // as sent, before encoding ("" for empty)
	Req   *netx.Request
}

// Describe says what the probe sent, for evidence: "parameter days = "5m"
// (wrong type)"; long values are cut.
func (p Probe) Describe() string {
	v := p.Value
	if len(v) > 40 {
		v = v[:12] + "…(" + itoa(len(p.Value)) + " bytes)"
	}
	switch p.In {
	case "header":
		return "Accept and Content-Type " + unexpectedType + " (" + string(p.Kind) + ")"
	case "body":
		return "a truncated JSON body " + p.Value + " (" + string(p.Kind) + ")"
	}
	if p.Kind == Object {
		return "parameter " + p.Param + " sent as " + p.Param + "[plumb]=1 (" + string(p.Kind) + ")"
	}
	return "parameter " + p.Param + " = " + quote(v) + " (" + string(p.Kind) + ")"
}

// opQueue is the probes of one operation, in the order they are worth.
type opQueue struct {
	op       spec.Operation
	first    []Probe // parameter probes
	second   []Probe // negotiation and body probes
	resource string
}

// Plan builds the scan's provocation probes: deterministic, at most
// MaxPerParam per parameter and MaxPerOp per operation, and spread across
// the API: resources take turns (round-robin over the path prefixes before
// the first template), operations take turns within a resource, and
// parameter probes of every operation come before any negotiation or body
// probe. limit caps the total; total is how many the full plan had.
func Plan(in *check.Input, limit int) (probes []Probe, total int) {
	if in.API == nil {
		return nil, 0
	}
	var queues []*opQueue
	for _, op := range in.API.Operations {
		q := planOp(in, op)
		if q != nil && len(q.first)+len(q.second) > 0 {
			queues = append(queues, q)
		}
	}
	for _, q := range queues {
		total += len(q.first) + len(q.second)
	}
	first := spread(queues, func(q *opQueue) []Probe { return q.first })
	second := spread(queues, func(q *opQueue) []Probe { return q.second })
	probes = append(probes, first[:min(len(first), limit)]...)
	room := min(limit-len(probes), MaxSecond)
	if room > 0 {
		probes = append(probes, second[:min(len(second), room)]...)
	}
	return probes, total
}

// planOp lists one operation's probes (nil when it takes none).
func planOp(in *check.Input, op spec.Operation) *opQueue {
	q := &opQueue{op: op, resource: resource(op.Path)}
	switch op.Method {
	case http.MethodGet:
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		// A body no parser accepts cannot change state, but the request is
		// still a write: only with --allow-writes.
		if in.AllowWrites && op.RequestBody != nil && jsonBody(op.RequestBody) {
			if p, ok := bodyProbe(in, op); ok {
				q.second = append(q.second, p)
			}
		}
		return q
	default:
		return nil
	}
	var perParam [][]Probe
	for _, prm := range op.Params {
		if prm.In != "path" && prm.In != "query" {
			continue
		}
		var ps []Probe
		for _, v := range values(prm) {
			if len(ps) >= MaxPerParam {
				break
			}
			if p, ok := paramProbe(in, op, prm, v); ok {
				ps = append(ps, p)
			}
		}
		perParam = append(perParam, ps)
	}
	// Parameters take turns: each gets its most telling value first.
	for round := 0; round < MaxPerParam && len(q.first) < MaxPerOp-1; round++ {
		for _, ps := range perParam {
			if round < len(ps) && len(q.first) < MaxPerOp-1 {
				q.first = append(q.first, ps[round])
			}
		}
	}
	if p, ok := negotiationProbe(in, op); ok {
		q.second = append(q.second, p)
	}
	return q
}

func paramProbe(in *check.Input, op spec.Operation, prm spec.Param, v value) (Probe, bool) {
	override := map[string]string{prm.Name: v.v}
	b, why := reqgen.Build(in.BaseURL(), op, override, nil)
	if why != "" {
		return Probe{}, false
	}
	raw := b.URL
	if v.kind == Object {
		u, err := url.Parse(b.URL)
		if err != nil {
			return Probe{}, false
		}
		qs := u.Query()
		qs.Del(prm.Name)
		qs.Set(prm.Name+"[plumb]", v.v)
		u.RawQuery = qs.Encode()
		raw = u.String()
	}
	return Probe{Op: op, Param: prm.Name, In: prm.In, Kind: v.kind, Value: v.v,
		Req: &netx.Request{Method: http.MethodGet, URL: raw, WithCredentials: true}}, true
}

func negotiationProbe(in *check.Input, op spec.Operation) (Probe, bool) {
	u, ok := in.OperationURL(op)
	if !ok {
		return Probe{}, false
	}
	h := http.Header{"Accept": {unexpectedType}, "Content-Type": {unexpectedType}}
	return Probe{Op: op, In: "header", Kind: Negotiation, Value: unexpectedType,
		Req: &netx.Request{Method: http.MethodGet, URL: u, Header: h, WithCredentials: true}}, true
}

func bodyProbe(in *check.Input, op spec.Operation) (Probe, bool) {
	u, ok := in.OperationURL(op)
	if !ok {
		return Probe{}, false
	}
	h := http.Header{"Content-Type": {"application/json"}}
	return Probe{Op: op, In: "body", Kind: MalformedJSON, Value: malformedBody,
		Req: &netx.Request{Method: op.Method, URL: u, Header: h, Body: []byte(malformedBody), WithCredentials: true}}, true
}

func jsonBody(b *spec.Body) bool {
	for _, ct := range b.ContentTypes {
		if ct == "application/json" || strings.HasSuffix(ct, "+json") {
			return true
		}
	}
	return false
}

// resource is the literal prefix of a path template, up to three segments
// before the first template: /api/v1/orders/{id}/receipt → /api/v1/orders.
func resource(path string) string {
	var keep []string
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		if strings.Contains(seg, "{") || len(keep) == 3 {
			break
		}
		keep = append(keep, seg)
	}
	return "/" + strings.Join(keep, "/")
}

// spread interleaves the probes pick returns: resources (sorted) take
// turns, and within a resource its operations (in spec order) take turns.
func spread(queues []*opQueue, pick func(*opQueue) []Probe) []Probe {
	byRes := map[string][][]Probe{}
	for _, q := range queues {
		if ps := pick(q); len(ps) > 0 {
			byRes[q.resource] = append(byRes[q.resource], ps)
		}
	}
	names := make([]string, 0, len(byRes))
	for n := range byRes {
		names = append(names, n)
	}
	sort.Strings(names)
	// Each resource's own sequence: its operations round-robin.
	seqs := make([][]Probe, len(names))
	for i, n := range names {
		seqs[i] = roundRobin(byRes[n])
	}
	return roundRobin(seqs)
}

// roundRobin takes one from each list in turn until all are empty.
func roundRobin(lists [][]Probe) []Probe {
	var out []Probe
	lists = slices.Clone(lists)
	for more := true; more; {
		more = false
		for i, l := range lists {
			if len(l) == 0 {
				continue
			}
			out = append(out, l[0])
			lists[i] = l[1:]
			more = true
		}
	}
	return out
}
