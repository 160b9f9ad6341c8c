// Package bola holds checks of object-level authorization (OWASP
// API1:2023 Broken Object Level Authorization): whether one user can read
// another user's objects by id.
package bola

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
)

// ObjectAccess reads objects identity A owns (ids harvested from A's own
// lists) as identity B and without credentials, and probes adjacent
// integer ids as A. One finding per operation, with the strongest proof.
type ObjectAccess struct{}

// Meta describes the check.
func (ObjectAccess) Meta() check.Meta {
	return check.Meta{
		ID:       "bola.object-level-authorization",
		Title:    "Objects readable by users who do not own them",
		Category: finding.CatBOLA,
		OWASP:    "API1:2023",
		CWE:      "CWE-639",
		Severity: finding.High,
		Needs:    check.NeedSpec | check.NeedCredential,
		Description: "For every GET operation with an object id in its path, takes an object identity A owns (ids harvested " +
			"from A's list operations) and requests it as identity B (--header-b) and without credentials; also probes the " +
			"adjacent integer ids as A. Confirmed when B (or nobody) gets A's object while the anonymous request is refused; " +
			"tentative when ownership cannot be shown. Public objects (same answer without credentials) are never reported.",
		Remediation: remediation,
	}
}

// Run probes each detail operation A could read.
func (c ObjectAccess) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cp, err := in.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	idB, hasB, err := in.IdentityB(ctx)
	if err != nil {
		return nil, err
	}
	p := prober{in: in, cp: cp, b: idB, hasB: hasB, meta: c.Meta()}
	var g errgroup.Group
	g.SetLimit(4)
	out := make([]*finding.Finding, len(cp.Samples))
	for i, s := range cp.Samples {
		if len(s.Values) == 0 || !s.OK() || reqgen.FirstObject(s.Resp.Body) == nil {
			continue
		}
		g.Go(func() error {
			f, err := p.probe(ctx, s)
			out[i] = f
			return err
		})
	}
	err = g.Wait()
	var fs []finding.Finding
	for _, f := range out {
		if f != nil {
			fs = append(fs, *f)
		}
	}
	return fs, err
}

type prober struct {
	in   *check.Input
	cp   *reqgen.Corpus
	b    reqgen.Identity
	hasB bool
	meta check.Meta
}

// verdict is one line of proof for an operation.
type verdict struct {
	conf    finding.Confidence
	sev     finding.Severity
	title   string
	summary string
	ev      []finding.HTTPExchange
}

func (p *prober) probe(ctx context.Context, s *reqgen.Sample) (*finding.Finding, error) {
	obj := reqgen.FirstObject(s.Resp.Body)
	ownedByA := p.cp.A.Owns(obj)
	evA := p.in.HTTP.Evidence(s.Req, s.Resp, nil)

	anonReq := &netx.Request{Method: http.MethodGet, URL: s.Req.URL}
	anon, err := p.in.Fetch(ctx, p.in.HTTP, anonReq, nil)
	if err != nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	evAnon := p.in.HTTP.Evidence(anonReq, anon, nil)
	var best *verdict
	if reqgen.OK2xx(anon) && reqgen.SameBody(anon.Body, s.Resp.Body) {
		if !s.Op.RequiresAuth() || !ownedByA {
			return nil, nil // public data, or not shown to be anyone's
		}
		best = &verdict{conf: finding.Confirmed, sev: finding.High,
			title: fmt.Sprintf("%s %s returns identity A's object without any credential", s.Op.Method, s.Op.Path),
			summary: fmt.Sprintf("The object belongs to %s: its %s. The same request without any credential got the same object back, although the spec requires authentication.",
				p.cp.A.Describe(), ownerDesc(obj)),
			ev: []finding.HTTPExchange{evA, evAnon}}
	}
	if best == nil && p.hasB {
		if v, err := p.crossUser(ctx, s, obj, ownedByA, anon, evA, evAnon); err != nil {
			return nil, err
		} else if v != nil {
			best = v
		}
	}
	if best == nil || best.conf < finding.Confirmed {
		v, err := p.adjacent(ctx, s, evA)
		if err != nil {
			return nil, err
		}
		if v != nil && (best == nil || v.conf > best.conf) {
			best = v
		}
	}
	if best == nil {
		return nil, nil
	}
	f := check.New(p.meta, best.title, finding.Location{Host: p.in.Target.Host, Method: s.Op.Method, Path: s.Op.Path, Param: idParam(s)})
	f.Severity, f.Confidence = best.sev, best.conf
	f.Evidence = finding.Evidence{Summary: best.summary, HTTP: best.ev}
	f.Remediation = remediation
	return &f, nil
}

