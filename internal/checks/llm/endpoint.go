package llm

import (
	"bufio"
	"bytes"
	"encoding/json"
	"mime"
	"sort"
	"strconv"
	"strings"

	"github.com/plumbsec/plumb/internal/spec"
)

// Dialects: how a request is shaped and where the reply is read.
const (
	DialectOpenAIChat = "openai-chat"
	DialectOpenAIText = "openai-completions"
	DialectAnthropic  = "anthropic-messages"
	DialectOllamaChat = "ollama-chat"
	DialectTGI        = "tgi-generate"
	DialectLlamaCpp   = "llamacpp-completion"
	DialectApp        = "application"
)

// Endpoint is one inference route under test.
type Endpoint struct {
	URL     string
	Path    string // spec path template or route, for finding locations
	Dialect string
	Model   string // a model id learned from a model list

	// Application endpoints: where the prompt and data go.
	PromptField    string         // "messages" means an OpenAI-style array
	DataField      string         // document/context field, "" if none
	Extra          map[string]any // other required fields, with example values
	MaxTokensField string         // declared max-tokens field, "" if none

	Reply     ReplyPath
	Shape     string // the model wire shape its answers come in ("chat-completions"), if known
	Confirmed bool   // a join probe proved it generative
	HTML      bool   // replies are served as text/html
	Spent     int    // requests sent to it

	op *spec.Operation // the spec operation it came from, for coverage
}

// Raw reports whether the endpoint is a model API rather than an
// application: model choice, n and markup are the client's business there.
func (e *Endpoint) Raw() bool { return e.Dialect != DialectApp }

// Messages reports whether the endpoint takes a messages array.
func (e *Endpoint) Messages() bool {
	switch e.Dialect {
	case DialectOpenAIChat, DialectAnthropic, DialectOllamaChat:
		return true
	}
	return e.PromptField == "messages"
}

// Turn is one probe request: an optional client system message, the user
// text, optional data for a data field, and extra top-level fields.
type Turn struct {
	System    string
	User      string
	Data      string
	MaxTokens int // 0: the probe default
	Extra     map[string]any
}

const defaultMaxTokens = 64

// Body renders t in the endpoint's dialect.
func (e *Endpoint) Body(t Turn) []byte {
	mt := t.MaxTokens
	if mt == 0 {
		mt = defaultMaxTokens
	}
	var msgs []map[string]string
	if t.System != "" {
		msgs = append(msgs, map[string]string{"role": "system", "content": t.System})
	}
	msgs = append(msgs, map[string]string{"role": "user", "content": t.User})
	b := map[string]any{}
	switch e.Dialect {
	case DialectOpenAIChat:
		b["model"], b["messages"], b["max_tokens"] = e.model(), msgs, mt
	case DialectOpenAIText:
		b["model"], b["prompt"], b["max_tokens"] = e.model(), t.User, mt
	case DialectAnthropic:
		b["model"], b["messages"], b["max_tokens"] = e.model(), msgs, mt
		if t.System != "" {
			b["system"], b["messages"] = t.System, msgs[1:]
		}
	case DialectOllamaChat:
		b["model"], b["messages"], b["stream"] = e.model(), msgs, false
		b["options"] = map[string]any{"num_predict": mt}
	case DialectTGI:
		b["inputs"], b["parameters"] = t.User, map[string]any{"max_new_tokens": mt}
	case DialectLlamaCpp:
		b["prompt"], b["n_predict"] = t.User, mt
	default:
		for k, v := range e.Extra {
			b[k] = v
		}
		if e.PromptField == "messages" {
			b["messages"] = msgs
		} else {
			b[e.PromptField] = t.User
		}
		if e.DataField != "" {
			b[e.DataField] = t.Data
			if t.Data == "" {
				b[e.DataField] = "Opening hours are nine to five, Monday to Friday."
			}
		}
		if e.MaxTokensField != "" {
			b[e.MaxTokensField] = mt
		}
	}
	for k, v := range t.Extra {
		b[k] = v
	}
	out, _ := json.Marshal(b) // maps of strings, numbers and slices always marshal
	return out
}

func (e *Endpoint) model() string {
	if e.Model != "" {
		return e.Model
	}
	return "default"
}

