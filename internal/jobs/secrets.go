package jobs

import (
	"encoding/json"
	"fmt"

	"github.com/plumbsec/plumb/internal/seal"
)

// The sealed values are bound to their record: a target's credentials
// cannot be opened as another target's, nor as a webhook secret.
func targetContext(id string) string  { return "plumb target credentials:" + id }
func webhookContext(id string) string { return "plumb webhook secret:" + id }

// SealCredentials encrypts a target's credentials for storage (nil when empty).
func SealCredentials(box *seal.Box, targetID string, c *Credentials) ([]byte, error) {
	if c == nil || (c.Bearer == "" && c.BearerB == "" && len(c.Headers) == 0) {
		return nil, nil
	}
	pt, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return box.Seal(pt, targetContext(targetID))
}

// OpenCredentials decrypts a target's stored credentials.
func OpenCredentials(box *seal.Box, targetID string, sealed []byte) (*Credentials, error) {
	pt, err := box.Open(sealed, targetContext(targetID))
	if err != nil {
		return nil, fmt.Errorf("target %s credentials: %w", targetID, err)
	}
	var c Credentials
	if err := json.Unmarshal(pt, &c); err != nil {
		return nil, fmt.Errorf("target %s credentials: %w", targetID, err)
	}
	return &c, nil
}

// SealWebhookSecret encrypts a webhook's signing secret for storage.
func SealWebhookSecret(box *seal.Box, webhookID, secret string) ([]byte, error) {
	return box.Seal([]byte(secret), webhookContext(webhookID))
}

func openWebhookSecret(box *seal.Box, webhookID string, sealed []byte) ([]byte, error) {
	return box.Open(sealed, webhookContext(webhookID))
}
