package contacts_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/contacts/duplicates"
)

// runningScan stores a scan of u's tenant in the state a process leaves it
// in while it runs: running, no pairs, not finished.
func (e *env) runningScan(u user) string {
	e.t.Helper()
	id := uuid.NewString()
	if _, err := e.admin.Exec(`INSERT INTO duplicate_scans (tenant_id, id, entity, status, created_by, created_at)
		VALUES ($1, $2, 'contact', 'running', $3, now())`, u.tenant, id, u.id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func TestInterruptedScansFail(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	ctx := context.Background()

	// A scan whose process stopped before it ended: no transaction holds it.
	orphan := e.runningScan(u)
	e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/duplicate-scans/"+orphan, nil), http.StatusNotFound)
	r := e.want(e.do(u, "GET", "/v1/duplicate-scans/"+orphan, nil), http.StatusOK)
	if s := contracttest.Decode[duplicates.DuplicateScan](r); s.Status != duplicates.ScanFailed || s.FailureReason != duplicates.ScanInterrupted || s.FinishedAt == nil {
		t.Errorf("orphaned scan: %s", r.Raw)
	}
	// Listing its pairs is a read too.
	orphan = e.runningScan(u)
	if pairs := items[duplicates.DuplicatePair](e.want(e.do(u, "GET", "/v1/duplicate-scans/"+orphan+"/pairs", nil), http.StatusOK)); len(pairs) != 0 {
		t.Errorf("an interrupted scan lists pairs: %v", pairs)
	}
	var status, reason string
	if err := e.admin.QueryRow("SELECT status, failure_reason FROM duplicate_scans WHERE id = $1", orphan).Scan(&status, &reason); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || reason != "interrupted" {
		t.Errorf("orphaned scan after its pairs were listed: %s, %s", status, reason)
	}

	// A scan whose transaction is alive (as runScan's: the row locked on the
	// application role's connection) stays running, until that connection
	// dies with its process.
	live := e.runningScan(u)
	conn, err := e.app.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = tx.Rollback() // its connection is terminated by then
		conn.Close()
	})
	var pid int
	if _, err := tx.Exec("SELECT set_config('app.tenant_id', $1, true)", u.tenant); err != nil {
		t.Fatal(err)
	}
	if err := tx.Get(&pid, "SELECT pg_backend_pid()"); err != nil {
		t.Fatal(err)
	}
	var locked string
	if err := tx.Get(&locked, "SELECT id FROM duplicate_scans WHERE id = $1 FOR UPDATE", live); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		r := e.want(e.do(u, "GET", "/v1/duplicate-scans/"+live, nil), http.StatusOK)
		if s := contracttest.Decode[duplicates.DuplicateScan](r); s.Status != duplicates.ScanRunning || s.FailureReason != "" {
			t.Fatalf("a scan being worked on: %s", r.Raw)
		}
	}
	if _, err := e.admin.Exec("SELECT pg_terminate_backend($1)", pid); err != nil {
		t.Fatal(err)
	}
	if s := e.scanAfter(u, live, 10*time.Second); s.Status != duplicates.ScanFailed || s.FailureReason != duplicates.ScanInterrupted {
		t.Errorf("a scan whose connection died: %+v", s)
	}

	// A scan that ends normally is done, and later reads leave it so.
	e.scanPairs(u, "contact", 50)
	var done, failed int
	if err := e.admin.Get(&done, "SELECT count(*) FROM duplicate_scans WHERE status = 'done' AND failure_reason = ''"); err != nil {
		t.Fatal(err)
	}
	if err := e.admin.Get(&failed, "SELECT count(*) FROM duplicate_scans WHERE status = 'failed'"); err != nil {
		t.Fatal(err)
	}
	if done != 1 || failed != 3 {
		t.Errorf("%d scans done and %d failed, want 1 and 3", done, failed)
	}
}
