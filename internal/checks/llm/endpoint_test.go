package llm

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/netx"
)

func contentType(name string) string {
	switch filepath.Ext(name) {
	case ".sse":
		return "text/event-stream"
	case ".html":
		return "text/html; charset=utf-8"
	}
	return "application/json"
}

// TestLearnAndExtract: the reply path is learned from a response holding
// the joined nonce, then reads a later response of the same shape.
func TestLearnAndExtract(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"openai.json":    "choices.0.message.content",
		"anthropic.json": "content.0.text",
		"openai.sse":     "SSE chunks, choices.0.delta.content",
		"anthropic.sse":  "SSE chunks, delta.text",
		"ollama.json":    "message.content",
		"widget.html":    "whole body",
		"app.json":       "answer",
	}
	for name, path := range want {
		b, err := os.ReadFile(filepath.Join("testdata/replies", name))
		if err != nil {
			t.Fatal(err)
		}
		ct := contentType(name)
		p, ok := LearnReply(b, ct, func(s string) bool { return JoinedNonce(s, "abc", "xyz") })
		if !ok || p.String() != path {
			t.Errorf("%s: learned %q (%v), want %q", name, p, ok, path)
			continue
		}
		next := []byte(strings.ReplaceAll(string(b), "xyz", "QRS"))
		if got := Extract(next, ct, p); !strings.Contains(got, "abcQRS") {
			t.Errorf("%s: Extract = %q", name, got)
		}
	}
}

func TestExtractFallsBackToAllText(t *testing.T) {
	t.Parallel()
	got := Extract([]byte(`{"error":{"message":"I cannot help with that"}}`), "application/json", ReplyPath{Path: []string{"answer"}})
	if got != "I cannot help with that" {
		t.Errorf("fallback = %q", got)
	}
}

func TestBodyDialects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		e    Endpoint
		want []string
	}{
		{Endpoint{Dialect: DialectOpenAIChat, Model: "m"}, []string{`"max_tokens":64`, `"role":"system"`, `"model":"m"`}},
		{Endpoint{Dialect: DialectOpenAIText}, []string{`"prompt":"hi"`}},
		{Endpoint{Dialect: DialectAnthropic}, []string{`"system":"sys"`, `"max_tokens":64`}},
		{Endpoint{Dialect: DialectOllamaChat}, []string{`"num_predict":64`, `"stream":false`}},
		{Endpoint{Dialect: DialectTGI}, []string{`"inputs":"hi"`, `"max_new_tokens":64`}},
		{Endpoint{Dialect: DialectLlamaCpp}, []string{`"n_predict":64`}},
		{Endpoint{Dialect: DialectApp, PromptField: "question", DataField: "document", MaxTokensField: "max_tokens", Extra: map[string]any{"lang": "en"}},
			[]string{`"question":"hi"`, `"document":"doc"`, `"lang":"en"`, `"max_tokens":64`}},
	} {
		b := tc.e.Body(Turn{System: "sys", User: "hi", Data: "doc"})
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", tc.e.Dialect, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s body %s lacks %s", tc.e.Dialect, b, w)
			}
		}
	}
}

func FuzzExtract(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/replies/*")
	if len(seeds) == 0 {
		f.Fatal("no seed corpus in testdata/replies")
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, contentType(s))
	}
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		p, _ := LearnReply(body, ct, func(s string) bool { return strings.Contains(s, "a") })
		_ = Extract(body, ct, p)
		_ = Normalize(string(body))
		_ = CommonRun(string(body), "a b c")
		_ = mcpToolNames(&netx.Response{Body: body, Header: http.Header{"Content-Type": {ct}}})
	})
}

func TestMCPToolNames(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/replies/mcp.sse")
	if err != nil {
		t.Fatal(err)
	}
	got := mcpToolNames(&netx.Response{Body: b, Header: http.Header{"Content-Type": {"text/event-stream"}}})
	if len(got) != 1 || got[0] != "lookup_order" {
		t.Errorf("SSE tools = %v", got)
	}
	got = mcpToolNames(&netx.Response{Body: []byte(`{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"a"},{"name":"b"}]}}`), Header: http.Header{}})
	if len(got) != 2 {
		t.Errorf("JSON tools = %v", got)
	}
	// Not JSON-RPC: a look-alike list is not an MCP server.
	if got := mcpToolNames(&netx.Response{Body: []byte(`{"result":{"tools":[{"name":"a"}]}}`), Header: http.Header{}}); len(got) != 0 {
		t.Errorf("non-JSON-RPC tools = %v", got)
	}
}