// ReplyPath says where the generated text is in a response: a JSON path
// (keys and array indexes) in a JSON body or in every SSE data chunk, or
// the whole body.
type ReplyPath struct {
	Path  []string
	SSE   bool
	Whole bool
}

func (p ReplyPath) String() string {
	switch {
	case p.Whole:
		return "whole body"
	case p.SSE:
		return "SSE chunks, " + strings.Join(p.Path, ".")
	}
	return strings.Join(p.Path, ".")
}

// leaf is one string value in a JSON document and where it is.
type leaf struct {
	path []string
	text string
}

// jsonLeaves lists every string value of v, depth-first in key order.
func jsonLeaves(v any, path []string, out *[]leaf) {
	if len(path) > 12 || len(*out) > 512 {
		return
	}
	switch t := v.(type) {
	case string:
		*out = append(*out, leaf{path: append([]string(nil), path...), text: t})
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			jsonLeaves(t[k], append(path, k), out)
		}
	case []any:
		for i, x := range t {
			if i >= 32 {
				break
			}
			jsonLeaves(x, append(path, strconv.Itoa(i)), out)
		}
	}
}

// sseChunks returns the JSON payloads of the data: lines of an SSE body.
func sseChunks(body []byte) []any {
	var out []any
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		data, ok := strings.CutPrefix(line, "data:")
		if !ok {
			continue
		}
		data = strings.TrimSpace(data)
		var v any
		if data == "" || data == "[DONE]" || json.Unmarshal([]byte(data), &v) != nil {
			continue
		}
		out = append(out, v)
	}
	return out
}

func isSSE(ct string) bool {
	mt, _, _ := mime.ParseMediaType(ct)
	return mt == "text/event-stream"
}

func isJSONType(ct string) bool {
	mt, _, _ := mime.ParseMediaType(ct)
	return mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "application/x-ndjson"
}

// candidates lists every place a reply could be read from a response:
// each JSON string leaf, or each SSE path with its chunks concatenated.
func candidates(body []byte, ct string) []leaf {
	if isSSE(ct) || (!isJSONType(ct) && bytes.HasPrefix(bytes.TrimSpace(body), []byte("data:"))) {
		joined := map[string]*leaf{}
		var order []string
		for _, ch := range sseChunks(body) {
			var ls []leaf
			jsonLeaves(ch, nil, &ls)
			for _, l := range ls {
				k := strings.Join(l.path, "\x00")
				if joined[k] == nil {
					joined[k] = &leaf{path: l.path}
					order = append(order, k)
				}
				joined[k].text += l.text
			}
		}
		out := make([]leaf, 0, len(order))
		for _, k := range order {
			out = append(out, leaf{path: append([]string{"sse"}, joined[k].path...), text: joined[k].text})
		}
		return out
	}
	var v any
	if json.Unmarshal(body, &v) == nil {
		var out []leaf
		jsonLeaves(v, nil, &out)
		return out
	}
	return []leaf{{path: []string{"body"}, text: string(body)}}
}

func pathOf(l leaf) ReplyPath {
	switch {
	case len(l.path) == 1 && l.path[0] == "body":
		return ReplyPath{Whole: true}
	case len(l.path) > 0 && l.path[0] == "sse":
		return ReplyPath{SSE: true, Path: l.path[1:]}
	}
	return ReplyPath{Path: l.path}
}

// LearnReply finds where the reply is: the place whose text satisfies ok
// (e.g. holds the joined nonce).
func LearnReply(body []byte, ct string, ok func(string) bool) (ReplyPath, bool) {
	for _, l := range candidates(body, ct) {
		if ok(l.text) {
			return pathOf(l), true
		}
	}
	return ReplyPath{}, false
}

// Extract reads the reply at p. When p does not resolve (an error shape,
// a refusal in another field) it falls back to every string in the
// response joined, so detectors still see what the model said.
func Extract(body []byte, ct string, p ReplyPath) string {
	var all []string
	for _, l := range candidates(body, ct) {
		lp := pathOf(l)
		if lp.Whole == p.Whole && lp.SSE == p.SSE && strings.Join(lp.Path, ".") == strings.Join(p.Path, ".") {
			return l.text
		}
		all = append(all, l.text)
	}
	return strings.Join(all, "\n")
}
