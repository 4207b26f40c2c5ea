package notify

import (
	"context"
	"encoding/json"
	"fmt"
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
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/services/gateway/migrations"
)

var quiet = slog.New(slog.DiscardHandler)

// env is a migrated gateway database with two tenants and their users, a
// Kafka (kfake) and the notifications consumer running on it.
type env struct {
	admin, app *sqlx.DB
	appURL     string
	store      *Store
	brokers    []string
	pub        *events.Publisher
	tenantA    string
	tenantB    string
}

// newEnv migrates a fresh database and starts Kafka; startConsumer starts
// the consumer.
func newEnv(t *testing.T) *env {
	t.Helper()
	p := testkit.Postgres(t)
	admin := testkit.Open(t, p.AdminURL)
	if err := pg.Migrate(t.Context(), admin.DB, quiet, p.AppRole,
		pg.EmbeddedSource("gateway", migrations.FS, "."), events.InboxMigrations(), Migrations()); err != nil {
		t.Fatal(err)
	}
	app := testkit.Open(t, p.AppURL)
	e := &env{admin: admin, app: app, appURL: p.AppURL, store: NewStore(app), brokers: testkit.Kafka(t, kfake.SeedTopics(3, seeded()...)), tenantA: ids.New(), tenantB: ids.New()}
	e.pub = events.NewPublisher(e.brokers)
	t.Cleanup(func() { e.pub.Close() })
	for _, tenant := range []string{e.tenantA, e.tenantB} {
		if _, err := admin.Exec(`INSERT INTO tenants (id, slug, name, tier, status, created_at, updated_at, version)
			VALUES ($1, $2, $2, 'shared', 'active', now(), now(), 1)`, tenant, "t-"+tenant[:8]+tenant[len(tenant)-4:]); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// seeded are the topics the consumer reads and their dead-letter topics.
func seeded() []string {
	var out []string
	for _, topic := range Topics("") {
		out = append(out, topic, events.DLQ(topic))
	}
	return out
}

// user adds a user of tenant and returns its id.
func (e *env) user(t *testing.T, tenant, name, email, locale, status string) string {
	t.Helper()
	id := ids.New()
	if _, err := e.admin.Exec(`INSERT INTO users (tenant_id, id, email, name, status, locale, time_zone, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, 'Asia/Shanghai', now(), now(), 1)`, tenant, id, email, name, status, locale); err != nil {
		t.Fatal(err)
	}
	return id
}

// startConsumer runs the consumer of ConsumerGroup, queueing emails when
// email is set, until the test ends or stop, the function it returns, is
// called.
func (e *env) startConsumer(t *testing.T, email bool) (stop func()) {
	t.Helper()
	c, err := events.NewConsumer(events.ConsumerConfig{
		Brokers: e.brokers, Group: ConsumerGroup, Topics: Topics(""), DB: e.app,
		Handler: NewHandler(email, quiet).Handle, TopicWait: 100 * time.Millisecond, Backoff: 10 * time.Millisecond, Logger: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	return run(t, c.Run)
}

// run runs fn until the test ends or stop, the function it returns, is
// called.
func run(t *testing.T, fn func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := fn(ctx); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

// publish sends an event of typ for tenant with data as its payload, of a
// subject of its own.
func (e *env) publish(t *testing.T, tenant, typ string, data any) {
	t.Helper()
	e.publishOf(t, tenant, typ, ids.New(), data)
}

// publishOf sends an event of typ about subject (its record key: the
// events of one subject are read in order) for tenant with data as its
// payload.
func (e *env) publishOf(t *testing.T, tenant, typ, subject string, data any) {
	t.Helper()
	ev, err := events.New("/rapport/"+contextOf(typ), typ, subject, tenant, data)
	if err != nil {
		t.Fatal(err)
	}
	// The payload is what the service publishing it promises.
	contracttest.ValidateEvents(t, "../../"+contextOf(typ)+"/api/events", []events.Event{ev})
	if err := e.pub.Publish(t.Context(), ev.Message(events.Topic("", contextOf(typ)))); err != nil {
		t.Fatal(err)
	}
}

// wait waits until user of tenant has want notifications and returns them,
// newest first.
func (e *env) wait(t *testing.T, tenant, user string, want int) []Notification {
	t.Helper()
	var list []Notification
	testkit.Eventually(t, 20*time.Second, fmt.Sprintf("%d notifications", want), func() (bool, string) {
		var err error
		if list, err = e.store.List(t.Context(), tenant, user, false, "", 100); err != nil {
			t.Fatal(err)
		}
		return len(list) == want, fmt.Sprintf("%d: %v", len(list), list)
	})
	return list
}

// api returns the API of the env's store with streams woken by hub, its
// streams' heartbeat and lifetime changed by the options.
func (e *env) api(t *testing.T, hub *Hub, options ...func(*API)) *API {
	t.Helper()
	cursors, err := kitx.NewCursors([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	a := NewAPI(e.store, hub, cursors)
	for _, o := range options {
		o(a)
	}
	return a
}

// serve serves a as the principal user of tenant until the test ends.
func serve(t *testing.T, a *API, tenant, user string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	Mount(mux, a, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{TenantID: tenant, UserID: user})))
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

// call sends a JSON request (body "" for none) to srv, checking it and its
// answer against api/openapi.yaml, and decodes the answer into out (when
// not nil), failing unless the status is want; it returns the body.
func call(t *testing.T, srv *httptest.Server, method, path, body string, want int, out any) string {
	t.Helper()
	doc, err := gatewayDoc()
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: srv.URL}} // the document's "/" is wherever the gateway runs
	var send any
	if body != "" {
		send = body
	}
	res := contracttest.NewContract(t, doc, nil).Do(t, contracttest.NewRequest(t, method, srv.URL+path, send))
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
