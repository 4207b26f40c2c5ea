package portal

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLinksVerifyTheirOwnTokensOnly(t *testing.T) {
	l, err := NewLinks(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	tok := l.Sign("tenant-a", "case-1", "ada@example.com", now.Add(time.Hour))
	if email, err := l.Verify(tok, "tenant-a", "case-1", now); err != nil || email != "ada@example.com" {
		t.Fatalf("Verify = %q, %v; want the email", email, err)
	}
	other, _ := NewLinks(bytes.Repeat([]byte("o"), 32))
	payload, sig, _ := strings.Cut(tok, ".")
	swapped := l.Sign("tenant-a", "case-2", "ada@example.com", now.Add(time.Hour))
	for what, c := range map[string]struct {
		links               Links
		token, tenant, kase string
		at                  time.Time
	}{
		"expired":           {l, tok, "tenant-a", "case-1", now.Add(time.Hour)},
		"another case":      {l, tok, "tenant-a", "case-2", now},
		"another tenant":    {l, tok, "tenant-b", "case-1", now},
		"another key":       {other, tok, "tenant-a", "case-1", now},
		"no signature":      {l, payload, "tenant-a", "case-1", now},
		"a swapped payload": {l, strings.SplitN(swapped, ".", 2)[0] + "." + sig, "tenant-a", "case-2", now},
		"a signature cut":   {l, payload + "." + sig[:10], "tenant-a", "case-1", now},
		"not base64":        {l, "!!." + sig, "tenant-a", "case-1", now},
		"empty":             {l, "", "tenant-a", "case-1", now},
	} {
		if _, err := c.links.Verify(c.token, c.tenant, c.kase, c.at); !errors.Is(err, ErrLink) {
			t.Errorf("%s: %v, want ErrLink", what, err)
		}
	}
	if _, err := NewLinks([]byte("short")); err == nil {
		t.Error("a key of 5 bytes is taken")
	}
}
