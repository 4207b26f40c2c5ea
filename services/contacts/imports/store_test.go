package imports

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/internal/testdb"
)

// planOf returns EXPLAIN's plan of q with args as the application role in
// a transaction of tenant.
func planOf(t *testing.T, app *sqlx.DB, tenant, q string, args ...any) string {
	t.Helper()
	var plan []string
	err := pgstore.New(app, "").InTx(context.Background(), tenant, func(tx *pgstore.Tx) error {
		return tx.SQL().Select(&plan, "EXPLAIN "+q, args...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}

// TestLookupsReadByKey guards the chunk's lookups — contacts by email or
// phone, accounts by id, domain or name — on a tenant of 20,000 contacts
// and 2,000 accounts under row-level security: each value is read through
// an index, never by scanning the tenant's rows (under FORCE ROW LEVEL
// SECURITY only leakproof conditions are index conditions).
func TestLookupsReadByKey(t *testing.T) {
	admin, app := testdb.Migrated(t)
	tenant := uuid.NewString()
	testdb.SeedContacts(t, admin, tenant, uuid.NewString(), 20000)
	if _, err := admin.Exec(`ANALYZE`); err != nil {
		t.Fatal(err)
	}
	for _, p := range []auth.Principal{{TenantID: tenant, UserID: "owner1"},
		{TenantID: tenant, UserID: "x", RecordScope: map[string]auth.Scope{"contacts": auth.ScopeAll}}} {
		q, args := findMatchesSQL(p, []string{"email", "phone"}, []string{"user5@example5.com", "+14150000005"})
		plans := []string{planOf(t, app, tenant, q, args...),
			planOf(t, app, tenant, findAccountsSQL, []string{uuid.NewString()}, []string{"acme.com"}, []string{"Company 7"})}
		for _, plan := range plans {
			if strings.Contains(plan, "Seq Scan on contact") || strings.Contains(plan, "Seq Scan on accounts") {
				t.Errorf("a lookup scans a table:\n%s", plan)
			}
		}
	}
}

// TestTablesAreBehindRLS checks that every table of the schema with a
// tenant_id, the imports' among them, is under row-level security.
func TestTablesAreBehindRLS(t *testing.T) {
	admin, _ := testdb.Migrated(t)
	tables, err := pg.TablesWithoutRLS(context.Background(), admin.DB)
	if err != nil || len(tables) > 0 {
		t.Errorf("tables without row-level security: %v (%v)", tables, err)
	}
}
