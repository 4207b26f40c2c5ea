package audit

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

const (
	tenantA = "0190c5e6-0000-7000-8000-0000000000a1"
	tenantB = "0190c5e6-0000-7000-8000-0000000000b2"
)

var quiet = slog.New(slog.DiscardHandler)

// testDB is a migrated gateway database: admin connects as the owner, app
// as the runtime role under row-level security.
type testDB struct {
	admin *sqlx.DB
	app   *sqlx.DB
	store *Store
}

func newTestDB(t *testing.T) *testDB {
	t.Helper()
	p := testkit.Postgres(t)
	admin := testkit.Open(t, p.AdminURL)
	if err := pg.Migrate(t.Context(), admin.DB, quiet, p.AppRole, Migrations()); err != nil {
		t.Fatal(err)
	}
	app := testkit.Open(t, p.AppURL)
	return &testDB{admin: admin, app: app, store: NewStore(app)}
}

// count returns the rows of audit_log, seen by the owner (superuser).
func (d *testDB) count(t *testing.T) int {
	t.Helper()
	var n int
	if err := d.admin.GetContext(t.Context(), &n, `SELECT count(*) FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitRows waits until audit_log holds want rows.
func (d *testDB) waitRows(t *testing.T, want int) {
	t.Helper()
	testkit.Eventually(t, 10*time.Second, fmt.Sprintf("%d rows in audit_log", want), func() (bool, string) {
		got := d.count(t)
		return got == want, fmt.Sprintf("%d rows", got)
	})
}

// startWriter runs a Writer until the test ends.
func startWriter(t *testing.T, d *testDB, cfg WriterConfig) *Writer {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	w := NewWriter(d.store, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return w
}

// asPrincipal stands in for proxy.Authenticate.
func asPrincipal(p auth.Principal, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}

func newCursors(t *testing.T) *kitx.Cursors {
	t.Helper()
	c, err := kitx.NewCursors([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// percentile returns the p-th percentile (0–100) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(float64(len(s)-1)*p/100)]
}

// serve sends r through h and returns the recorded response.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}
