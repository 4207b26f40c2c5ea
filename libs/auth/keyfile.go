package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
)

// WriteKeyFile generates an ES256 signing key and writes it to path as a
// PKCS #8 PEM block (mode 0600, its directory made if missing): the form
// the gateway's GATEWAY_SIGNING_KEYS names, for whoever starts a gateway
// (the local launcher, the end-to-end tests, the benchmarks).
func WriteKeyFile(path string) (*ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, fmt.Errorf("auth: write the signing key: %w", err)
	}
	return key, nil
}
