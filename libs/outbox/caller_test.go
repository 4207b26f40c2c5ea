package outbox

import (
	"context"
	"errors"
	"testing"

	"github.com/rapport-crm/rapport/libs/auth"
)

// TestInCallerTx runs a request's work in its caller's tenant, with the
// caller; a context without one is refused before any transaction.
func TestInCallerTx(t *testing.T) {
	f := newFixture(t)
	db := NewDB(f.db, things, f.topic)
	ctx := auth.WithPrincipal(context.Background(), auth.Principal{TenantID: f.tenant, UserID: "u1"})
	var tenant, user string
	err := db.InCallerTx(ctx, func(p auth.Principal, tx *Tx) error {
		user = p.UserID
		return tx.SQL().Get(&tenant, "SELECT current_setting('app.tenant_id', true)")
	})
	if err != nil || tenant != f.tenant || user != "u1" {
		t.Errorf("in the caller's transaction: tenant %q, user %q, %v", tenant, user, err)
	}
	ran := false
	err = db.InCallerTx(context.Background(), func(auth.Principal, *Tx) error { ran = true; return nil })
	if !errors.Is(err, auth.ErrUnauthenticated) || ran {
		t.Errorf("without a caller: %v, ran %v", err, ran)
	}
}
