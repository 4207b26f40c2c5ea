package secretbox

import (
	"bytes"
	"testing"
)

// TestBox: a sealed secret opens again, differs each time it is sealed,
// and does not open under another purpose, another data key or tampered.
func TestBox(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeyLen)
	box, err := New(key, "webhook-secret")
	if err != nil {
		t.Fatal(err)
	}
	a, b := box.Seal("whsec_x"), box.Seal("whsec_x")
	if bytes.Equal(a, b) {
		t.Error("two seals of one secret are equal: the nonce is not random")
	}
	if got, err := box.Open(a); err != nil || got != "whsec_x" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	other, _ := New(key, "oidc-client-secret")
	stranger, _ := New(bytes.Repeat([]byte{8}, KeyLen), "webhook-secret")
	tampered := append([]byte(nil), a...)
	tampered[len(tampered)-1] ^= 1
	for name, open := range map[string]func() (string, error){
		"another purpose": func() (string, error) { return other.Open(a) },
		"another key":     func() (string, error) { return stranger.Open(a) },
		"tampered":        func() (string, error) { return box.Open(tampered) },
		"too short":       func() (string, error) { return box.Open(a[:3]) },
	} {
		if _, err := open(); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
	if _, err := New(key[:16], "x"); err == nil {
		t.Error("a 16-byte data key was taken")
	}
}
