package vendorapi

import "context"

var guide = docsPage

func (c *Client) notify(ctx context.Context) error {
	return c.authed(ctx, "https://hooks.gowrap.svc-sample.io/notify")
}
