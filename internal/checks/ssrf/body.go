package ssrf

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/plumbsec/plumb/internal/accounts"
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/spec"
	"github.com/plumbsec/plumb/internal/ssrfprobe"
	"github.com/plumbsec/plumb/internal/writes"
)

// Rule ids BodyFetch emits.
const (
	IDBodyFetch  = "ssrf.body-server-side-fetch"
	IDBodyInBand = "ssrf.body-in-band"
)

// maxBodyProbes bounds the body fields probed (ssrfprobe.MaxRequests
// writes each, plus a callback probe, a read and a restore).
const maxBodyProbes = 4

// bodyURLField matches body property names that usually carry a URL.
var bodyURLField = regexp.MustCompile(`(?i)(?:^|_)(?:url|uri|link|href|src|callback|webhook|endpoint|feed|image)$|Url$|Uri$|^(?:url|uri|callback|webhook|website|homepage|avatar|icon|logo|image|target|redirect)(?:_?url)?$`)

// BodyFetch points URL-valued fields of request bodies (JSON or forms) at
// addresses only the target can reach, and at the out-of-band listener,
// as ServerSideFetch does for query parameters. Writes: it restores the
// record it changed, or deletes the objects it created.
type BodyFetch struct{}

// Meta describes the check.
func (BodyFetch) Meta() check.Meta {
	return check.Meta{
		ID: "ssrf.body-fetch", Title: "Server-side request forgery through request bodies", Category: finding.CatSSRF,
		OWASP: "API7:2023", CWE: "CWE-918", Severity: finding.Critical,
		Needs: check.NeedSpec | check.NeedCredential | check.NeedWrites, Phase: check.PhaseWrites,
		Description: fmt.Sprintf("With --allow-writes only. For up to %d PUT/PATCH/POST operations whose JSON or form body has "+
			"a URL-valued field (format uri, or named url, avatar, webhook, callback, …), sends the field pointed at the "+
			"same internal addresses as "+IDServerSideFetch+" (an unresolvable control name, the cloud metadata "+
			"address, the API's own origin, its port on loopback, two closed loopback ports; "+IDBodyInBand+") and, with "+
			"an out-of-band channel, at a fresh callback URL ("+IDBodyFetch+"). An update of identity A's own record is "+
			"read first and written back after; each object a creation makes is deleted (else listed as not undone). "+
			"Operations plumb could not undo are skipped.", maxBodyProbes),
		Remediation: remediation,
		Rules: []check.Rule{
			{ID: IDBodyFetch, Title: "API fetches attacker-chosen URLs from a request body (callback received)",
				Severity: finding.Critical, Remediation: remediation,
				Description: "A callback URL sent in a body field was fetched by the API: high; critical when the fetch " +
					"carried the scan's own credential or another Authorization header."},
			{ID: IDBodyInBand, Title: "API fetches internal addresses from a request body (in-band evidence)",
				Severity: finding.Critical, Remediation: remediation,
				Description: "A body field pointed at addresses only the target can reach returns their content or answers " +
					"differently by internal port: cloud metadata content (critical), the API's own content (high), or " +
					"connection errors that differ by port (medium)."},
		},
	}
}

// bodyCand is a write operation with a URL field, and how plumb undoes it.
type bodyCand struct {
	candidate
	record *reqgen.Sample  // A's record the operation updates (restored after), or nil
	detail *spec.Operation // the detail of the objects it creates (deleted after), or nil
}

// bodyCandidates lists the write operations with a URL field that plumb
// can undo: an update of a record A reads back (a self operation that
// shows the field), or a creation with a detail and a DELETE.
func bodyCandidates(api *spec.API, cp *reqgen.Corpus) []bodyCand {
	var out []bodyCand
	for _, op := range api.Operations {
		if op.Method != http.MethodPut && op.Method != http.MethodPatch && op.Method != http.MethodPost {
			continue
		}
		if op.RequestBody == nil || op.RequestBody.Schema == nil || accounts.IsRegistration(op) || accounts.IsLogin(op) || accounts.IsReset(op) {
			continue
		}
		field := urlField(op.RequestBody.Schema)
		if field == "" {
			continue
		}
		bc := bodyCand{candidate: candidate{op: op, param: spec.Param{Name: field, In: "body"}}}
		if op.Method == http.MethodPost {
			if d := writes.Detail(api, op); d != nil && writes.On(api, *d, http.MethodDelete) != nil {
				bc.detail = d
			}
		} else {
			bc.record = recordOf(cp, op, field)
		}
		if bc.detail != nil || bc.record != nil {
			out = append(out, bc)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].op.Path < out[j].op.Path })
	return out
}

