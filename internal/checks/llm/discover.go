package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/spec"

	"github.com/plumbsec/plumb/internal/words"
)

// modelRoute is a read-only route that fingerprints an inference server,
// and the inference routes that stack serves.
type modelRoute struct {
	path      string
	stack     string
	recognise func(map[string]any) (model string, ok bool)
	infer     []inferRoute
}

type inferRoute struct{ path, dialect string }

var modelRoutes = []modelRoute{
	{"/v1/models", "openai-compatible", openAIModels, []inferRoute{{"/v1/chat/completions", DialectOpenAIChat}, {"/v1/completions", DialectOpenAIText}}},
	{"/api/tags", "ollama", ollamaTags, []inferRoute{{"/api/chat", DialectOllamaChat}}},
	{"/info", "tgi", tgiInfo, []inferRoute{{"/generate", DialectTGI}}},
	{"/props", "llama.cpp", llamaProps, []inferRoute{{"/completion", DialectLlamaCpp}}},
}

// knownInference maps well-known inference paths (as the spec may list
// them) to their dialect.
var knownInference = map[string]string{
	"/v1/chat/completions": DialectOpenAIChat, "/chat/completions": DialectOpenAIChat,
	"/v1/completions": DialectOpenAIText, "/v1/messages": DialectAnthropic,
	"/api/chat": DialectOllamaChat, "/generate": DialectTGI, "/completion": DialectLlamaCpp,
}

func openAIModels(m map[string]any) (string, bool) {
	data, _ := m["data"].([]any)
	if len(data) == 0 {
		return "", false
	}
	first, _ := data[0].(map[string]any)
	id, _ := first["id"].(string)
	typ, _ := first["object"].(string)
	if typ == "" {
		typ, _ = first["type"].(string) // Anthropic lists "type": "model"
	}
	return id, id != "" && typ == "model"
}

func ollamaTags(m map[string]any) (string, bool) {
	models, _ := m["models"].([]any)
	if len(models) == 0 {
		return "", false
	}
	first, _ := models[0].(map[string]any)
	name, _ := first["name"].(string)
	_, digest := first["digest"]
	return name, name != "" && digest
}

func tgiInfo(m map[string]any) (string, bool) {
	id, _ := m["model_id"].(string)
	_, tokens := m["max_total_tokens"]
	return id, id != "" && tokens
}

func llamaProps(m map[string]any) (string, bool) {
	_, ok := m["default_generation_settings"]
	return "", ok
}

// promptFields are request-body fields that carry a prompt; message only
// counts on a path that reads as a chat or assistant route (contact forms
// take a message too). dataFields carry documents the model reads.
var (
	promptFields = []string{"messages", "prompt", "question", "query", "input"}
	chatPathRe   = regexp.MustCompile(`(?i)chat|assistant|ask|llm|\bai\b|bot|complet|generat|copilot|agent`)
	dataFields   = []string{"document", "context", "content", "text", "email", "body", "file_text"}
	maxTokFields = []string{"max_tokens", "max_completion_tokens", "max_new_tokens", "num_predict", "n_predict"}
)

