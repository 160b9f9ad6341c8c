package mcp

import (
	"context"
	"fmt"
	"sync"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/plumbsec/plumb/internal/engine"
)

// progress sends MCP progress notifications for one call, when the client
// asked for them with a progress token. Updates never block the caller
// (the engine reports under its own lock): the latest one waits in a slot
// and a goroutine sends it, skipping any it was too slow to send.
type progress struct {
	ctx   context.Context
	req   *sdk.CallToolRequest
	token any

	mu      sync.Mutex
	pending *sdk.ProgressNotificationParams
	last    float64 // the last value queued; the protocol wants it to grow
	nfiles  int     // files a code scan has read
	wake    chan struct{}
	done    chan struct{}
	stopped chan struct{}
}

// startProgress returns a progress reporter for req; without a progress
// token it does nothing.
func startProgress(ctx context.Context, req *sdk.CallToolRequest) *progress {
	p := &progress{ctx: ctx, req: req, last: -1}
	if req == nil || req.Params == nil || req.Session == nil {
		return p
	}
	if p.token = req.Params.GetProgressToken(); p.token == nil {
		return p
	}
	p.wake, p.done, p.stopped = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	go p.run()
	return p
}

// set queues a notification; a value that does not grow is dropped.
func (p *progress) set(value, total float64, msg string) {
	if p.token == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if value <= p.last {
		return
	}
	p.last = value
	p.pending = &sdk.ProgressNotificationParams{ProgressToken: p.token, Progress: value, Total: total, Message: msg}
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *progress) run() {
	defer close(p.stopped)
	for {
		select {
		case <-p.wake:
			p.flush()
		case <-p.done:
			p.flush()
			return
		}
	}
}

func (p *progress) flush() {
	p.mu.Lock()
	n := p.pending
	p.pending = nil
	p.mu.Unlock()
	if n != nil && p.ctx.Err() == nil {
		_ = p.req.Session.NotifyProgress(p.ctx, n) // a lost notification is not worth failing the call
	}
}

// stop sends what is pending and waits for the sender to end.
func (p *progress) stop() {
	if p.token == nil {
		return
	}
	close(p.done)
	<-p.stopped
}

// readEvery is how many files a code scan reads between two notifications.
const readEvery = 100

// setRead notes that a code scan has read n files, telling the client
// every readEvery files.
func (p *progress) setRead(n int) {
	if p.token == nil {
		return
	}
	p.mu.Lock()
	p.nfiles = n
	p.mu.Unlock()
	if n == 1 || n%readEvery == 0 {
		p.set(float64(n), 0, fmt.Sprintf("%d file(s) read", n))
	}
}

// files is how many files a code scan has read.
func (p *progress) files() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.nfiles
}

// engine turns the engine's progress into notifications: two steps before
// the checks (reaching the target, loading the spec), then one per check.
func (p *progress) engine(e engine.Progress) {
	switch {
	case e.Stage == "preflight":
		p.set(0, 0, "reaching the target")
	case e.Stage == "spec":
		p.set(1, 0, "loading the OpenAPI document")
	case e.Total > 0:
		p.set(float64(2+e.Done), float64(2+e.Total), fmt.Sprintf("checks %d/%d: %s", e.Done, e.Total, e.Check))
	}
}
