package auth_test

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/rapport-crm/rapport/libs/auth"
)

func TestWriteKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets", "signing-key.pem")
	key, err := auth.WriteKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v; want one of mode 0600", err, info.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	block, rest := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" || len(rest) != 0 {
		t.Fatalf("key file %q, want one PKCS #8 PEM block", b)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil || !key.Equal(parsed) {
		t.Fatalf("the file holds %v (%v), want the key returned", parsed, err)
	}
	if _, err := auth.NewSignerFromKey(key, "k1"); err != nil {
		t.Errorf("the key does not sign internal tokens: %v", err)
	}
}
