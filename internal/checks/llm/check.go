// Package llm finds LLM/AI endpoints (model servers and application
// endpoints backed by a model) and tests them with canary-based probes:
// a finding is text the model could only have produced by obeying the
// attack, so no judge model is needed. Probes and regex packs are data in
// data/*.json, mapped to the OWASP Top 10 for LLM Applications 2025.
package llm

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

// Tiers, cheapest first.
const (
	TierOff      = "off"
	TierQuick    = "quick"
	TierStandard = "standard"
	TierDeep     = "deep"
)

var tierRank = map[string]int{TierQuick: 1, TierStandard: 2, TierDeep: 3}

// Tiers lists the values --llm accepts.
var Tiers = []string{TierQuick, TierStandard, TierDeep, TierOff}

// budget is the most requests one endpoint may receive per tier, and
// maxEndpoints the most endpoints probed: LLM requests cost money.
var budget = map[string]int{TierQuick: 24, TierStandard: 70, TierDeep: 160}

const maxEndpoints = 8

// Check runs LLM discovery and the probe catalog at the chosen tier.
type Check struct{}

// Meta describes the check.
func (Check) Meta() check.Meta {
	return check.Meta{
		ID:       "llm.endpoint-security",
		Title:    "LLM endpoint security (prompt injection, leakage, output handling, tools, cost)",
		Category: finding.CatLLM,
		CWE:      "CWE-1427",
		Severity: finding.High,
		Description: "Finds OpenAI/Anthropic/Ollama/TGI/llama.cpp routes and spec operations with prompt-like fields, " +
			"confirms they are generative with a join-two-strings probe, then runs the probe catalog for the --llm tier " +
			"(quick, standard, deep; off disables). Findings carry the probe id (llm.*), the OWASP LLM 2025 id, the prompt " +
			"sent, a redacted reply excerpt and the hit rate. Text-only POSTs go only to identified generative endpoints, " +
			"one at a time, with small max_tokens and a per-endpoint request budget; model-management routes are never called." +
			probeList(),
		Rules: probeRules(),
	}
}

// probeList names the catalog's probes by tier for the check catalog.
func probeList() string {
	c, err := LoadCatalog()
	if err != nil {
		return ""
	}
	var b strings.Builder
	for _, tier := range []string{TierQuick, TierStandard, TierDeep} {
		var ids []string
		for _, p := range c.Probes {
			if p.Tier == tier {
				ids = append(ids, p.ID+" ("+strings.TrimSuffix(p.OWASPLLM, ":2025")+")")
			}
		}
		fmt.Fprintf(&b, " %s tier adds: %s.", tier, strings.Join(ids, ", "))
	}
	return strings.ReplaceAll(b.String(), " ()", "")
}

// Run discovers LLM endpoints and probes each.
func (c Check) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	tier := in.LLM.Tier
	if tier == "" {
		tier = TierStandard
	}
	if tier == TierOff {
		return nil, nil
	}
	if _, ok := tierRank[tier]; !ok {
		return nil, fmt.Errorf("llm: unknown tier %q", tier)
	}
	catalog, err := LoadCatalog()
	if err != nil {
		return nil, err
	}
	r := &runner{in: in, cat: catalog, tier: tier}
	if err := r.probeMCP(ctx); err != nil {
		return r.out, err
	}
	eps, err := r.discover(ctx)
	if err != nil {
		return r.out, err
	}
	for _, ep := range eps {
		if err := r.probeEndpoint(ctx, ep); err != nil {
			return r.out, err
		}
	}
	return r.out, nil
}

// runner carries one scan's LLM state.
type runner struct {
	in     *check.Input
	cat    *Catalog
	tier   string
	out    []finding.Finding
	states map[*Endpoint]*epState
}

// runs reports whether probe id runs at the runner's tier.
func (r *runner) runs(id string) bool {
	return tierRank[r.cat.Probe(id).Tier] <= tierRank[r.tier]
}

// attempts is how many samples a probe sends: deep measures a hit rate
// over three; lower tiers send one and confirm a hit with a second.
func (r *runner) attempts() int {
	if r.tier == TierDeep {
		return 3
	}
	return 1
}

// errStop ends probing of one endpoint (budget spent); it is not a
// check error.
var errStop = errors.New("llm endpoint budget spent")

// exchange is one probe request and its response.
type exchange struct {
	req   *netx.Request
	resp  *netx.Response
	reply string
	sent  string // the prompt text, for evidence
}

