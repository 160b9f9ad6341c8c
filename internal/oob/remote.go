package oob

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/netx"
)

// Remote is an external listener (--callback-url) that implements the
// collector contract: probe URLs are <base>/plumb/<id>, and
// GET <base>/plumb/interactions/<id> answers
// {"interactions":[{"method","path","headers"}]} for requests whose path
// contained id. Polls go through the scan's client without credentials.
type Remote struct {
	Base string
	HTTP *netx.Client
}

// NewRemote returns a Remote for base.
func NewRemote(base string, c *netx.Client) *Remote {
	return &Remote{Base: strings.TrimSuffix(base, "/"), HTTP: c}
}

// Describe names the listener for evidence.
func (r *Remote) Describe() string { return "the callback listener at " + r.Base }

// New issues a probe id.
func (r *Remote) New() (string, string, error) {
	id, err := newID("plumb-ssrf-")
	if err != nil {
		return "", "", err
	}
	return id, r.Base + "/plumb/" + id, nil
}

// Interactions waits wait (the listener cannot signal), then polls once.
func (r *Remote) Interactions(ctx context.Context, id string, wait time.Duration) ([]Interaction, error) {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
	}
	resp, err := r.HTTP.Do(ctx, &netx.Request{Method: http.MethodGet, URL: r.Base + "/plumb/interactions/" + id})
	if err != nil {
		return nil, err
	}
	var doc struct {
		Interactions []struct {
			Method  string              `json:"method"`
			Path    string              `json:"path"`
			Headers map[string][]string `json:"headers"`
		} `json:"interactions"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(resp.Body, &doc) != nil {
		return nil, fmt.Errorf("callback listener %s: unexpected answer %d", r.Base, resp.StatusCode)
	}
	var out []Interaction
	for _, it := range doc.Interactions {
		if strings.Contains(it.Path, id) {
			out = append(out, Interaction{Method: it.Method, Path: it.Path, Header: http.Header(it.Headers)})
		}
	}
	return out, nil
}
