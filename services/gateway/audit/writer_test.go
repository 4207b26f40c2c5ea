package audit

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

func TestMigrationsForceRowLevelSecurity(t *testing.T) {
	d := newTestDB(t)
	tables, err := pg.TablesWithoutRLS(t.Context(), d.admin.DB)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) > 0 {
		t.Errorf("tables without forced RLS: %v", tables)
	}
	if err := pg.CheckRole(t.Context(), d.app.DB); err != nil {
		t.Error(err)
	}
}

func TestWriterBatchesRequests(t *testing.T) {
	d := newTestDB(t)
	w := startWriter(t, d, WriterConfig{BatchSize: 100, FlushInterval: 50 * time.Millisecond})
	h := asPrincipal(auth.Principal{TenantID: tenantA, UserID: "u1"}, Middleware(w, Policy{})(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	tests := []struct {
		name string
		n    int
	}{
		{"fewer than a batch", 7},
		{"several batches", 1234},
	}
	total := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.n {
				serve(h, httptest.NewRequest(http.MethodPatch, fmt.Sprintf("/v1/contacts/%d", i), nil))
			}
			total += tt.n
			d.waitRows(t, total)
			// The counter follows the commit.
			testkit.Eventually(t, 5*time.Second, fmt.Sprintf("Written = %d", total), func() (bool, string) {
				got := w.Written()
				return got == int64(total), fmt.Sprint(got)
			})
		})
	}
	if w.Dropped() != 0 || w.Lost() != 0 {
		t.Errorf("dropped %d, lost %d, want none", w.Dropped(), w.Lost())
	}
}

func TestWriterDoesNotSlowRequestsWhileTheDatabaseStalls(t *testing.T) {
	d := newTestDB(t)
	w := startWriter(t, d, WriterConfig{BatchSize: 50, FlushInterval: 10 * time.Millisecond})
	app := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	bare := asPrincipal(auth.Principal{TenantID: tenantA, UserID: "u1"}, app)
	audited := asPrincipal(auth.Principal{TenantID: tenantA, UserID: "u1"}, Middleware(w, Policy{})(app))

	// Stall the writer: an open transaction holds a SHARE lock on the table, which blocks
	// inserts but not reads.
	lock, err := d.admin.BeginTxx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec(`LOCK TABLE audit_log IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	const n = 2000
	measure := func(h http.Handler) []time.Duration {
		ds := make([]time.Duration, n)
		for i := range ds {
			r := httptest.NewRequest(http.MethodPost, "/v1/contacts", nil)
			start := time.Now()
			serve(h, r)
			ds[i] = time.Since(start)
		}
		return ds
	}
	base := measure(bare)
	with := measure(audited)
	p50, p99 := percentile(with, 50)-percentile(base, 50), percentile(with, 99)-percentile(base, 99)
	t.Logf("with the audit table locked, %d audited requests: p50 %v, p99 %v (added over unaudited: p50 %v, p99 %v); %d entries buffered",
		n, percentile(with, 50), percentile(with, 99), p50, p99, w.Pending())
	if percentile(with, 99) > 2*time.Millisecond {
		t.Errorf("p99 of an audited request while the database stalls = %v, want under 2ms", percentile(with, 99))
	}
	if got := d.count(t); got != 0 {
		t.Fatalf("%d rows written through the lock", got)
	}
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	d.waitRows(t, n)
	if w.Dropped() != 0 {
		t.Errorf("dropped %d, want 0", w.Dropped())
	}
}

func TestWriterCountsWhatAFullBufferCannotTake(t *testing.T) {
	d := newTestDB(t)
	w := startWriter(t, d, WriterConfig{Buffer: 10, BatchSize: 5, FlushInterval: 5 * time.Millisecond, BlockFor: 20 * time.Millisecond})
	lock, err := d.admin.BeginTxx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec(`LOCK TABLE audit_log IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	const n = 40
	start := time.Now()
	for range n {
		w.Record(t.Context(), Entry{TenantID: tenantA, Method: "POST", Path: "/v1/contacts"})
	}
	took := time.Since(start)
	// The writer holds one batch (5) in its stalled insert and the buffer 10;
	// the rest waited BlockFor each and were counted.
	dropped := w.Dropped()
	t.Logf("%d entries against a stalled database and a buffer of 10: %d dropped and counted, in %v", n, dropped, took)
	if dropped != n-15 {
		t.Errorf("dropped %d, want %d", dropped, n-15)
	}
	if took > time.Duration(n)*40*time.Millisecond {
		t.Errorf("took %v: Record blocked longer than BlockFor", took)
	}
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	d.waitRows(t, 15)
}

func TestWriterDrainsOnStop(t *testing.T) {
	d := newTestDB(t)
	w := NewWriter(d.store, WriterConfig{BatchSize: 1000, FlushInterval: time.Hour, Logger: quiet})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	for range 25 {
		w.Record(t.Context(), Entry{TenantID: tenantB, Kind: KindLoginFailure, Subject: "eve@example.com"})
	}
	// Stop once the writer took them all into its batch.
	testkit.Eventually(t, 5*time.Second, "the writer took every entry", func() (bool, string) {
		n := w.Pending()
		return n == 0, fmt.Sprintf("%d still queued", n)
	})
	cancel()
	<-done
	if got := d.count(t); got != 25 {
		t.Errorf("rows after stop = %d, want 25", got)
	}
}

func TestWriterIsolatesMalformedEntries(t *testing.T) {
	d := newTestDB(t)
	w := startWriter(t, d, WriterConfig{BatchSize: 3, FlushInterval: 10 * time.Millisecond})
	w.Record(t.Context(), Entry{TenantID: tenantA, Path: "/ok/1"})
	w.Record(t.Context(), Entry{TenantID: tenantA, Path: "/bad", LatencyMS: 1 << 40}) // overflows integer
	w.Record(t.Context(), Entry{TenantID: tenantA, Path: "/ok/2\x00with-nul"})
	d.waitRows(t, 2)
	testkit.Eventually(t, 5*time.Second, "the malformed entry lost", func() (bool, string) {
		return w.Lost() == 1, fmt.Sprintf("lost %d", w.Lost())
	})
	if w.Lost() != 1 || w.Written() != 2 {
		t.Errorf("lost %d written %d, want 1 and 2", w.Lost(), w.Written())
	}
}