// discover finds candidate endpoints and keeps those a probe confirms.
func (r *runner) discover(ctx context.Context) ([]*Endpoint, error) {
	var cands []*Endpoint
	seen := map[string]bool{}
	add := func(e *Endpoint) {
		if !seen[e.Path] && len(cands) < maxEndpoints*2 {
			seen[e.Path] = true
			cands = append(cands, e)
		}
	}
	stacks, err := r.fingerprint(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range stacks {
		for _, ir := range s.route.infer {
			add(&Endpoint{URL: r.url(ir.path), Path: ir.path, Dialect: ir.dialect, Model: s.model})
		}
	}
	for _, e := range r.specCandidates() {
		add(e)
	}
	var eps []*Endpoint
	for _, e := range cands {
		if len(eps) >= maxEndpoints {
			break
		}
		ok, why, err := r.confirm(ctx, e)
		if err != nil {
			return eps, err
		}
		if ok {
			eps = append(eps, e)
		} else if why != "" {
			r.dropped(e, why)
		}
	}
	return eps, nil
}

type stack struct {
	route modelRoute
	model string
}

// fingerprint GETs the model-list routes without credentials (a 2xx model
// list is itself a finding), retrying with them on 401/403 to learn the
// stack.
func (r *runner) fingerprint(ctx context.Context) ([]stack, error) {
	var out []stack
	for _, mr := range modelRoutes {
		req := &netx.Request{Method: http.MethodGet, URL: r.url(mr.path)}
		resp, err := r.in.Fetch(ctx, r.in.HTTP, req, nil) // a documented model list is asked by other checks too
		if err != nil {
			if errors.Is(err, netx.ErrBudgetExhausted) || ctx.Err() != nil {
				return out, err
			}
			continue
		}
		unauth := true
		if (resp.StatusCode == 401 || resp.StatusCode == 403) && r.in.HasCredentials {
			req = &netx.Request{Method: http.MethodGet, URL: r.url(mr.path), WithCredentials: true}
			if resp, err = r.in.Fetch(ctx, r.in.HTTP, req, nil); err != nil {
				continue
			}
			unauth = false
		}
		var m map[string]any
		if resp.StatusCode != 200 || json.Unmarshal(resp.Body, &m) != nil {
			continue
		}
		model, ok := mr.recognise(m)
		if !ok {
			continue
		}
		out = append(out, stack{route: mr, model: model})
		if unauth {
			ep := &Endpoint{Path: "GET " + mr.path}
			x := &exchange{req: req, resp: resp}
			r.report("llm.auth.model-list", ep, finding.Medium, finding.Confirmed,
				fmt.Sprintf("GET %s answered %s (first model %q) without any credential.", mr.path, words.A(mr.stack+" model list"), model), x)
		}
		if r.runs("llm.info.version") {
			if err := r.version(ctx); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

var versionRe = regexp.MustCompile(`^v?\d+\.\d+(?:\.\d+)?`)

// version asks the usual version routes of a fingerprinted server.
func (r *runner) version(ctx context.Context) error {
	for _, p := range []string{"/version", "/api/version"} {
		req := &netx.Request{Method: http.MethodGet, URL: r.url(p)}
		resp, err := r.in.HTTP.Do(ctx, req)
		if err != nil {
			if errors.Is(err, netx.ErrBudgetExhausted) || ctx.Err() != nil {
				return err
			}
			continue
		}
		var m map[string]any
		if resp.StatusCode != 200 || json.Unmarshal(resp.Body, &m) != nil {
			continue
		}
		if v, _ := m["version"].(string); versionRe.MatchString(v) {
			r.report("llm.info.version", &Endpoint{Path: "GET " + p}, finding.Info, finding.Confirmed,
				fmt.Sprintf("GET %s disclosed inference server version %q without a credential.", p, v), &exchange{req: req, resp: resp})
			return nil
		}
	}
	return nil
}

// dropped records why a candidate was not kept: in coverage for a spec
// operation, and as a note of the report.
func (r *runner) dropped(e *Endpoint, why string) {
	if e.op != nil && r.in.Coverage != nil {
		r.in.Coverage.Skip(*e.op, "not an LLM endpoint after all: "+why)
	}
	r.in.Notes.Add("llm", fmt.Sprintf("LLM candidate POST %s not kept: %s", e.Path, why))
}

// url joins a route to the API's base URL.
func (r *runner) url(path string) string {
	u := r.in.BaseURL()
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = ""
	return u.String()
}

// specCandidates lists POST operations whose JSON body has a prompt-like
// field (or that sit on a well-known inference path).
func (r *runner) specCandidates() []*Endpoint {
	if r.in.API == nil {
		return nil
	}
	var out []*Endpoint
	for _, op := range r.in.API.Operations {
		if op.Method != http.MethodPost {
			continue
		}
		target, ok := r.in.OperationURL(op)
		if !ok {
			continue
		}
		for suffix, d := range knownInference {
			if strings.HasSuffix(op.Path, suffix) {
				out = append(out, &Endpoint{URL: target, Path: op.Path, Dialect: d, op: &op})
			}
		}
		if e := appEndpoint(op, target); e != nil {
			e.op = &op
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Raw() && !out[j].Raw() })
	return out
}

// appEndpoint builds an application endpoint from an operation's body
// schema, or nil when the body has no prompt-like field.
func appEndpoint(op spec.Operation, target string) *Endpoint {
	if op.RequestBody == nil || op.RequestBody.Schema == nil || op.RequestBody.Schema.Properties == nil {
		return nil
	}
	props := op.RequestBody.Schema.Properties
	e := &Endpoint{URL: target, Path: op.Path, Dialect: DialectApp, Extra: map[string]any{}}
	fields := promptFields
	if chatPathRe.MatchString(op.Path) {
		fields = append(fields[:len(fields):len(fields)], "message")
	}
	for _, f := range fields {
		if s := props[f]; s != nil && (s.Type == "string" || (f == "messages" && s.Type == "array")) {
			e.PromptField = f
			break
		}
	}
	if e.PromptField == "" {
		return nil
	}
	for _, f := range dataFields {
		if s := props[f]; s != nil && s.Type == "string" && f != e.PromptField {
			e.DataField = f
			break
		}
	}
	for _, f := range maxTokFields {
		if s := props[f]; s != nil && (s.Type == "integer" || s.Type == "number") {
			e.MaxTokensField = f
			break
		}
	}
	for _, name := range op.RequestBody.Schema.Required {
		if name == e.PromptField || name == e.DataField || props[name] == nil {
			continue
		}
		e.Extra[name] = reqgen.Value(props[name])
	}
	return e
}