// send posts a turn to ep with the user's credentials (unless hdr sets
// its own Authorization or creds is false) and extracts the reply.
func (r *runner) send(ctx context.Context, ep *Endpoint, t Turn, creds bool, hdr http.Header) (*exchange, error) {
	return r.sendVia(ctx, r.in.HTTP, ep, t, creds, hdr)
}

// sendVia is send through a given identity's client (identity B for the
// cross-session probe).
func (r *runner) sendVia(ctx context.Context, c *netx.Client, ep *Endpoint, t Turn, creds bool, hdr http.Header) (*exchange, error) {
	if ep.Spent >= budget[r.tier] {
		return nil, errStop
	}
	ep.Spent++
	h := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json, text/event-stream"}}
	for k, v := range hdr {
		h[k] = v
	}
	req := &netx.Request{Method: http.MethodPost, URL: ep.URL, Header: h, Body: ep.Body(t), WithCredentials: creds}
	resp, err := c.Do(ctx, req)
	if err != nil {
		if errors.Is(err, netx.ErrBudgetExhausted) || ctx.Err() != nil {
			return nil, err
		}
		return &exchange{req: req, sent: t.User}, nil
	}
	x := &exchange{req: req, resp: resp, sent: t.User}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		x.reply = Extract(resp.Body, resp.Header.Get("Content-Type"), ep.Reply)
	}
	r.passive(ep, x, t)
	return x, nil
}

// ok reports whether the exchange got a 2xx answer.
func (x *exchange) ok() bool { return x != nil && x.resp != nil && x.resp.StatusCode/100 == 2 }

// nonce returns a fresh random lower-case word that no request has held.
func nonce() string {
	const letters = "abcdefghijkmnpqrstuvwxyz"
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
}

// joinTask returns two nonces and the instruction text asking for them
// joined, plus the joined string the model must write.
func joinTask() (text, joined string) {
	a, b := nonce(), nonce()
	return fmt.Sprintf("%q and %q joined together with no space", a, b), a + b
}

// report adds a finding for probe id at ep.
func (r *runner) report(id string, ep *Endpoint, sev finding.Severity, conf finding.Confidence, summary string, xs ...*exchange) {
	p := r.cat.Probe(id)
	if !ep.Confirmed && ep.Dialect != "" && conf == finding.Confirmed && (p.Family == "auth" || p.Family == "cost") {
		// A tentative endpoint answers in prose but never proved it is a
		// model: what its auth and cost findings say is only firm.
		conf = finding.Firm
	}
	f := check.New(Check{}.Meta(), p.Title, finding.Location{Host: r.in.Target.Host, Method: http.MethodPost, Path: ep.Path})
	f.ID, f.Severity, f.Confidence, f.OWASPLLM = p.ID, sev, conf, p.OWASPLLM
	if ep.Path != "" && strings.HasPrefix(ep.Path, "GET ") {
		f.Location.Method, f.Location.Path = http.MethodGet, strings.TrimPrefix(ep.Path, "GET ")
	}
	prefix := p.ID
	if p.OWASPLLM != "" {
		prefix += " (" + p.OWASPLLM + ")"
	}
	f.Evidence.Summary = r.in.HTTP.Redactor().String(prefix + ": " + summary)
	for _, x := range xs {
		if x == nil {
			continue
		}
		ev := r.in.HTTP.Evidence(x.req, x.resp, nil)
		ev.Body = r.redactOutput(ev.Body)
		f.Evidence.HTTP = append(f.Evidence.HTTP, ev)
	}
	f.Remediation = probeFix(p)
	r.out = append(r.out, f)
}

// redactOutput masks credential-shaped strings in model output before it
// becomes evidence: a leaked key is reported, never repeated.
func (r *runner) redactOutput(s string) string {
	for _, m := range r.cat.Find("secret", s) {
		s = strings.ReplaceAll(s, m.Text, netx.Mask(m.Text))
	}
	return r.in.HTTP.Redactor().String(s)
}

// excerpt shortens a reply for a summary, redacted.
func (r *runner) excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 240 {
		s = strings.ToValidUTF8(s[:240], "") + "…"
	}
	return r.redactOutput(s)
}

// hitRate formats hits/sent for summaries and picks the confidence: two
// hits confirm, one of several is firm.
func hitRate(hits, sent int) (string, finding.Confidence) {
	conf := finding.Firm
	if hits >= 2 || (hits == sent && sent > 1) {
		conf = finding.Confirmed
	}
	return fmt.Sprintf("hit rate %d/%d", hits, sent), conf
}
