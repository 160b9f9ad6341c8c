package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

// mcpPaths are where MCP Streamable HTTP servers usually listen; the
// spec's own /mcp operations are added.
var mcpPaths = []string{"/mcp"}

// probeMCP looks for an MCP endpoint and, without any credential, asks
// it only to initialize and list its tools (never to call one).
func (r *runner) probeMCP(ctx context.Context) error {
	if !r.runs("llm.auth.mcp-exposed") {
		return nil
	}
	paths := append([]string(nil), mcpPaths...)
	if r.in.API != nil {
		for _, op := range r.in.API.Operations {
			if strings.HasSuffix(op.Path, "/mcp") && op.Path != "/mcp" {
				paths = append(paths, op.Path)
			}
		}
	}
	for _, p := range paths {
		if err := r.mcpAt(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) mcpAt(ctx context.Context, path string) error {
	u := r.url(path)
	// A cheap GET first: a route that does not exist ends here, so no
	// JSON-RPC is ever posted to an unknown endpoint.
	resp, err := r.in.HTTP.Do(ctx, &netx.Request{Method: http.MethodGet, URL: u, Header: http.Header{"Accept": {"text/event-stream"}}})
	if err != nil {
		return fatal(err) // unreachable route: nothing to learn
	}
	if !mcpShaped(resp) {
		return nil
	}
	hdr := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json, text/event-stream"}}
	rpc := func(body string) (*netx.Request, *netx.Response, error) {
		req := &netx.Request{Method: http.MethodPost, URL: u, Header: hdr.Clone(), Body: []byte(body)}
		resp, err := r.in.HTTP.Do(ctx, req)
		return req, resp, fatal(err)
	}
	_, init, err := rpc(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"plumb","version":"1"}}}`)
	if err != nil || init == nil || init.StatusCode/100 != 2 {
		return err
	}
	if sid := init.Header.Get("Mcp-Session-Id"); sid != "" {
		hdr.Set("Mcp-Session-Id", sid)
	}
	if _, _, err := rpc(`{"jsonrpc":"2.0","method":"notifications/initialized"}`); err != nil {
		return err
	}
	req, list, err := rpc(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
	if err != nil || list == nil || list.StatusCode/100 != 2 {
		return err
	}
	names := mcpToolNames(list)
	if len(names) == 0 {
		return nil
	}
	what := fmt.Sprintf("POST %s answered initialize and tools/list with no credential; tools: %s.", path, strings.Join(names, ", "))
	if st := r.cat.Find("state-changing", string(list.Body)); len(st) > 0 {
		what += " Some are state-changing (" + st[0].Text + ")."
	}
	r.report("llm.auth.mcp-exposed", &Endpoint{Path: path}, finding.High, finding.Confirmed, what, &exchange{req: req, resp: list})
	return nil
}

// mcpShaped: the GET was answered the way MCP servers answer it (an SSE
// stream, 405 for servers without one, 400/406 asking for the right
// Accept) or with a JSON-RPC body.
func mcpShaped(resp *netx.Response) bool {
	switch {
	case resp.StatusCode == http.StatusMethodNotAllowed, resp.StatusCode == http.StatusNotAcceptable,
		resp.StatusCode == http.StatusBadRequest:
		return true
	case resp.StatusCode == http.StatusOK && isSSE(resp.Header.Get("Content-Type")):
		return true
	}
	return strings.Contains(string(resp.Body), `"jsonrpc"`)
}

// mcpToolNames reads result.tools[].name from a JSON or SSE answer.
func mcpToolNames(resp *netx.Response) []string {
	var msgs []any
	if isSSE(resp.Header.Get("Content-Type")) {
		msgs = sseChunks(resp.Body)
	} else {
		var v any
		if json.Unmarshal(resp.Body, &v) == nil {
			msgs = append(msgs, v)
		}
	}
	var names []string
	for _, m := range msgs {
		b, _ := json.Marshal(m)
		var rpc struct {
			JSONRPC string `json:"jsonrpc"`
			Result  struct {
				Tools []struct {
					Name string `json:"name"`
				} `json:"tools"`
			} `json:"result"`
		}
		if json.Unmarshal(b, &rpc) != nil || rpc.JSONRPC != "2.0" {
			continue
		}
		for _, t := range rpc.Result.Tools {
			if t.Name != "" && len(names) < 20 {
				names = append(names, t.Name)
			}
		}
	}
	return names
}

// fatal keeps only the errors that end the check: budget and
// cancellation. A failing request to one route is not the check failing.
func fatal(err error) error {
	if err != nil && (errors.Is(err, netx.ErrBudgetExhausted) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return err
	}
	return nil
}
