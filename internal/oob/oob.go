// Package oob is plumb's out-of-band channel: a URL a target's server-side
// fetches can reach and plumb can read back. The built-in Listener
// (--callback-listen) is a real HTTP server plumb runs for one scan; Remote
// (--callback-url alone) is an external listener polled through the
// collector contract (GET <base>/plumb/interactions/<id>). Checks see
// either through Sink.
package oob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"
)

// Interaction is one request that reached a probe URL.
type Interaction struct {
	Method     string
	Path       string
	Header     http.Header
	RemoteAddr string // "" when the listener does not say
	Time       time.Time
}

// Sink hands out probe URLs and reports what reached them.
type Sink interface {
	// New returns a fresh, unguessable probe id and the URL that reaches it.
	New() (id, url string, err error)
	// Interactions returns what reached id, waiting up to wait for the
	// first one (a fetch may be asynchronous).
	Interactions(ctx context.Context, id string, wait time.Duration) ([]Interaction, error)
	// Describe names the channel for evidence ("plumb's listener on …").
	Describe() string
}

// newID returns prefix and 128 random bits in hex.
func newID(prefix string) (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + hex.EncodeToString(b), nil
}
