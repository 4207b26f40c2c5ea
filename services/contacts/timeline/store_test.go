package timeline

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/internal/testdb"
)

// seedEntries gives 2,000 contacts of tenant (from testdb.SeedContacts)
// 10 stored entries each, one an hour back from now, and merges every
// hundredth contact into the one before it; accounts likewise.
func seedEntries(t *testing.T, admin *sqlx.DB, tenant string) {
	t.Helper()
	testdb.SeedContacts(t, admin, tenant, uuid.NewString(), 20000)
	for _, q := range []string{
		`INSERT INTO timeline_entries (tenant_id, record_id, at, id, entity, type, summary)
		 SELECT $1, c.id, now() - g * interval '1 hour', gen_random_uuid(), 'contact', 'sales.opportunity.won', 'Opportunity won'
		 FROM (SELECT id FROM contacts WHERE tenant_id = $1 ORDER BY id LIMIT 2000) c, generate_series(1, 10) g`,
		`UPDATE contacts c SET merged_into = p.prev, deleted_at = now()
		 FROM (SELECT id, lag(id) OVER (ORDER BY id) AS prev, row_number() OVER (ORDER BY id) AS n FROM contacts WHERE tenant_id = $1) p
		 WHERE c.tenant_id = $1 AND c.id = p.id AND p.n % 100 = 0`,
		`UPDATE accounts a SET merged_into = p.prev, deleted_at = now()
		 FROM (SELECT id, lag(id) OVER (ORDER BY id) AS prev, row_number() OVER (ORDER BY id) AS n FROM accounts WHERE tenant_id = $1) p
		 WHERE a.tenant_id = $1 AND a.id = p.id AND p.n % 100 = 0`,
	} {
		if _, err := admin.Exec(q, tenant); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReadsUseIndexes checks, on 2 tenants × 20,000 contacts with 20,000
// stored entries each, that a timeline's reads of the records merged into
// one and of their stored entries (a first page, a next one, a type
// filter) go through their indexes under FORCE ROW LEVEL SECURITY, and
// that a first page of a record's entries reads a few buffers, not the
// tenant's.
func TestReadsUseIndexes(t *testing.T) {
	admin, app := testdb.Migrated(t)
	tenant := uuid.NewString()
	seedEntries(t, admin, tenant)
	seedEntries(t, admin, uuid.NewString())
	if _, err := admin.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	var contact string
	if err := admin.Get(&contact, `SELECT record_id FROM timeline_entries WHERE tenant_id = $1 LIMIT 1`, tenant); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	records := []string{contact, uuid.NewString()}
	type query struct {
		sql  string
		args []any
	}
	of := func(sql string, args []any) query { return query{sql, args} }
	for _, tt := range []struct {
		name string
		q    query
		want string
	}{
		{"the contacts merged into one", query{mergedSQL(pgstore.Contacts), []any{contact}}, "contacts_merged_into"},
		{"the accounts merged into one", query{mergedSQL(pgstore.Accounts), []any{uuid.NewString()}}, "accounts_merged_into"},
		{"a first page", of(storedSQL(records, nil, nil, "", 51)), "timeline_entries_pkey"},
		{"a next page", of(storedSQL(records, nil, &now, uuid.NewString(), 51)), "timeline_entries_pkey"},
		{"a type filter", of(storedSQL(records, []string{TypeUpdated, "support.case.created"}, nil, "", 51)), "timeline_entries_pkey"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			plan := explain(t, app, tenant, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+tt.q.sql, tt.q.args...)
			if strings.Contains(plan, "Seq Scan") || !strings.Contains(plan, tt.want) {
				t.Errorf("want %s, no sequential scan:\n%s", tt.want, plan)
			}
			if b := buffers(plan); b > 100 {
				t.Errorf("read %d buffers, want at most 100:\n%s", b, plan)
			}
		})
	}
}

// buffersRead matches the buffers a plan's top node read.
var buffersRead = regexp.MustCompile(`Buffers: shared (?:hit=(\d+))?\s*(?:read=(\d+))?`)

// buffers returns the shared buffers (hit and read) the first node of plan
// counted: the query's, planning aside.
func buffers(plan string) int {
	m := buffersRead.FindStringSubmatch(plan)
	n := 0
	for _, s := range m[1:] {
		v, _ := strconv.Atoi(s)
		n += v
	}
	return n
}

// explain returns the output of q, an EXPLAIN, run by the application role
// in a transaction of tenant.
func explain(t *testing.T, app *sqlx.DB, tenant, q string, args ...any) string {
	t.Helper()
	var lines []string
	err := pgstore.New(app, "").InTx(context.Background(), tenant, func(tx *pgstore.Tx) error {
		return tx.SQL().Select(&lines, q, args...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
