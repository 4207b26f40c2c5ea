package search

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/internal/testdb"
)

// TestQueryPlansUseIndexes checks, on 2 tenants × 20,000 contacts, that the
// application role's search, filter and sort queries read contacts through
// the intended indexes, never a sequential scan, although every table is
// under FORCE ROW LEVEL SECURITY.
func TestQueryPlansUseIndexes(t *testing.T) {
	ctx := context.Background()
	admin, app := testdb.Migrated(t)
	tenant := uuid.NewString()
	testdb.SeedContacts(t, admin, tenant, uuid.NewString(), 20000)
	testdb.SeedContacts(t, admin, uuid.NewString(), uuid.NewString(), 20000)
	if _, err := admin.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	p := auth.Principal{TenantID: tenant, UserID: "owner1", RecordScope: map[string]auth.Scope{customer.Module: auth.ScopeAll}}
	issue := json.RawMessage(`{"and": [{"field": "tags", "op": "contains", "value": "purchase-intent"},
		{"field": "lastActivityAt", "op": "within", "value": "90d"}, {"field": "lifecycleStage", "op": "ne", "value": "customer"}]}`)
	for _, tt := range []struct {
		name  string
		k     *pgstore.Table
		q     ListQuery
		scope auth.Scope
		want  []string
	}{
		{"latin prefix", pgstore.Contacts, ListQuery{Q: "first123"}, auth.ScopeAll, []string{"contacts_name_key", "contacts_search"}},
		{"typo", pgstore.Contacts, ListQuery{Q: "frist1234"}, auth.ScopeAll, []string{"contacts_search"}},
		{"cjk prefix", pgstore.Contacts, ListQuery{Q: "张"}, auth.ScopeAll, []string{"contacts_name_key", "contacts_account_key"}},
		// Under collation C (pg.CreateDatabase) the sort index on the email serves a prefix as well.
		{"email prefix", pgstore.Contacts, ListQuery{Q: "user123@"}, auth.ScopeAll, []string{"contacts_primary_email|contacts_email_sort"}},
		{"phone digits", pgstore.Contacts, ListQuery{Q: "555 0123"}, auth.ScopeAll, []string{"contacts_phone_key", "contacts_phone_rkey"}},
		{"search in own scope", pgstore.Contacts, ListQuery{Q: "first12"}, auth.ScopeOwn, []string{"contacts_owner"}},
		{"issue filter, recent first", pgstore.Contacts, ListQuery{Filter: issue, Sort: "-lastActivityAt"}, auth.ScopeAll, []string{"contacts_last_activity"}},
		{"stage and updated", pgstore.Contacts, ListQuery{Filter: json.RawMessage(`{"field": "lifecycleStage", "op": "eq", "value": "lead"}`), Sort: "updatedAt"}, auth.ScopeAll, []string{"contacts_stage_updated"}},
		{"default order", pgstore.Contacts, ListQuery{}, auth.ScopeAll, []string{"contacts_created"}},
		{"by name", pgstore.Contacts, ListQuery{Sort: "displayName"}, auth.ScopeAll, []string{"contacts_display_name"}},
		{"account search", pgstore.Accounts, ListQuery{Q: "company 12"}, auth.ScopeAll, []string{"accounts_name_key", "accounts_search"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p.RecordScope[customer.Module] = tt.scope
			var plan string
			err := pgstore.New(app, "").InTx(ctx, tenant, func(tx *pgstore.Tx) error {
				lp, err := planList(ctx, tx, tt.k, p, tt.q)
				if err != nil {
					return err
				}
				plan, err = lp.explain(ctx, tx, 51)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(plan, "Seq Scan on "+tt.k.Name) {
				t.Errorf("sequential scan:\n%s", plan)
			}
			for _, idx := range tt.want { // "a|b": a or b
				if !slices.ContainsFunc(strings.Split(idx, "|"), func(i string) bool { return strings.Contains(plan, i) }) {
					t.Errorf("plan does not use %s:\n%s", idx, plan)
				}
			}
		})
	}
}
