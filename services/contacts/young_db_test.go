package contacts_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
)

// A new database has no statistics until autovacuum's first ANALYZE, about
// a minute in. A plan cached then (a referential check's, a trigger's) ties
// the primary key with every other index on tenant_id and may keep reading
// the tenant's whole contacts through one of them on every create. Creating
// contacts on a new database must read contacts through the primary key
// only: the duplicate checks' candidates, never a scan of the tenant.
func TestCreatesOnANewDatabaseScanNoContacts(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	const n = 300
	for i := range n {
		id := uuid.New()
		e.want(e.do(u, "POST", "/v1/contacts", map[string]any{
			"firstName": fmt.Sprintf("F%x", id[0:4]), "lastName": fmt.Sprintf("L%x", id[4:8]),
			"emails": []any{map[string]any{"address": fmt.Sprintf("c%d@young.example", i)}},
			"phones": []any{map[string]any{"number": fmt.Sprintf("+1 212 555 %04d", i)}}}), http.StatusCreated)
	}
	// A connection reports its counters when it ends (else when idle, up to
	// 10 s later); once every insert shows, so do the reads of the same
	// transactions.
	e.app.SetMaxIdleConns(0)
	var inserted, scanned, viaOthers int64
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if err := e.admin.QueryRow(`SELECT t.n_tup_ins, COALESCE(t.seq_tup_read, 0),
				(SELECT COALESCE(sum(i.idx_tup_read), 0) FROM pg_stat_user_indexes i
					WHERE i.relid = t.relid AND i.indexrelname <> 'contacts_pkey')
			FROM pg_stat_user_tables t WHERE t.relname = 'contacts'`).Scan(&inserted, &scanned, &viaOthers); err != nil {
			t.Fatal(err)
		}
		if inserted >= n || time.Now().After(deadline) {
			break
		}
	}
	if inserted < n {
		t.Fatalf("the statistics show %d of %d inserts", inserted, n)
	}
	if scanned > 0 || viaOthers > 0 {
		t.Errorf("%d creates on a new database read %d contacts by sequential scans and %d through indexes other than the primary key, want none",
			n, scanned, viaOthers)
	}
}
