package split

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// Client pushes reports.
type Client struct {
	base  string
	token string
	hc    *http.Client
}

// New returns a client of the default upstream.
func New(token string) *Client {
	return &Client{base: defaultBase, token: token, hc: &http.Client{Timeout: 5 * time.Second}}
}

// Push sends one report.
func (c *Client) Push(ctx context.Context, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"push", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
