package contracttest_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
)

// TestGatewayTokensVerify checks that a service fetching the Gateway's
// JWKS verifies the tokens its signer signs.
func TestGatewayTokensVerify(t *testing.T) {
	signer, jwks := contracttest.Gateway(t)
	v, err := auth.NewVerifier(t.Context(), jwks, "shop")
	if err != nil {
		t.Fatal(err)
	}
	want := auth.Principal{TenantID: uuid.NewString(), UserID: uuid.NewString(), Permissions: []string{"shop:read"}}
	tok, err := signer.Sign(want, "shop", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.Verify(t.Context(), tok)
	if err != nil || got.TenantID != want.TenantID || got.UserID != want.UserID {
		t.Errorf("verified %+v (%v), want %+v", got, err, want)
	}
}
