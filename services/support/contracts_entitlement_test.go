package support_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/support/contracts"
)

// waitUsage waits until the contract id has n uses (the consumer group
// support-contracts counting the cases' events) and returns them.
func (e *env) waitUsage(u user, id string, n int) []contracts.Usage {
	e.t.Helper()
	var got []contracts.Usage
	testkit.Eventually(e.t, 45*time.Second, fmt.Sprintf("%d uses of contract %s", n, id), func() (bool, string) {
		got = e.usage(u, id)
		return len(got) == n, fmt.Sprintf("%d uses", len(got))
	})
	return got
}

// TestContractEntitlementCountsCases: the cases of an account with an
// active contract of cases are counted against it as they are opened
// (through the cases' route and case.created), once each, until it is
// used up; the case shows its entitlement.
func TestContractEntitlementCountsCases(t *testing.T) {
	e := newEnv(t)
	u, other := newUser(uuid.NewString()), newUser(uuid.NewString())
	account := uuid.NewString()
	c := e.createContract(u, contractBody(account, "cases", 3))
	first := e.createCase(u, map[string]any{"subject": "Broken pump", "accountId": account})
	second := e.createCase(u, map[string]any{"subject": "Broken valve", "accountId": account})
	loose := e.createCase(u, map[string]any{"subject": "No account"})
	stranger := e.createCase(u, map[string]any{"subject": "No contract", "accountId": uuid.NewString()})
	uses := e.waitUsage(u, c.ID, 2)
	if uses[0].Source != contracts.SourceCase || uses[0].Units != 1 || !slices.ContainsFunc(uses, func(x contracts.Usage) bool { return x.SourceID == first.ID }) ||
		!slices.ContainsFunc(uses, func(x contracts.Usage) bool { return x.SourceID == second.ID }) {
		t.Fatalf("uses %+v", uses)
	}
	got := e.entitlement(u, first.ID)
	if got.State != contracts.EntitlementCovered || !got.Counted || got.Contract == nil || got.Contract.ID != c.ID ||
		got.Contract.Entitlement.Used != 2 || got.Contract.Entitlement.Remaining != 1 || got.AccountID != account {
		t.Fatalf("entitlement of the first case %+v", got)
	}
	for _, id := range []string{loose.ID, stranger.ID} {
		if got := e.entitlement(u, id); got.State != contracts.EntitlementNone || got.Counted || got.Contract != nil {
			t.Fatalf("entitlement of a case without a contract %+v", got)
		}
	}

	// A redelivered case.created counts nothing more.
	var created events.Event
	for _, ev := range e.published() {
		if ev.Subject == first.ID && ev.Type == "dev.rapport.support.case.created.v1" {
			created = ev
		}
	}
	db := e.contractsDB()
	err := pg.WithTenantTx(context.Background(), db.Pool(), u.tenant, func(tx *sqlx.Tx) error {
		return contracts.NewHandler(db, quiet).Handle(context.Background(), tx, created)
	})
	if err != nil {
		t.Fatal(err)
	}
	if uses := e.usage(u, c.ID); len(uses) != 2 {
		t.Fatalf("a redelivery counted again: %+v", uses)
	}

	third := e.createCase(u, map[string]any{"subject": "Leak", "accountId": account})
	e.waitUsage(u, c.ID, 3)
	// The cases' events are handled in order: once the marker's case is
	// counted against its own contract, the fourth's was handled before.
	markerAccount := uuid.NewString()
	marker := e.createContract(u, contractBody(markerAccount, "cases", 1))
	fourth := e.createCase(u, map[string]any{"subject": "Another leak", "accountId": account})
	e.createCase(u, map[string]any{"subject": "Marker", "accountId": markerAccount})
	e.waitUsage(u, marker.ID, 1)
	if uses := e.usage(u, c.ID); len(uses) != 3 || slices.ContainsFunc(uses, func(x contracts.Usage) bool { return x.SourceID == fourth.ID }) {
		t.Fatalf("uses once used up %+v", uses)
	}
	got = e.entitlement(u, fourth.ID)
	if got.State != contracts.EntitlementExhausted || got.Counted || got.Contract == nil || got.Contract.Entitlement.Remaining != 0 {
		t.Fatalf("entitlement of a case past the contract's %+v", got)
	}
	if got := e.entitlement(u, third.ID); got.State != contracts.EntitlementCovered || !got.Counted {
		t.Fatalf("entitlement of the third case %+v", got)
	}
	e.want(e.do(other, "GET", "/v1/cases/"+first.ID+"/entitlement", nil), http.StatusNotFound)
	contracttest.ValidateEvents(t, "api/events", e.published())
}
