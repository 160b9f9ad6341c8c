// Package bfla holds checks of function-level authorization (OWASP
// API5:2023 Broken Function Level Authorization): whether privileged
// operations answer callers without the privilege.
package bfla

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/spec"
)

// Privileged finds admin-looking operations (path, tags, operationId,
// security scopes) that a non-admin identity, or no identity, can call;
// and admin operations refused on GET but answered on HEAD.
type Privileged struct{}

// Meta describes the check.
func (Privileged) Meta() check.Meta {
	return check.Meta{
		ID:       "bfla.privileged-operation",
		Title:    "Privileged operation reachable without the privilege",
		Category: finding.CatBFLA,
		OWASP:    "API5:2023",
		CWE:      "CWE-285",
		Severity: finding.High,
		Needs:    check.NeedSpec | check.NeedCredential,
		Description: "Picks operations that look privileged (a path segment such as admin/internal/manage, an admin tag or " +
			"operationId, an admin scope in the spec's security) and requests the read-only ones as the low-privilege identity " +
			"(A, or B when A's self description says admin) and without credentials. A 2xx with data while the anonymous request " +
			"is refused means authentication without authorization; confirmed when the identity's self description says it is " +
			"not an admin. Operations refused on GET are retried with HEAD (method switching), twice, to rule out flukes.",
		Remediation: remediation,
	}
}

// privilegedWords are path segments, tags and operationId parts that mark
// an operation as meant for administrators.
var privilegedWords = []string{"admin", "administrator", "administration", "internal", "manage", "management",
	"superuser", "staff", "backoffice", "sudo", "moderator", "moderation"}

// WhyPrivileged says why an operation looks privileged, or "".
func WhyPrivileged(op spec.Operation) string {
	for _, seg := range strings.Split(strings.ToLower(op.Path), "/") {
		for _, w := range privilegedWords {
			if seg == w || strings.HasPrefix(seg, w+"-") || strings.HasPrefix(seg, w+"_") {
				return fmt.Sprintf("path segment %q", seg)
			}
		}
	}
	for _, t := range op.Tags {
		for _, w := range privilegedWords {
			if strings.EqualFold(t, w) || strings.HasPrefix(strings.ToLower(t), w) {
				return fmt.Sprintf("tag %q", t)
			}
		}
	}
	id := strings.ToLower(op.OperationID)
	for _, w := range []string{"admin", "superuser", "internal"} {
		if strings.Contains(id, w) {
			return fmt.Sprintf("operationId %q", op.OperationID)
		}
	}
	for _, r := range op.Security {
		for _, s := range r.Schemes {
			for _, sc := range s.Scopes {
				l := strings.ToLower(sc)
				if strings.Contains(l, "admin") || l == "write:all" || l == "*" {
					return fmt.Sprintf("security scope %q", sc)
				}
			}
		}
	}
	return ""
}

