package contacts_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// A new database has no statistics until its first ANALYZE. A plan kept
// then (a referential check's, a trigger's) ties the primary key with every
// other index on tenant_id and may read the tenant's whole table through one
// of them on every write. Creating contacts with no account or consent on a
// new database reads contacts and their match keys through the primary keys
// only: the duplicate checks' keys and candidates, never a scan of the
// tenant (migration 0008), also once the checks' prepared statements keep a
// plan.
func TestCreatesOnANewDatabaseScanNoContacts(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	const n = 300
	for i := range n {
		e.want(e.do(u, "POST", "/v1/contacts", youngContact(i, "", false)), http.StatusCreated)
	}
	e.flushStats(t, n)
	for _, table := range []string{"contacts", "contact_match_keys"} {
		if scanned, others := e.reads(t, table); scanned > 0 || others > 0 {
			t.Errorf("%d creates on a new database read %d rows of %s by sequential scans and %d through indexes other than the primary key, want none",
				n, scanned, table, others)
		}
	}
}

// Contacts with an account and consent are checked against accounts and
// contacts by foreign keys. Once pg.AnalyzeNewTables (which the service calls
// every few seconds) has given the new tables statistics, those checks read
// their row through the primary key (migration 0010).
func TestANewDatabaseIsAnalyzedOnceWritten(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	accounts := make([]string, pg.NewTableChanges)
	for i := range accounts {
		id := uuid.New()
		accounts[i] = e.created(u, "/v1/accounts", map[string]any{"name": fmt.Sprintf("A%x Holdings", id[:6])})
	}
	const first, then = 300, 200
	for i := range first {
		e.want(e.do(u, "POST", "/v1/contacts", youngContact(i, accounts[i%len(accounts)], true)), http.StatusCreated)
	}
	var analyzed []string
	testkit.Eventually(t, 15*time.Second, "AnalyzeNewTables analyzes accounts and contacts", func() (bool, string) {
		e.flushStats(t, first)
		tables, err := pg.AnalyzeNewTables(context.Background(), e.app)
		if err != nil {
			t.Fatal(err)
		}
		analyzed = append(analyzed, tables...)
		return slices.Contains(analyzed, "accounts") && slices.Contains(analyzed, "contacts"), fmt.Sprint("analyzed ", analyzed)
	})
	if !slices.Contains(analyzed, "accounts") || !slices.Contains(analyzed, "contacts") {
		t.Fatalf("AnalyzeNewTables analyzed %v, want accounts and contacts among them", analyzed)
	}
	if again, err := pg.AnalyzeNewTables(context.Background(), e.app); err != nil || len(again) > 0 {
		t.Errorf("AnalyzeNewTables again: %v, %v; want nothing left to analyze", again, err)
	}
	_, contactsBefore := e.reads(t, "contacts", "contacts_account")
	_, accountsBefore := e.reads(t, "accounts")
	for i := first; i < first+then; i++ {
		e.want(e.do(u, "POST", "/v1/contacts", youngContact(i, accounts[i%len(accounts)], true)), http.StatusCreated)
	}
	e.flushStats(t, first+then)
	if _, after := e.reads(t, "contacts", "contacts_account"); after != contactsBefore {
		t.Errorf("%d creates after the ANALYZE read %d contacts through indexes other than the primary key and contacts_account, want none",
			then, after-contactsBefore)
	}
	if _, after := e.reads(t, "accounts"); after != accountsBefore {
		t.Errorf("%d creates after the ANALYZE read %d accounts through indexes other than the primary key, want none",
			then, after-accountsBefore)
	}
}

// youngContact is the body of contact i: a random name, its own email and
// phone, account (if any) and, with consent, granted email consent.
func youngContact(i int, account string, consent bool) map[string]any {
	id := uuid.New()
	c := map[string]any{"firstName": fmt.Sprintf("F%x", id[0:4]), "lastName": fmt.Sprintf("L%x", id[4:8]),
		"emails": []any{map[string]any{"address": fmt.Sprintf("c%d@young.example", i)}},
		"phones": []any{map[string]any{"number": fmt.Sprintf("+1 212 555 %04d", i)}}}
	if account != "" {
		c["accountId"] = account
	}
	if consent {
		c["consent"] = map[string]any{"email": map[string]any{"status": "granted", "source": "form"}}
	}
	return c
}

// flushStats ends the service's idle sessions, which report their counters
// as they end (else when idle, up to 10 s later), and waits until the
// statistics show n contacts inserted: the reads of the same transactions
// show with them.
func (e *env) flushStats(t *testing.T, n int64) {
	t.Helper()
	e.app.SetMaxIdleConns(0)
	e.app.SetMaxIdleConns(2)
	testkit.Eventually(t, 15*time.Second, fmt.Sprintf("the statistics show %d inserts", n), func() (bool, string) {
		var inserted int64
		if err := e.admin.Get(&inserted, `SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'contacts'`); err != nil {
			t.Fatal(err)
		}
		return inserted >= n, fmt.Sprintf("%d inserts", inserted)
	})
}

// reads returns the rows of table read by sequential scans and through its
// indexes other than its primary key and except.
func (e *env) reads(t *testing.T, table string, except ...string) (scanned, others int64) {
	t.Helper()
	err := e.admin.QueryRow(`SELECT COALESCE(t.seq_tup_read, 0),
			(SELECT COALESCE(sum(i.idx_tup_read), 0) FROM pg_stat_user_indexes i
				WHERE i.relid = t.relid AND i.indexrelname <> $2 AND NOT i.indexrelname = ANY($3))
		FROM pg_stat_user_tables t WHERE t.relname = $1`, table, table+"_pkey", pq.StringArray(except)).Scan(&scanned, &others)
	if err != nil {
		t.Fatal(err)
	}
	return scanned, others
}
