package webhooks

import "github.com/rapport-crm/rapport/services/gateway/internal/secretbox"

// NewSealer returns the box that seals the subscriptions' signing secrets
// at rest under a key derived from the gateway's data key
// (GATEWAY_DATA_KEY, 32 bytes) for webhook secrets alone; its Open is the
// dispatcher's delivery.Config.Open.
func NewSealer(dataKey []byte) (*secretbox.Box, error) {
	return secretbox.New(dataKey, "webhook-secret")
}
