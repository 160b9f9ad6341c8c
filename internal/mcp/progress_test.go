package mcp

import (
	"context"
	"sync"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/plumbsec/plumb/internal/engine"
)

// The engine's progress becomes notifications whose value only grows
// (the protocol requires it), and the last one always gets through.
func TestProgressFromTheEngine(t *testing.T) {
	t.Parallel()
	server := sdk.NewServer(&sdk.Implementation{Name: "t", Version: "1"}, nil)
	sdk.AddTool(server, &sdk.Tool{Name: "scan"}, func(ctx context.Context, req *sdk.CallToolRequest, _ struct{}) (*sdk.CallToolResult, any, error) {
		p := startProgress(ctx, req)
		p.engine(engine.Progress{Stage: "preflight"})
		p.engine(engine.Progress{Stage: "spec"})
		for i := 1; i <= 40; i++ {
			p.engine(engine.Progress{Stage: "checks", Done: i, Total: 40, Check: "c"})
			p.engine(engine.Progress{Stage: "checks", Done: i - 1, Total: 40, Check: "late"}) // out of order: dropped
		}
		p.engine(engine.Progress{Stage: "done"})
		p.stop()
		return &sdk.CallToolResult{}, nil, nil
	})
	var mu sync.Mutex
	var got []*sdk.ProgressNotificationParams
	client := sdk.NewClient(&sdk.Implementation{Name: "c", Version: "1"}, &sdk.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *sdk.ProgressNotificationClientRequest) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, r.Params)
		},
	})
	ct, st := sdk.NewInMemoryTransports()
	ctx := context.Background()
	if _, err := server.Connect(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := client.Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if _, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "scan", Meta: sdk.Meta{"progressToken": 7}}); err != nil {
		t.Fatal(err)
	}
	// Without a token nothing is sent.
	if _, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "scan"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) == 0 {
		t.Fatal("no notification")
	}
	for i, p := range got {
		if i > 0 && p.Progress <= got[i-1].Progress {
			t.Errorf("progress %v after %v", p.Progress, got[i-1].Progress)
		}
		if p.Message == "checks 39/40: late" {
			t.Error("an out-of-order update was sent")
		}
	}
	if last := got[len(got)-1]; last.Progress != 42 || last.Total != 42 || last.Message != "checks 40/40: c" {
		t.Errorf("last notification %+v, want 42 of 42", last)
	}
}