// urlField is the first (sorted) URL-valued property of a schema.
func urlField(s *spec.Schema) string {
	var names []string
	for k, p := range s.Properties {
		if p == nil || p.ReadOnly || (p.Type != "" && p.Type != "string") {
			continue
		}
		if p.Format == "uri" || p.Format == "url" || bodyURLField.MatchString(k) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// recordOf is the self record the write changes: A's 2xx self sample
// holding the field, the one whose path the write's path starts with
// first (/api/v1/account for PUT /api/v1/account/avatar).
func recordOf(cp *reqgen.Corpus, op spec.Operation, field string) *reqgen.Sample {
	var best *reqgen.Sample
	prefix := false
	for _, s := range cp.Samples {
		if !s.OK() || !reqgen.IsSelf(s.Op.Path) {
			continue
		}
		obj := reqgen.FirstObject(s.Resp.Body)
		if _, has := obj[field]; !has {
			continue
		}
		p := op.Path == s.Op.Path || strings.HasPrefix(op.Path, s.Op.Path+"/")
		if best == nil || (p && !prefix) || (p == prefix && len(s.Op.Path) > len(best.Op.Path)) {
			best, prefix = s, p
		}
	}
	return best
}

// Run probes each candidate and undoes what it changed.
func (c BodyFetch) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cp, err := in.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	targets := ownTargets(ctx, in)
	rp := reporter{c.Meta(), IDBodyInBand, IDBodyFetch}
	var out []finding.Finding
	for i, bc := range bodyCandidates(in.API, cp) {
		if i >= maxBodyProbes {
			in.Coverage.Skip(bc.op, fmt.Sprintf("SSRF body probes are limited to %d operations", maxBodyProbes))
			continue
		}
		fs, err := c.probe(ctx, in, rp, bc, targets)
		out = append(out, fs...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// probe runs the in-band and out-of-band probes on one field, then
// restores the record or deletes what was created.
func (c BodyFetch) probe(ctx context.Context, in *check.Input, rp reporter, bc bodyCand, targets ssrfprobe.Targets) ([]finding.Finding, error) {
	send, undo, err := c.sender(ctx, in, bc)
	if err != nil || send == nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	defer undo()
	var out []finding.Finding
	r, err := ssrfprobe.InBand(ctx, send, targets)
	if err != nil {
		return out, err
	}
	if r != nil {
		out = append(out, rp.inBandFinding(in, bc.candidate, r))
	}
	if in.Callback != nil {
		cb, err := ssrfprobe.OutOfBand(ctx, send, in.Callback, pollDelay)
		if err != nil && ctx.Err() != nil {
			return out, ctx.Err()
		}
		if cb != nil && len(cb.Hits) > 0 && cb.Req != nil {
			out = append(out, rp.callbackFinding(in, bc.candidate, cb))
		}
	}
	return out, nil
}

// sender returns the function that sends one value in the field, and the
// one that undoes everything sent: for an update, writing the record's old
// value back (read first); for a creation, deleting each object made.
func (c BodyFetch) sender(ctx context.Context, in *check.Input, bc bodyCand) (ssrfprobe.Sender, func(), error) {
	op, field := bc.op, bc.param.Name
	u, ok := in.OperationURL(op)
	if !ok {
		return nil, nil, nil
	}
	base := reqgen.BodyFields(op)
	var created []*writes.Object
	var pend *check.Pending
	var before any
	if bc.record != nil {
		resp, err := in.HTTP.Do(ctx, &netx.Request{Method: http.MethodGet, URL: bc.record.Req.URL, WithCredentials: true})
		if err != nil || !reqgen.OK2xx(resp) {
			return nil, nil, err
		}
		rec := reqgen.FirstObject(resp.Body)
		old, had := rec[field]
		if !had {
			in.Coverage.Skip(op, "plumb cannot read "+field+" back from "+bc.record.Op.Path+" to restore it")
			return nil, nil, nil
		}
		before = old
		for k := range base {
			if v, ok := rec[k]; ok {
				base[k] = v // other documented fields keep their values
			}
		}
		pend = in.Changes.Made(result.Change{Check: c.Meta().ID, Operation: op.Method + " " + op.Path,
			Object: "identity A's " + field + " (" + writes.Path(bc.record.Req.URL) + ")", Change: "pointed it at probe URLs"})
	}
	send := func(ctx context.Context, value string) (*netx.Request, *netx.Response, error) {
		body := map[string]any{}
		for k, v := range base {
			body[k] = v
		}
		body[field] = value
		req, err := reqgen.BodyRequest(op, op.Method, u, body, true)
		if err != nil {
			return nil, nil, err
		}
		var made *check.Pending
		if bc.detail != nil {
			made = in.Changes.Made(result.Change{Check: c.Meta().ID, Operation: op.Method + " " + op.Path,
				Object: "a new object of " + op.Path, Change: "created it with " + field + " = " + value})
		}
		resp, err := in.HTTP.Do(ctx, req)
		if err == nil {
			in.Coverage.Requested(op, resp.StatusCode)
		}
		if made != nil {
			if o := writes.Adopt(in, op, *bc.detail, resp, made); o != nil {
				created = append(created, o)
			}
		}
		return req, resp, err
	}
	undo := func() {
		for _, o := range created {
			o.Delete(ctx, in, in.HTTP)
		}
		if pend != nil {
			c.restore(ctx, in, bc, u, base, before, pend)
		}
	}
	return send, undo, nil
}

// restore writes the field's old value back and reads the record again.
func (c BodyFetch) restore(ctx context.Context, in *check.Input, bc bodyCand, u string, base map[string]any, before any, pend *check.Pending) {
	body := map[string]any{}
	for k, v := range base {
		body[k] = v
	}
	body[bc.param.Name] = before
	req, err := reqgen.BodyRequest(bc.op, bc.op.Method, u, body, true)
	if err == nil {
		_, err = in.HTTP.Do(ctx, req)
	}
	resp, rerr := in.HTTP.Do(ctx, &netx.Request{Method: http.MethodGet, URL: bc.record.Req.URL, WithCredentials: true})
	if err != nil || rerr != nil || !reqgen.OK2xx(resp) || fmt.Sprint(reqgen.FirstObject(resp.Body)[bc.param.Name]) != fmt.Sprint(before) {
		pend.Failed(fmt.Sprintf("writing %s back to %v failed", bc.param.Name, before))
		return
	}
	pend.Undone()
}
