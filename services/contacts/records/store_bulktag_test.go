package records

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/internal/testdb"
)

// planScan is a node of EXPLAIN (FORMAT JSON): its type, the relation and
// index it reads, and its children.
type planScan struct {
	Type     string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Index    string     `json:"Index Name"`
	Plans    []planScan `json:"Plans"`
}

// reads lists "type relation index" for each node of n that reads a table.
func (n planScan) reads() []string {
	var out []string
	if n.Relation != "" {
		out = append(out, n.Type+" "+n.Relation+" "+n.Index)
	}
	for _, c := range n.Plans {
		out = append(out, c.reads()...)
	}
	return out
}

// errRolledBack rolls back a transaction whose EXPLAIN ANALYZE wrote.
var errRolledBack = errors.New("rolled back")

// TestByIDsReadsEachIDByKey guards byIDs, the condition of bulk tagging's
// reads and UPDATE, and lockByIDs, which precedes the UPDATE, on a new
// database — 10,000 contacts and no statistics yet — with the 10,000 ids a
// bulk tag may name: the only reads of the contacts are the primary key
// lookups of the ids and the TID reads of their rows. Written id IN (SELECT unnest(…)), the planner joined the ids to a
// scan of the tenant's contacts in a nested loop, comparing every id with
// every contact: seconds per request.
func TestByIDsReadsEachIDByKey(t *testing.T) {
	ctx := context.Background()
	admin, app := testdb.Migrated(t)
	tenant := uuid.NewString()
	const n = MaxBulkIDs
	testdb.SeedContacts(t, admin, tenant, uuid.NewString(), n)
	var ids []string
	if err := admin.Select(&ids, `SELECT id FROM contacts WHERE tenant_id = $1`, tenant); err != nil {
		t.Fatal(err)
	}
	cond := byIDs(pgstore.Contacts, ids)
	for _, q := range []string{
		lockByIDsSQL(pgstore.Contacts),
		"SELECT id FROM contacts WHERE " + cond.SQL,
		"UPDATE contacts SET version = version + 1 WHERE " + cond.SQL,
	} {
		var out []byte
		err := pgstore.New(app, "").InTx(ctx, tenant, func(tx *pgstore.Tx) error {
			if err := tx.SQL().Get(&out, sqlx.Rebind(sqlx.DOLLAR, "EXPLAIN (ANALYZE, FORMAT JSON) "+q), cond.Args...); err != nil {
				return err
			}
			return errRolledBack
		})
		if !errors.Is(err, errRolledBack) {
			t.Fatal(err)
		}
		var plan []struct{ Plan planScan }
		if err := json.Unmarshal(out, &plan); err != nil || len(plan) != 1 {
			t.Fatalf("EXPLAIN output %s: %v", out, err)
		}
		for _, r := range plan[0].Plan.reads() {
			if r != "Tid Scan contacts " && r != "Index Scan contacts contacts_pkey" && r != "ModifyTable contacts " {
				t.Errorf("%s: reads the contacts by %q, want only primary key lookups and TIDs", q[:30], r)
			}
		}
	}
}