// crossUser requests A's object as B. Confirmed when B gets A's object
// (owned by A, not by B) while the anonymous request was refused.
func (p *prober) crossUser(ctx context.Context, s *reqgen.Sample, obj map[string]any, ownedByA bool, anon *netx.Response, evA, evAnon finding.HTTPExchange) (*verdict, error) {
	if p.b.Owns(obj) {
		return nil, nil // B's own object (shared lists): reading it is fine
	}
	reqB := &netx.Request{Method: http.MethodGet, URL: s.Req.URL, WithCredentials: true}
	respB, err := p.in.HTTPB.Do(ctx, reqB)
	if err != nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	if !reqgen.OK2xx(respB) || !reqgen.SameBody(respB.Body, s.Resp.Body) || !reqgen.Denied(anon) {
		return nil, nil
	}
	if _, _, hasOwner := reqgen.Owner(obj); !ownedByA && !hasOwner {
		return nil, nil // no owner field at all: a shared resource (a catalog behind a login), not evidence
	}
	ev := []finding.HTTPExchange{evA, p.in.HTTPB.Evidence(reqB, respB, nil), evAnon}
	if ownedByA {
		return &verdict{conf: finding.Confirmed, sev: finding.High,
			title: fmt.Sprintf("%s %s lets user B read user A's objects", s.Op.Method, s.Op.Path),
			summary: fmt.Sprintf("The object belongs to %s: its %s. It was returned unchanged to %s, which does not own it; "+
				"the same request without credentials was refused with %d, so the API authenticates but does not check ownership.",
				p.cp.A.Describe(), ownerDesc(obj), p.b.Describe(), anon.StatusCode),
			ev: ev}, nil
	}
	return &verdict{conf: finding.Tentative, sev: finding.Medium,
		title: fmt.Sprintf("%s %s returns the same object to two different users", s.Op.Method, s.Op.Path),
		summary: fmt.Sprintf("Identities A and B got the same object (its %s) while the request without credentials was refused with %d. "+
			"%s, so the object may be A's or shared by design; check whether B should see it.", ownerDesc(obj), anon.StatusCode, unknownWhy(p.cp.A)),
		ev: ev}, nil
}

// adjacent probes the integer ids next to A's object id as A. A 2xx with
// an object owned by somebody else (B when known) is the finding; the
// anonymous request for it must be refused, or the object is public.
func (p *prober) adjacent(ctx context.Context, s *reqgen.Sample, evA finding.HTTPExchange) (*verdict, error) {
	param := idParam(s)
	n, ok := intValue(s.Values[param])
	if !ok || param == "" {
		return nil, nil // not an integer id: nothing is adjacent
	}
	own := map[string]bool{}
	for _, c := range p.cp.Pool.Candidates(s.Op.Path, param) {
		if p.cp.A.Owns(c.Item.Fields) {
			own[c.Value] = true
		}
	}
	for _, m := range []int{n + 1, n - 1} {
		if m < 0 || own[strconv.Itoa(m)] {
			continue
		}
		b, why := reqgen.Build(p.in.BaseURL(), s.Op, mergeValue(s.Values, param, strconv.Itoa(m)), nil)
		if why != "" {
			return nil, nil
		}
		req := &netx.Request{Method: http.MethodGet, URL: b.URL, WithCredentials: true}
		resp, err := p.in.HTTP.Do(ctx, req)
		if err != nil {
			return nil, reqgen.FatalOnly(ctx, err)
		}
		obj := reqgen.FirstObject(resp.Body)
		if !reqgen.OK2xx(resp) || obj == nil || p.cp.A.Owns(obj) {
			continue
		}
		field, owner, ok := reqgen.Owner(obj)
		if !ok || len(p.cp.A.Markers) == 0 {
			continue // nobody's, or A unknown: cannot tell it is not A's
		}
		anonReq := &netx.Request{Method: http.MethodGet, URL: b.URL}
		anon, err := p.in.Fetch(ctx, p.in.HTTP, anonReq, nil)
		if err != nil {
			return nil, reqgen.FatalOnly(ctx, err)
		}
		if !reqgen.Denied(anon) {
			continue // public, or the API does not authenticate here at all
		}
		ev := []finding.HTTPExchange{evA, p.in.HTTP.Evidence(req, resp, nil), p.in.HTTP.Evidence(anonReq, anon, nil)}
		v := &verdict{conf: finding.Tentative, sev: finding.Medium, ev: ev,
			title: fmt.Sprintf("%s %s serves other users' objects at adjacent ids", s.Op.Method, s.Op.Path),
			summary: fmt.Sprintf("Identity A owns %s=%d; as A, %s=%d answered %d with an object whose %s is %q, not A. "+
				"Without credentials it was refused (%d). Not confirmed by a second identity (give --header-b).", param, n, param, m, resp.StatusCode, field, owner, anon.StatusCode)}
		if p.hasB && p.b.Owns(obj) {
			v.conf, v.sev = finding.Confirmed, finding.High
			v.summary = fmt.Sprintf("Identity A owns %s=%d; as A, %s=%d answered %d with identity B's object (%s %q). "+
				"Without credentials it was refused (%d): ids are guessable and ownership is not checked.", param, n, param, m, resp.StatusCode, field, owner, anon.StatusCode)
		}
		return v, nil
	}
	return nil, nil
}

func intValue(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// idParam is the parameter that names the object: the last path
// parameter, else the (only) query parameter filled with a harvested id.
func idParam(s *reqgen.Sample) string {
	path := s.Op.Path
	i := strings.LastIndex(path, "{")
	j := strings.LastIndex(path, "}")
	if i >= 0 && j > i {
		return path[i+1 : j]
	}
	if keys := slices.Sorted(maps.Keys(s.Values)); len(keys) > 0 {
		return keys[0]
	}
	return ""
}

func mergeValue(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m))
	for a, b := range m {
		out[a] = b
	}
	out[k] = v
	return out
}

// unknownWhy says why ownership could not be shown.
func unknownWhy(a reqgen.Identity) string {
	if len(a.Markers) == 0 {
		return "plumb could not tell who A is (no \"who am I\" operation or login answer named it)"
	}
	return "its owner field does not name " + a.Describe()
}

func ownerDesc(obj map[string]any) string {
	if f, v, ok := reqgen.Owner(obj); ok {
		return fmt.Sprintf("%s is %q", f, v)
	}
	return "owner is unknown"
}
