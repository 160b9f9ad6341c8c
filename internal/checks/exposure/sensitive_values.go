package exposure

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/property"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/rules"
	"github.com/plumbsec/plumb/internal/spec"
)

// maxScanBody bounds the bytes of one body the value scanner reads.
const maxScanBody = 256 << 10

// minBulkEmails is how many distinct addresses make a response a bulk
// list of people.
const minBulkEmails = 3

var refExposure = []string{"https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/",
	"https://cwe.mitre.org/data/definitions/200.html"}

// valueHit is one rule match in one corpus response.
type valueHit struct {
	id, title string
	sev       finding.Severity
	sample    *reqgen.Sample
	where     string // "body" or the header name
	match     string // redacted
}

// scanValues runs the rules of a pack over every corpus response:
// header values, and body values with their JSON key as context. Values
// under keys property-authorization.sensitive-fields reports are skipped (reported
// once), and so is the caller's own credential.
func scanValues(in *check.Input, cp *reqgen.Corpus, pack string) ([]valueHit, error) {
	p, err := rules.Load(pack)
	if err != nil {
		return nil, err
	}
	sensitive, err := property.SensitiveKeys()
	if err != nil {
		return nil, err
	}
	kind := kindOf(pack)
	own := in.HTTP.BearerToken()
	var out []valueHit
	seen := map[string]bool{}
	for _, s := range cp.Samples {
		if s.Resp == nil {
			continue
		}
		try := func(where, text string) {
			t := rules.NewText(text)
			for _, r := range p.Rules {
				mt, ok := r.Find(t)
				if !ok {
					continue
				}
				m := mt.Text()
				if own != "" && (strings.Contains(own, m) || strings.Contains(m, own)) {
					continue
				}
				key := r.ID + "\x00" + check.OpKey(s.Op)
				if seen[key] {
					continue
				}
				seen[key] = true
				out = append(out, valueHit{id: r.ID, title: r.Title, sev: r.Level(), sample: s, where: where, match: redactMatch(kind, m)})
			}
		}
		for _, k := range sortedHeaderKeys(s.Resp.Header) {
			if k == "Set-Cookie" {
				continue // the caller's own session; session-cookie-flags judges cookies
			}
			for _, v := range s.Resp.Header.Values(k) {
				try("header "+k, k+": "+v)
			}
		}
		body := s.Resp.Body[:min(len(s.Resp.Body), maxScanBody)]
		var doc any
		if json.Unmarshal(body, &doc) == nil {
			walkValues(doc, "", 0, func(key string, v string) {
				if !sensitive(key, v) {
					try("body", key+": "+v)
				}
			})
		} else {
			try("body", string(body))
		}
	}
	return out, nil
}

// walkValues calls fn for every string or number in a JSON document with
// the key it sits under (depth-bounded).
func walkValues(v any, key string, depth int, fn func(key, val string)) {
	if depth > 32 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkValues(x[k], k, depth+1, fn)
		}
	case []any:
		for _, e := range x {
			walkValues(e, key, depth+1, fn)
		}
	case string:
		fn(key, x)
	case float64:
		fn(key, fmt.Sprintf("%.0f", x))
	}
}

