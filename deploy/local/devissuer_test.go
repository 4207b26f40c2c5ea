package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/testkit"
)

func TestDevIssuerTokensVerifyAgainstItsJWKS(t *testing.T) {
	d, err := startDevIssuer(testkit.FreePort(t), []string{"contacts"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop()

	res, err := http.Get(d.TokenURL("contacts"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("token: got %d %s, want 200", res.StatusCode, body)
	}
	ctx := context.Background()
	v, err := auth.NewVerifier(ctx, d.JWKSURL(), "contacts")
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.Verify(ctx, strings.TrimSpace(string(body)))
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if p.TenantID != demoTenantID || !p.Can("contacts:write") || p.ScopeFor("contacts") != auth.ScopeAll {
		t.Errorf("principal: got %+v, want the demo tenant's admin with scope all", p)
	}
	other, err := auth.NewVerifier(ctx, d.JWKSURL(), "sales")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Verify(ctx, strings.TrimSpace(string(body))); err == nil {
		t.Errorf("a contacts token verified for sales")
	}

	res, err = http.Get(d.TokenURL("nope"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown service: got %d, want 400", res.StatusCode)
	}
}
