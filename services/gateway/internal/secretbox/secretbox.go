// Package secretbox seals the gateway's small secrets at rest (OIDC client
// secrets, command-line sign-in codes, webhook signing secrets) with
// AES-256-GCM, each kind under its own key derived from the gateway's data
// key (GATEWAY_DATA_KEY), and derives the other keys the gateway needs
// from it.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// KeyLen is the length of the data key.
const KeyLen = 32

// Box seals and opens secrets under one derived key.
type Box struct {
	aead cipher.AEAD
}

// New returns the Box of dataKey (KeyLen bytes) for purpose, which names
// the kind of secret: boxes of different purposes cannot open each other's.
func New(dataKey []byte, purpose string) (*Box, error) {
	if len(dataKey) != KeyLen {
		return nil, fmt.Errorf("secretbox: the data key has %d bytes, want %d", len(dataKey), KeyLen)
	}
	block, err := aes.NewCipher(DeriveKey(dataKey, purpose))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// DeriveKey returns HMAC-SHA256(master, purpose).
func DeriveKey(master []byte, purpose string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// Seal returns plain sealed: a random nonce followed by the ciphertext.
func (b *Box) Seal(plain string) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails
	return b.aead.Seal(nonce, nonce, []byte(plain), nil)
}

// Open returns the secret sealed holds.
func (b *Box) Open(sealed []byte) (string, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("secretbox: sealed secret too short")
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return "", fmt.Errorf("secretbox: open: %w", err)
	}
	return string(plain), nil
}
