package catalog

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/internal/testdb"
)

// TestTagLookupUsesIndex checks that finding a tag by name, as the
// application role under row-level security, is one lookup of the tags_name
// index, not a read of the tenant's whole catalogue.
func TestTagLookupUsesIndex(t *testing.T) {
	ctx := context.Background()
	admin, app := testdb.Migrated(t)
	tenant := uuid.NewString()
	for _, tn := range []string{tenant, uuid.NewString()} {
		if _, err := admin.Exec(`INSERT INTO tags (tenant_id, id, name, colour, created_at, updated_at, version)
			SELECT $1, gen_random_uuid(), 'Tag ' || g, '#9E9E9E', now(), now(), 1 FROM generate_series(1, 5000) g`, tn); err != nil {
			t.Fatal(err)
		}
	}
	var plan []string
	err := pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
		return tx.Select(&plan, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+tagByNameSQL, "TAG 4321")
	})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	cond := ""
	for _, l := range plan {
		if strings.Contains(l, "Index Cond:") {
			cond = l
		}
	}
	if !strings.Contains(text, "tags_name") || !strings.Contains(cond, "name_key =") || strings.Contains(text, "Seq Scan") {
		t.Errorf("the lookup is not an index lookup on name_key:\n%s", text)
	}
	if !strings.Contains(text, "rows=1 ") {
		t.Errorf("the lookup does not find the tag:\n%s", text)
	}
}