func sortedHeaderKeys(h map[string][]string) []string {
	out := make([]string, 0, len(h))
	for k := range h {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// valueFindings groups hits by operation (the engine keeps one finding
// per check and location): one finding per operation, listing every rule
// that matched, at the highest severity among them.
func valueFindings(m check.Meta, in *check.Input, hits []valueHit, rem finding.Remediation) []finding.Finding {
	byOp := map[string][]valueHit{}
	var order []string
	for _, h := range hits {
		k := check.OpKey(h.sample.Op)
		if _, ok := byOp[k]; !ok {
			order = append(order, k)
		}
		byOp[k] = append(byOp[k], h)
	}
	var out []finding.Finding
	for _, k := range order {
		hs := byOp[k]
		first := hs[0]
		sev := first.sev
		var titles, lines []string
		for _, h := range hs {
			sev = max(sev, h.sev)
			titles = append(titles, h.title)
			lines = append(lines, fmt.Sprintf("rule %s (%s): %s", h.id, h.where, h.match))
		}
		f := check.New(m, fmt.Sprintf("%s in the response of %s", capitalize(strings.Join(titles, ", ")), k),
			finding.Location{Host: in.Target.Host, Method: first.sample.Op.Method, Path: first.sample.Op.Path})
		f.Severity = sev
		f.Confidence = finding.Firm
		ex := in.HTTP.Evidence(first.sample.Req, first.sample.Resp, nil)
		ex.Body = "(withheld by plumb: the matches above are shown redacted)"
		f.Evidence = finding.Evidence{Summary: fmt.Sprintf("GET %s answered %d; its values match (redacted):\n%s",
			in.HTTP.Redactor().URL(first.sample.Req.URL), first.sample.Resp.StatusCode, strings.Join(lines, "\n")),
			HTTP: []finding.HTTPExchange{ex}}
		f.Remediation = rem
		out = append(out, f)
	}
	return out
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// public says whether the spec lets anonymous callers use op.
func public(op spec.Operation) bool {
	if len(op.Security) == 0 {
		return true
	}
	for _, r := range op.Security {
		if len(r.Schemes) == 0 {
			return true
		}
	}
	return false
}

// SecretValues reports credentials and keys in response values.
type SecretValues struct{}

// Meta describes the check.
func (SecretValues) Meta() check.Meta {
	return check.Meta{
		ID: "data-exposure.secret-in-response", Title: "Credentials or keys in responses", Category: finding.CatDataExposure,
		OWASP: "API3:2023", CWE: "CWE-200", Severity: finding.Critical, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: "Scans the corpus (each GET operation requested once as identity A), headers and body values, " +
			"for credentials by their shape (the secrets rule pack): AWS access key ids, GitHub, Slack, Stripe live, Google and " +
			"LLM provider API keys, PEM private keys, JWTs (other than the caller's own), connection strings with passwords and " +
			"secret assignments (api_key=…, password: …). " +
			"Values under key names property-authorization.sensitive-fields already reports are skipped. Matches are shown redacted.",
		Remediation: secretRemediation,
	}
}

// Run scans the corpus; no extra requests.
func (c SecretValues) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cp, err := in.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	hits, err := scanValues(in, cp, packSecrets)
	if err != nil {
		return nil, err
	}
	return valueFindings(c.Meta(), in, hits, secretRemediation), nil
}

var secretRemediation = finding.Remediation{
	Summary: "Revoke and rotate every exposed credential now, then stop serialising it: return explicit response models " +
		"(allow-lists of fields), keep secrets in a secret manager, and add a response filter test for key-shaped values.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `class TicketOut(Schema):          # marshmallow: only these fields leave the API
    id = fields.Int(); subject = fields.Str(); status = fields.Str()
return TicketOut(many=True).dump(tickets)`},
		{Lang: "go", Code: `type ticketOut struct { // explicit response type: config and secrets never reach the encoder
	ID      int    ` + "`json:\"id\"`" + `
	Subject string ` + "`json:\"subject\"`" + `
}`},
		{Lang: "node-express", Code: `res.json(tickets.map(({ id, subject, status }) => ({ id, subject, status })));`},
	},
	References: refExposure,
}

// PIIValues reports personal data in response values: card numbers, SSNs
// and phone numbers anywhere, and e-mail addresses in bulk on operations
// anonymous callers may use.
type PIIValues struct{}

// Meta describes the check.
func (PIIValues) Meta() check.Meta {
	return check.Meta{
		ID: "data-exposure.pii-in-response", Title: "Personal data in responses", Category: finding.CatDataExposure,
		OWASP: "API3:2023", CWE: "CWE-359", Severity: finding.High, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: "Scans the corpus (each GET operation requested once as identity A) for personal data: " +
			"Luhn-valid payment card numbers, IBANs with a valid checksum, US social security " +
			"numbers and phone numbers next to a naming word (ssn, phone, mobile, tel), and lists of " +
			fmt.Sprint(minBulkEmails) + " or more distinct e-mail addresses on operations the spec lets anonymous callers use. " +
			"Matches are shown redacted.",
		Remediation: piiRemediation,
	}
}

// Run scans the corpus; no extra requests.
func (c PIIValues) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cp, err := in.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	hits, err := scanValues(in, cp, packPII)
	if err != nil {
		return nil, err
	}
	for _, s := range cp.Samples {
		if !s.OK() || !public(s.Op) {
			continue
		}
		body := string(s.Resp.Body[:min(len(s.Resp.Body), maxScanBody)])
		if !strings.Contains(body, "@") {
			continue
		}
		set := map[string]bool{}
		for _, e := range emailRE.FindAllString(body, 1000) {
			set[strings.ToLower(e)] = true
		}
		if len(set) < minBulkEmails {
			continue
		}
		var ex []string
		for e := range set {
			ex = append(ex, redactEmail(e))
		}
		sort.Strings(ex)
		hits = append(hits, valueHit{id: "bulk-emails", title: "e-mail addresses in bulk", sev: finding.Medium, sample: s, where: "body, operation open to anonymous callers",
			match: fmt.Sprintf("%d distinct addresses: %s", len(set), strings.Join(ex[:min(len(ex), 5)], ", "))})
	}
	return valueFindings(c.Meta(), in, hits, piiRemediation), nil
}