// Run probes each privileged read-only operation.
func (c Privileged) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cp, err := in.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	low, lowName, known, err := lowIdentity(ctx, in, cp)
	if err != nil || low == nil {
		return nil, err
	}
	catchAll, err := catchAllBody(ctx, in, low)
	if err != nil {
		return nil, err
	}
	p := prober{in: in, low: low, lowName: lowName, known: known, catchAll: catchAll, meta: c.Meta()}
	var g errgroup.Group
	g.SetLimit(4)
	out := make([]*finding.Finding, len(cp.Samples))
	for i, s := range cp.Samples {
		why := WhyPrivileged(s.Op)
		if why == "" {
			continue
		}
		g.Go(func() error {
			f, err := p.probe(ctx, s, why)
			out[i] = f
			return err
		})
	}
	for _, op := range in.API.Operations {
		if op.Method != http.MethodGet && WhyPrivileged(op) != "" {
			in.Coverage.Skip(op, "privileged state-changing operation; plumb never calls it")
		}
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

// lowIdentity picks the identity to play the unprivileged user: A, unless
// A's self description says admin, then B unless B is admin too. known
// says the chosen identity's self description says it is not an admin.
func lowIdentity(ctx context.Context, in *check.Input, cp *reqgen.Corpus) (*netx.Client, string, bool, error) {
	if cp.A.Privileged == nil || !*cp.A.Privileged {
		return in.HTTP, "A", cp.A.Privileged != nil, nil
	}
	idB, hasB, err := in.IdentityB(ctx)
	if err != nil || !hasB || (idB.Privileged != nil && *idB.Privileged) {
		return nil, "", false, err // every identity is an admin: nothing to test
	}
	return in.HTTPB, "B", idB.Privileged != nil, nil
}

type prober struct {
	in       *check.Input
	low      *netx.Client
	lowName  string
	known    bool
	catchAll []byte
	meta     check.Meta
}

func (p *prober) probe(ctx context.Context, s *reqgen.Sample, why string) (*finding.Finding, error) {
	req := &netx.Request{Method: http.MethodGet, URL: s.Req.URL, WithCredentials: true}
	resp, err := p.in.Fetch(ctx, p.low, req, nil) // as A, the corpus's own request
	if err != nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	if reqgen.Denied(resp) {
		return p.methodSwitch(ctx, s, why, req, resp)
	}
	if !reqgen.OK2xx(resp) || len(resp.Body) == 0 || (p.catchAll != nil && reqgen.SameBody(resp.Body, p.catchAll)) {
		return nil, nil
	}
	anonReq := &netx.Request{Method: http.MethodGet, URL: s.Req.URL}
	anon, err := p.in.Fetch(ctx, p.in.HTTP, anonReq, nil)
	if err != nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	ev := []finding.HTTPExchange{p.low.Evidence(req, resp, nil), p.in.HTTP.Evidence(anonReq, anon, nil)}
	f := p.newFinding(s.Op)
	switch {
	case reqgen.OK2xx(anon) && reqgen.SameBody(anon.Body, resp.Body):
		f.Title = fmt.Sprintf("Privileged operation %s %s answers without any credential", s.Op.Method, s.Op.Path)
		f.Severity, f.Confidence = finding.Critical, finding.Confirmed
		f.Evidence.Summary = fmt.Sprintf("The operation looks privileged (%s) and returned the same %d-byte answer with no credential at all.", why, len(resp.Body))
	case reqgen.Denied(anon):
		f.Title = fmt.Sprintf("Privileged operation %s %s answers a non-admin user", s.Op.Method, s.Op.Path)
		f.Confidence = finding.Firm
		who := fmt.Sprintf("identity %s (whose privilege plumb could not read)", p.lowName)
		if p.known {
			f.Confidence = finding.Confirmed
			who = fmt.Sprintf("identity %s, which the API's own self description says is not an admin", p.lowName)
		}
		f.Evidence.Summary = fmt.Sprintf("The operation looks privileged (%s). It answered %d with %d bytes to %s; "+
			"without credentials it was refused (%d), so it authenticates callers but does not check their role.", why, resp.StatusCode, len(resp.Body), who, anon.StatusCode)
	default:
		return nil, nil
	}
	f.Evidence.HTTP = ev
	return &f, nil
}

// methodSwitch retries a refused GET as HEAD. A HEAD answered 2xx, twice,
// while GET is refused twice, means the role check is tied to the method.
func (p *prober) methodSwitch(ctx context.Context, s *reqgen.Sample, why string, getReq *netx.Request, get *netx.Response) (*finding.Finding, error) {
	var ev []finding.HTTPExchange
	ev = append(ev, p.low.Evidence(getReq, get, nil))
	for round := 0; round < 2; round++ {
		head := &netx.Request{Method: http.MethodHead, URL: s.Req.URL, WithCredentials: true}
		hr, err := p.low.Do(ctx, head)
		if err != nil {
			return nil, reqgen.FatalOnly(ctx, err)
		}
		if !reqgen.OK2xx(hr) {
			return nil, nil
		}
		ev = append(ev, p.low.Evidence(head, hr, nil))
		if round == 1 {
			break
		}
		again, err := p.low.Do(ctx, getReq)
		if err != nil {
			return nil, reqgen.FatalOnly(ctx, err)
		}
		if !reqgen.Denied(again) {
			return nil, nil
		}
	}
	f := p.newFinding(s.Op)
	f.Location.Method = http.MethodHead
	f.Title = fmt.Sprintf("Privileged operation %s refuses GET but answers HEAD", s.Op.Path)
	f.Severity, f.Confidence = finding.Medium, finding.Firm
	f.Evidence = finding.Evidence{HTTP: ev, Summary: fmt.Sprintf("The operation looks privileged (%s). As identity %s, GET was refused with %d twice "+
		"while HEAD answered 2xx twice: the role check runs for some methods only, so other methods routed to the same handler may bypass it.", why, p.lowName, get.StatusCode)}
	return &f, nil
}

func (p *prober) newFinding(op spec.Operation) finding.Finding {
	f := check.New(p.meta, "", finding.Location{Host: p.in.Target.Host, Method: op.Method, Path: op.Path})
	f.Remediation = remediation
	return f
}

// catchAllBody fetches a path that cannot exist as the low identity; if the
// API answers it 2xx, that body proves nothing about any operation.
func catchAllBody(ctx context.Context, in *check.Input, c *netx.Client) ([]byte, error) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	u := in.BaseURL()
	u.Path = strings.TrimSuffix(u.Path, "/") + "/admin/plumb-" + hex.EncodeToString(b)
	resp, err := c.Do(ctx, &netx.Request{Method: http.MethodGet, URL: u.String(), WithCredentials: true})
	if err != nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	if reqgen.OK2xx(resp) {
		return resp.Body, nil
	}
	return nil, nil
}
