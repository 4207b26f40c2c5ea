package webhooks

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Sealer seals the subscriptions' signing secrets with AES-256-GCM under a
// key derived from the gateway's data key (GATEWAY_DATA_KEY), as the
// identity package seals OIDC client secrets.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns the Sealer of dataKey (32 bytes).
func NewSealer(dataKey []byte) (*Sealer, error) {
	if len(dataKey) != 32 {
		return nil, fmt.Errorf("webhooks: the data key has %d bytes, want 32", len(dataKey))
	}
	m := hmac.New(sha256.New, dataKey)
	m.Write([]byte("webhook-secret"))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal returns plain sealed: a random nonce followed by the ciphertext.
func (s *Sealer) Seal(plain string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails
	return s.aead.Seal(nonce, nonce, []byte(plain), nil)
}

// Open returns the secret sealed holds (delivery.Config.Open).
func (s *Sealer) Open(sealed []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("webhooks: sealed secret too short")
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return "", fmt.Errorf("webhooks: open secret: %w", err)
	}
	return string(plain), nil
}
