package webhooks

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/jmoiron/sqlx"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/services/gateway/catalogue"
	"github.com/rapport-crm/rapport/services/gateway/migrations"
	"github.com/rapport-crm/rapport/services/gateway/notify"
	"github.com/rapport-crm/rapport/services/gateway/webhooks/delivery"
)

var quiet = slog.New(slog.DiscardHandler)

// env is a gateway database migrated as the gateway migrates it, with two
// tenants, and the Store of the webhooks over it.
type env struct {
	admin, app *sqlx.DB
	store      *Store
	cache      *Cache
	tenantA    string
	tenantB    string
}

// newEnv migrates a fresh database and makes tenants A and B.
func newEnv(t *testing.T) *env {
	t.Helper()
	p := testkit.Postgres(t)
	admin := testkit.Open(t, p.AdminURL)
	if err := pg.Migrate(t.Context(), admin.DB, quiet, p.AppRole,
		pg.EmbeddedSource("gateway", migrations.FS, "."), events.InboxMigrations(), notify.Migrations(),
		outbox.Migrations(), Migrations(), delivery.Migrations()); err != nil {
		t.Fatal(err)
	}
	app := testkit.Open(t, p.AppURL)
	sealer, err := NewSealer([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	cache := NewCache(catalogue.Default(), time.Hour)
	e := &env{admin: admin, app: app, cache: cache, store: NewStore(app, sealer, events.Topic("", Context), cache),
		tenantA: ids.New(), tenantB: ids.New()}
	for _, tenant := range []string{e.tenantA, e.tenantB} {
		if _, err := admin.Exec(`INSERT INTO tenants (id, slug, name, tier, status, created_at, updated_at, version)
			VALUES ($1, $2, $2, 'shared', 'active', now(), now(), 1)`, tenant, "t-"+tenant[:8]+tenant[len(tenant)-4:]); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// serve serves the API of the env's store as a principal of tenant with
// perms, the development setting on (loopback URLs accepted).
func (e *env) serve(t *testing.T, tenant string, perms ...string) *httptest.Server {
	t.Helper()
	cursors, err := kitx.NewCursors([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	Mount(mux, NewAPI(e.store, catalogue.Default(), cursors, true), func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := auth.Principal{TenantID: tenant, UserID: ids.New(), Permissions: perms}
			h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
		})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// gatewayDoc is api/openapi.yaml, loaded once.
var gatewayDoc = sync.OnceValues(func() (*openapi3.T, error) {
	return openapi3.NewLoader().LoadFromFile("../api/openapi.yaml")
})

// call sends a JSON request (body "" for none, headers as name, value
// pairs) to srv, checking it and its answer against api/openapi.yaml, and
// decodes the answer into out (when not nil), failing unless the status is
// want; it returns the body.
func call(t *testing.T, srv *httptest.Server, method, path, body string, want int, out any, headers ...string) string {
	t.Helper()
	doc, err := gatewayDoc()
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: srv.URL}}
	var send any
	if body != "" {
		send = body
	}
	res := contracttest.NewContract(t, doc, nil).Do(t, contracttest.NewRequest(t, method, srv.URL+path, send, headers...))
	if res.Status != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, res.Status, res.Raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(res.Raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, res.Raw)
		}
	}
	return string(res.Raw)
}

// run runs fn until the test ends.
func run(t *testing.T, fn func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			t.Errorf("run: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// startKafka starts Kafka with the fan-out's topics and their dead-letter
// topics, and a publisher to it.
func startKafka(t *testing.T) ([]string, *events.Publisher) {
	t.Helper()
	var seeded []string
	for _, topic := range Topics("") {
		seeded = append(seeded, topic, events.DLQ(topic))
	}
	brokers := testkit.Kafka(t, kfake.SeedTopics(3, seeded...))
	pub := events.NewPublisher(brokers)
	t.Cleanup(func() { pub.Close() })
	return brokers, pub
}

// startFanOut runs the fan-out in batch mode on brokers until the test ends.
func (e *env) startFanOut(t *testing.T, brokers []string) {
	t.Helper()
	h := NewHandler(e.cache, quiet)
	c, err := events.NewConsumer(events.ConsumerConfig{
		Brokers: brokers, Group: ConsumerGroup, Topics: Topics(""), DB: e.app, Handler: h.Handle,
		Batch: 100, BatchHandler: h.HandleBatch, TopicWait: 100 * time.Millisecond, Backoff: 10 * time.Millisecond, Logger: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	run(t, c.Run)
}

// outboxEvents returns the types of the events in the outbox for
// rapport.webhooks.v1, in order, having checked each payload against its
// schema in api/events.
func (e *env) outboxEvents(t *testing.T) []string {
	t.Helper()
	var rows []struct {
		ID      string `db:"event_id"`
		Type    string `db:"type"`
		Subject string `db:"subject"`
		Tenant  string `db:"tenant_id"`
		Data    string `db:"data"`
	}
	if err := e.admin.Select(&rows, `SELECT event_id, type, subject, tenant_id, data FROM outbox WHERE topic = 'rapport.webhooks.v1' ORDER BY seq`); err != nil {
		t.Fatal(err)
	}
	var evs []events.Event
	var types []string
	for _, r := range rows {
		evs = append(evs, events.Event{ID: r.ID, Source: Source, Type: r.Type, Subject: r.Subject, TenantID: r.Tenant,
			Time: time.Now(), Data: json.RawMessage(r.Data)})
		types = append(types, r.Type)
	}
	contracttest.ValidateEvents(t, "../api/events", evs)
	return types
}
