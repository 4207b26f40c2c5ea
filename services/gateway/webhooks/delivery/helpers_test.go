package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

var quiet = slog.New(slog.DiscardHandler)

// env is a database with the webhooks' tables, migrated as the gateway
// migrates it (package webhooks' migrations, then this package's), and the application's connection to it.
type env struct {
	admin, app *sqlx.DB
	appURL     string
	tenant     string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	p := testkit.Postgres(t)
	admin := testkit.Open(t, p.AdminURL)
	// Package webhooks' migrations, read from their directory: that
	// package imports this one.
	tables := pg.EmbeddedSource("webhooks", os.DirFS("../migrations"), ".")
	if err := pg.Migrate(t.Context(), admin.DB, quiet, p.AppRole, tables, Migrations()); err != nil {
		t.Fatal(err)
	}
	return &env{admin: admin, app: testkit.Open(t, p.AppURL), appURL: p.AppURL, tenant: ids.New()}
}

// plain is the tests' Config.Open: their secret_enc holds the secret itself.
func plain(sealed []byte) (string, error) { return string(sealed), nil }

// subscription adds an active subscription of e's tenant to url and
// returns its id.
func (e *env) subscription(t *testing.T, url, secret string) string {
	t.Helper()
	id := ids.New()
	if _, err := e.admin.Exec(`INSERT INTO webhook_subscriptions (tenant_id, id, url, event_types, secret_enc, created_at, updated_at)
		VALUES ($1, $2, $3, '{*}', $4, now(), now())`, e.tenant, id, url, []byte(secret)); err != nil {
		t.Fatal(err)
	}
	return id
}

// delivery adds a pending delivery to sub of an event about subject and
// returns its id.
func (e *env) delivery(t *testing.T, sub, subject string) string {
	t.Helper()
	id, event := ids.New(), ids.New()
	payload, _ := json.Marshal(map[string]any{"specversion": "1.0", "id": event, "type": "dev.rapport.sales.opportunity.won.v1",
		"source": "/sales", "subject": subject, "time": time.Now().UTC().Format(time.RFC3339Nano), "data": map[string]any{"amount": 42}})
	if _, err := e.admin.Exec(`INSERT INTO webhook_deliveries (tenant_id, id, subscription_id, event_id, event_type, subject, payload,
			next_attempt_at, created_at)
		VALUES ($1, $2, $3, $4, 'dev.rapport.sales.opportunity.won.v1', $5, $6, now(), now())`, e.tenant, id, sub, event, subject, payload); err != nil {
		t.Fatal(err)
	}
	return id
}

// deliveryRow is what a test reads back of a delivery.
type deliveryRow struct {
	Status     string `db:"status"`
	Attempts   int    `db:"attempts"`
	LastStatus *int   `db:"last_status"`
	LastError  string `db:"last_error"`
	Delivered  bool   `db:"delivered"`
	Leased     bool   `db:"leased"`
}

func (e *env) read(t *testing.T, id string) deliveryRow {
	t.Helper()
	var r deliveryRow
	if err := e.admin.Get(&r, `SELECT status, attempts, last_status, last_error, delivered_at IS NOT NULL AS delivered,
		locked_until IS NOT NULL AS leased FROM webhook_deliveries WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	return r
}

// subscriptionRow is what a test reads back of a subscription.
type subscriptionRow struct {
	Status     string `db:"status"`
	Reason     string `db:"disabled_reason"`
	Failing    bool   `db:"failing"`
	Throttled  bool   `db:"throttled"`
	DisabledAt bool   `db:"disabled"`
}

func (e *env) sub(t *testing.T, id string) subscriptionRow {
	t.Helper()
	var r subscriptionRow
	if err := e.admin.Get(&r, `SELECT status, disabled_reason, failing_since IS NOT NULL AS failing,
		COALESCE(throttled_until > now(), false) AS throttled, disabled_at IS NOT NULL AS disabled FROM webhook_subscriptions WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	return r
}

// attemptRow is one logged attempt as a test reads it.
type attemptRow struct {
	N               int     `db:"n"`
	Status          *int    `db:"status"`
	DurationMS      int     `db:"duration_ms"`
	RequestHeaders  string  `db:"request_headers"`
	RequestExcerpt  string  `db:"request_excerpt"`
	ResponseHeaders string  `db:"response_headers"`
	ResponseExcerpt string  `db:"response_excerpt"`
	Error           string  `db:"error"`
	At              float64 `db:"at"`
}

func (e *env) attempts(t *testing.T, id string) []attemptRow {
	t.Helper()
	var out []attemptRow
	if err := e.admin.Select(&out, `SELECT n, status, duration_ms, request_headers, request_excerpt, response_headers,
		response_excerpt, error, extract(epoch FROM at)::float8 AS at FROM webhook_attempts WHERE delivery_id = $1 ORDER BY n`, id); err != nil {
		t.Fatal(err)
	}
	return out
}

// run starts a Dispatcher of cfg with the development setting (loopback
// and http allowed: the receivers are httptest servers) until the test
// ends.
func (e *env) run(t *testing.T, cfg Config) *Dispatcher {
	t.Helper()
	cfg.AllowLoopback = true
	return e.start(t, cfg)
}

// start starts a Dispatcher of cfg, http allowed, on e's application
// connection until the test ends.
func (e *env) start(t *testing.T, cfg Config) *Dispatcher {
	t.Helper()
	if cfg.Open == nil {
		cfg.Open = plain
	}
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	cfg.AllowHTTP = true
	d := NewDispatcher(e.app, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return d
}

// eventually fails t unless cond holds within 15 s (a bound on waiting,
// not on speed), checking every 20 ms.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// disabledCalls records the OnDisabled calls, checking that each runs in
// the transaction that disabled the subscription.
type disabledCalls struct {
	mu    sync.Mutex
	calls []string // subscription id: reason
	errs  []error
}

func (c *disabledCalls) hook(ctx context.Context, tx *sqlx.Tx, tenant, sub, reason string) error {
	var status string
	err := tx.GetContext(ctx, &status, `SELECT status FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2`, tenant, sub)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil && status != "disabled" {
		err = fmt.Errorf("OnDisabled saw status %q in its transaction", status)
	}
	if err != nil {
		c.errs = append(c.errs, err)
	}
	c.calls = append(c.calls, sub+": "+reason)
	return nil
}

func (c *disabledCalls) list() ([]string, []error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.calls...), append([]error(nil), c.errs...)
}
