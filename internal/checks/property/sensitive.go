// Package property holds checks of object property level authorization
// (OWASP API3:2023): sensitive properties in responses (excessive data
// exposure) and properties a client may set but should not (mass
// assignment).
package property

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/reqgen"
)

// SensitiveFields reads the JSON of every response identity A got and
// reports properties that should never leave the server (password
// hashes, API keys, secrets, tokens), other users' privilege fields and
// internal ids. It sends no request of its own beyond the shared corpus.
type SensitiveFields struct{}

// Meta describes the check.
func (SensitiveFields) Meta() check.Meta {
	return check.Meta{
		ID:       "property-authorization.sensitive-fields",
		Title:    "Responses expose sensitive object properties",
		Category: finding.CatPropertyAuthz,
		OWASP:    "API3:2023",
		CWE:      "CWE-213",
		Severity: finding.High,
		Needs:    check.NeedSpec,
		Description: "Walks the JSON bodies of the corpus (each GET operation requested once as identity A) and matches " +
			"property names against a data-driven " +
			"rule pack (internal/rules/packs/sensitive-keys.yaml: password, password_hash, secret, token, api_key, role/is_admin, internal ids; each with tested " +
			"positive and negative samples). Masked or empty values are ignored; the values found are redacted in the evidence. " +
			"Credentials on the caller's own record weigh less than other users' (a profile showing its own API key).",
		Remediation: sensitiveRemediation,
	}
}

// hit is one sensitive property seen.
type hit struct {
	path  string
	rule  *Rule
	value any
	self  bool
}

// Run analyses identity A's corpus.
func (c SensitiveFields) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	rs, err := keyRules()
	if err != nil {
		return nil, err
	}
	cp, err := in.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	var fs []finding.Finding
	for _, s := range cp.Samples {
		if !s.OK() || !reqgen.IsJSON(s.Resp.Header) {
			continue
		}
		var v any
		if json.Unmarshal(s.Resp.Body, &v) != nil {
			continue
		}
		var hits []hit
		walk(v, "", false, func(path string, obj map[string]any, key string, val any, inList bool) {
			r := classify(rs, key, val)
			if r == nil || (r.CollectionOnly && !inList) {
				return
			}
			hits = append(hits, hit{path: path, rule: r, value: val, self: reqgen.IsSelf(s.Op.Path) || cp.A.Owns(obj)})
		})
		if len(hits) > 0 {
			fs = append(fs, c.finding(in, s, hits))
		}
	}
	return fs, nil
}

func (c SensitiveFields) finding(in *check.Input, s *reqgen.Sample, hits []hit) finding.Finding {
	sev, conf := finding.Info, finding.Firm
	var paths []string
	for _, h := range hits {
		hs := h.rule.Level()
		if h.self {
			hs = h.rule.selfSev
		}
		sev = max(sev, hs)
		if h.rule.HasValue() || h.rule.ID == "password-hash" {
			conf = finding.Confirmed
		}
		if str, ok := h.value.(string); ok && h.rule.Class == "credential" {
			in.HTTP.Redactor().Add(str) // before the evidence is rendered
		}
		if !slices.Contains(paths, h.path) {
			paths = append(paths, h.path)
		}
	}
	kinds := kindsOf(hits)
	f := check.New(c.Meta(), fmt.Sprintf("%s %s exposes %s", s.Op.Method, s.Op.Path, strings.Join(kinds, ", ")),
		finding.Location{Host: in.Target.Host, Method: s.Op.Method, Path: s.Op.Path})
	f.Severity, f.Confidence = sev, conf
	shown := paths
	if len(shown) > 8 {
		shown = append(shown[:8:8], fmt.Sprintf("… %d more", len(paths)-8))
	}
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("The response to identity A carries %s (values redacted here). Properties: %s.",
			strings.Join(kinds, ", "), strings.Join(shown, ", ")),
		HTTP: []finding.HTTPExchange{in.HTTP.Evidence(s.Req, s.Resp, nil)},
	}
	f.Remediation = sensitiveRemediation
	return f
}

func kindsOf(hits []hit) []string {
	var out []string
	for _, h := range hits {
		name := strings.ReplaceAll(h.rule.ID, "-", " ")
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// walk visits every key of every object in v; inList says the object is
// an element of an array (a collection of records, not the caller's own).
func walk(v any, path string, inList bool, fn func(path string, obj map[string]any, key string, val any, inList bool)) {
	walkDepth(v, path, inList, 0, fn)
}

func walkDepth(v any, path string, inList bool, depth int, fn func(string, map[string]any, string, any, bool)) {
	if depth > 12 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			fn(p, x, k, x[k], inList)
			walkDepth(x[k], p, inList, depth+1, fn)
		}
	case []any:
		for i, e := range x {
			if i >= 200 {
				break
			}
			walkDepth(e, path+"[]", true, depth+1, fn)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
