package identity

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// DataKeyLen is the length of the gateway's data key (GATEWAY_DATA_KEY).
const DataKeyLen = 32

// secretBox seals small secrets (OIDC client secrets) with AES-256-GCM under
// a key derived from the data key, and derives other keys from it.
type secretBox struct {
	aead   cipher.AEAD
	master []byte
}

func newSecretBox(dataKey []byte) (*secretBox, error) {
	if len(dataKey) != DataKeyLen {
		return nil, fmt.Errorf("identity: the data key has %d bytes, want %d", len(dataKey), DataKeyLen)
	}
	block, err := aes.NewCipher(deriveKey(dataKey, "oidc-client-secret"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &secretBox{aead: aead, master: append([]byte(nil), dataKey...)}, nil
}

// deriveKey returns HMAC-SHA256(master, purpose).
func deriveKey(master []byte, purpose string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

func (b *secretBox) seal(plain string) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return b.aead.Seal(nonce, nonce, []byte(plain), nil)
}

func (b *secretBox) open(sealed []byte) (string, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("identity: sealed secret too short")
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return "", fmt.Errorf("identity: open secret: %w", err)
	}
	return string(plain), nil
}
