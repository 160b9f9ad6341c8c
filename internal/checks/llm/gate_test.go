package llm_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/plumbsec/plumb/internal/labtest"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/lab"
)

// A general-purpose application (it obeys any plain instruction) that
// streams its answers as server-sent events. It is built here, not in the
// lab, because only these tests need it.
const gpSpec = `{"openapi":"3.0.3","info":{"title":"gp","version":"1"},
"servers":[{"url":"https://api.gp.test"}],
"paths":{"/ask":{"post":{"requestBody":{"content":{"application/json":{"schema":{"type":"object",
"required":["prompt"],"properties":{"prompt":{"type":"string"}}}}}},"responses":{"200":{"description":"SSE",
"content":{"text/event-stream":{}}}}}}}}`

var gpJoin = regexp.MustCompile(`"([a-z]+)" and "([a-z]+)" joined`)

func gpHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(gpSpec))
	})
	mux.HandleFunc("POST /ask", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Prompt string `json:"prompt"`
		}
		_ = jsonDecode(r, &body)
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("X-RateLimit-Limit", "10")
		parts := []string{"Sure, ", "here you go."}
		if m := gpJoin.FindStringSubmatch(body.Prompt); m != nil {
			parts = []string{m[1], m[2]} // the joined answer arrives split over two chunks
		}
		for _, p := range parts {
			fmt.Fprintf(w, "data: {\"delta\":{\"text\":%q}}\n\n", p)
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	})
	return mux
}

// TestGeneralPurposeGate: an application that obeys the plain baseline is
// reported as general-purpose, and override probes stay silent (their
// success would mean nothing). Its SSE replies are read chunk by chunk.
func TestGeneralPurposeGate(t *testing.T) {
	t.Parallel()
	zone, err := lab.ParseZone("gp.test.", "@ 300 IN SOA ns1.gp.test. h.gp.test. 1 3600 600 86400 60", "@ NS ns1.gp.test.", "ns1 A 127.0.0.1", "api A 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	w := labtest.Start(t, lab.Options{ExtraZones: []lab.Zone{zone}, ExtraSites: []lab.Site{{Host: "api.gp.test", Handler: gpHandler()}}})
	rep := scan(t, w, lab.Target{Name: "gp", BaseURL: "https://api.gp.test"}, "", check.LLMOptions{Tier: "standard"})
	got := found(rep)
	ep, ok := got["llm.endpoint /ask"]
	if !ok {
		dump(t, rep)
		t.Fatal("SSE endpoint not identified")
	}
	if want := "SSE chunks, delta.text"; !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(ep.Evidence.Summary) {
		t.Errorf("reply path not learned from SSE: %s", ep.Evidence.Summary)
	}
	if _, ok := got["llm.hijack.general-purpose /ask"]; !ok {
		t.Error("general-purpose application not reported")
	}
	for _, id := range []string{"llm.pi.direct", "llm.pi.encoding", "llm.pi.unicode-tags", "llm.pi.template-tokens"} {
		if _, ok := got[id+" /ask"]; ok {
			t.Errorf("%s reported past the baseline gate", id)
		}
	}
	if _, ok := got["llm.cost.no-rate-limit /ask"]; ok {
		t.Error("rate-limit header ignored")
	}
}

func jsonDecode(r *http.Request, v any) error {
	return json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10)).Decode(v)
}