var piiRemediation = finding.Remediation{
	Summary: "Return only the personal data the caller needs and is allowed to see: mask card numbers to the last four " +
		"digits, never return SSNs, drop contact details from public lists, and require authentication for directories of people.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `def mask_card(pan): return "**** **** **** " + pan[-4:]
return {"tickets": [{"id": t.id, "subject": t.subject, "card": mask_card(t.card)} for t in tickets]}`},
		{Lang: "go", Code: `out.Card = "**** " + pan[len(pan)-4:] // never the full PAN`},
		{Lang: "node-express", Code: `res.json(tickets.map(t => ({ id: t.id, subject: t.subject }))); // no emails, phones or card numbers`},
	},
	References: refExposure,
}

// InternalAddresses reports private IP addresses and internal host names
// in responses: a map of the network behind the API.
type InternalAddresses struct{}

// Meta describes the check.
func (InternalAddresses) Meta() check.Meta {
	return check.Meta{
		ID: "data-exposure.internal-address", Title: "Internal addresses in responses", Category: finding.CatDataExposure,
		OWASP: "API8:2023", CWE: "CWE-200", Severity: finding.Low, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: "Scans the corpus (each GET operation requested once as identity A), headers and body values, " +
			"for private IPv4 addresses (RFC 1918, " +
			"link-local) and host names under internal suffixes (.internal, .intranet, .corp, .lan, .localdomain).",
		Remediation: internalRemediation,
	}
}

// Run scans the corpus; no extra requests.
func (c InternalAddresses) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cp, err := in.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	hits, err := scanValues(in, cp, packInternal)
	if err != nil {
		return nil, err
	}
	return valueFindings(c.Meta(), in, hits, internalRemediation), nil
}

var internalRemediation = finding.Remediation{
	Summary: "Strip backend addresses from responses: remove debugging headers (X-Backend-Server, Via with private hops) " +
		"at the proxy and keep internal host names out of response bodies.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `@app.after_request
def strip_backend(resp):
    resp.headers.pop("X-Backend-Server", None)
    return resp`},
		{Lang: "go", Code: `w.Header().Del("X-Backend-Server")`},
		{Lang: "node-express", Code: `app.use((req, res, next) => { res.removeHeader("X-Backend-Server"); next(); });`},
	},
	References: refMisconfig,
}
