package forms

import (
	"bytes"
	"testing"

	"github.com/google/uuid"
)

func TestConfirmTokensCannotBeForgedOrMoved(t *testing.T) {
	key := bytes.Repeat([]byte("k"), 32)
	tenant, form, id := uuid.NewString(), uuid.NewString(), uuid.NewString()
	tok := confirmToken(key, tenant, form, id)
	if got, ok := readConfirmToken(key, tenant, form, tok); !ok || got != id {
		t.Fatalf("read back %q, %v", got, ok)
	}
	for name, read := range map[string]func() (string, bool){
		"another tenant": func() (string, bool) { return readConfirmToken(key, uuid.NewString(), form, tok) },
		"another form":   func() (string, bool) { return readConfirmToken(key, tenant, uuid.NewString(), tok) },
		"another key":    func() (string, bool) { return readConfirmToken(bytes.Repeat([]byte("x"), 32), tenant, form, tok) },
		"another id": func() (string, bool) {
			other := confirmToken(key, tenant, form, uuid.NewString())
			return readConfirmToken(key, tenant, form, other[:22]+tok[22:])
		},
		"truncated":  func() (string, bool) { return readConfirmToken(key, tenant, form, tok[:len(tok)-1]) },
		"not base64": func() (string, bool) { return readConfirmToken(key, tenant, form, "!"+tok[1:]) },
	} {
		if got, ok := read(); ok {
			t.Errorf("%s: read %q", name, got)
		}
	}
}
