package vendorapi

import (
	"net/http"
	"time"
)

// Client calls the vendor's API.
type Client struct {
	base  string
	token string
	hc    *http.Client
}

// New returns a client for the default endpoint.
func New(token string) *Client {
	return &Client{base: defaultBase, token: token, hc: &http.Client{Timeout: 5 * time.Second}}
}
