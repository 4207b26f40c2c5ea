package reporting_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// rmReader reads the read models of the service's database as the
// service's own role, so that row-level security keeps each tenant to
// its rows.
type rmReader struct {
	t  *testing.T
	db *sqlx.DB
}

// ingestReader returns an rmReader of e's database.
func (e *env) ingestReader() rmReader { return rmReader{t: e.t, db: testkit.Open(e.t, e.app)} }

// selectAs runs query (on generation 1's rows: $1 is the generation)
// in a transaction of tenant and reads its rows into dest, a pointer to
// a slice.
func (r rmReader) selectAs(tenant string, dest any, query string, args ...any) {
	r.t.Helper()
	err := pg.WithTenantTx(context.Background(), r.db, tenant, func(tx *sqlx.Tx) error {
		return tx.Select(dest, query, append([]any{1}, args...)...)
	})
	if err != nil {
		r.t.Fatalf("%s: %v", query, err)
	}
}

// applied returns how many events of context tenant's first generation
// has applied, as the tenant sees it.
func (r rmReader) applied(tenant, context string) int64 {
	r.t.Helper()
	var n []int64
	r.selectAs(tenant, &n, `SELECT coalesce(sum(events), 0) FROM rm_freshness WHERE gen = $1 AND context = $2`, context)
	return n[0]
}

// waitApplied waits until tenant's first generation has applied n events
// of context, counting only that tenant's.
func (r rmReader) waitApplied(tenant, context string, n int64) {
	r.t.Helper()
	testkit.Eventually(r.t, 30*time.Second, context+" events applied", func() (bool, string) {
		got := r.applied(tenant, context)
		return got >= n, fmt.Sprintf("%d of %d applied", got, n)
	})
}

// ingestAt returns the test's base time plus d.
func ingestAt(d time.Duration) time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).Add(d) }
