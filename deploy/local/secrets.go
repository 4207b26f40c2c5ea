package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// rolePassword returns the password of role (see secret).
func rolePassword(stateDir, role string) (string, error) { return secret(stateDir, role+".password") }

// secret returns the random secret called name, generating and storing it
// under <stateDir>/secrets the first time, so restarts reuse it.
func secret(stateDir, name string) (string, error) {
	dir := filepath.Join(stateDir, "secrets")
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if err == nil {
		if pw := strings.TrimSpace(string(b)); pw != "" {
			return pw, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read secret %s: %w", name, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create secrets dir: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generate secret %s: %w", name, err)
	}
	pw := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(pw+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("store secret %s: %w", name, err)
	}
	return pw, nil
}
