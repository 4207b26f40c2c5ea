package reporting_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/reporting"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// env is the service as libs/starter runs it in production, on a fresh
// database and an in-process Kafka, with a gateway signer whose JWKS the
// service fetches over HTTP.
type env struct {
	t        *testing.T
	base     string // the service's URL
	signer   *auth.Signer
	contract *contracttest.Contract
	admin    *sqlx.DB
	app      string // the service's database URL
	brokers  []string
	cfg      starter.Config // what the service runs with; a replica starts with it too
}

// user is a caller: a principal of a tenant with permissions, a record
// scope in the reporting module and teams.
type user struct {
	tenant, id string
	perms      []string
	scope      auth.Scope
	teams      []string
}

// newUser returns a user of tenant with every reporting permission.
func newUser(tenant string) user {
	return user{tenant: tenant, id: uuid.NewString(), perms: []string{"reporting:*"}, scope: auth.ScopeAll}
}

// scoped returns another user of u's tenant with u's permissions, the
// record scope scope and teams.
func (u user) scoped(scope auth.Scope, teams ...string) user {
	u.id, u.scope, u.teams = uuid.NewString(), scope, teams
	return u
}

// as returns u with perms instead of its own.
func (u user) as(perms ...string) user {
	u.perms = perms
	return u
}

// sources are the service names whose topics the service reads.
var sources = []string{registry.Contacts, registry.Sales, registry.Marketing, registry.Support}

func newEnv(t *testing.T) *env { return newEnvPartitions(t, 1) }

// newEnvPartitions is newEnv with partitions partitions per topic.
func newEnvPartitions(t *testing.T, partitions int) *env {
	t.Helper()
	db := testkit.Postgres(t)
	// The service's own topic, the four source topics and their
	// dead-letter topics, partitions partitions each (1: every event in
	// order).
	own := registry.MustTopic("", registry.Reporting)
	topics := []string{own, events.DLQ(own)}
	for _, c := range sources {
		topic := registry.MustTopic("", c)
		topics = append(topics, topic, events.DLQ(topic))
	}
	brokers := testkit.Kafka(t, kfake.SeedTopics(int32(partitions), topics...))
	signer, jwks := contracttest.Gateway(t)
	doc, err := reporting.OpenAPI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cfg := starter.Config{Name: registry.Reporting, HTTPAddr: "127.0.0.1:0", DatabaseURL: db.AppURL, MigrateURL: db.AdminURL,
		Brokers: brokers, JWKSURL: jwks, CursorKey: bytes.Repeat([]byte("k"), 32)}
	return &env{t: t, base: contracttest.Start(t, cfg, reporting.Starter(), quiet), signer: signer,
		contract: contracttest.NewContract(t, doc, nil), admin: testkit.Open(t, db.AdminURL), app: db.AppURL, brokers: brokers, cfg: cfg}
}

// do sends a request as u and validates it and its response against
// api/openapi.yaml (contracttest.Contract.Do). headers are name, value
// pairs.
func (e *env) do(u user, method, path string, body any, headers ...string) reply {
	e.t.Helper()
	req := contracttest.NewRequest(e.t, method, e.base+path, body, headers...)
	e.authorize(req, u)
	return reply{e.contract.Do(e.t, req)}
}

// authorize gives req the internal token of u, unless u is nobody.
func (e *env) authorize(req *http.Request, u user) {
	e.t.Helper()
	if u.tenant == "" {
		return
	}
	tok, err := e.signer.Sign(auth.Principal{TenantID: u.tenant, UserID: u.id, Permissions: u.perms, Teams: u.teams,
		RecordScope: map[string]auth.Scope{"reporting": u.scope}}, registry.Reporting, time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
}

// want fails the test unless r has status.
func (e *env) want(r reply, status int) reply {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	return r
}

// publish publishes an event of type typ about subject with data (a
// payload as its service publishes it) in tenant to the topic of source
// (a service's name: contacts, sales, marketing, support), made at at.
// It returns the event's id.
func (e *env) publish(source, tenant, typ, subject string, at time.Time, data any) string {
	e.t.Helper()
	ev, err := events.New("/rapport/"+source, typ, subject, tenant, data)
	if err != nil {
		e.t.Fatal(err)
	}
	ev.Time = at
	e.publishEvent(source, ev)
	return ev.ID
}

// publishEvent publishes ev, as it is, to the topic of source: a
// redelivery publishes the same event twice.
func (e *env) publishEvent(source string, ev events.Event) {
	e.t.Helper()
	p := events.NewPublisher(e.brokers)
	defer p.Close()
	if err := p.Publish(context.Background(), ev.Message(registry.MustTopic("", source))); err != nil {
		e.t.Fatal(err)
	}
}

// reply is a response (contracttest.Reply), read as a typed value
// (contracttest.Decode) or as a problem's fields.
type reply struct{ contracttest.Reply }

// problemBody is a problem+json body (RFC 9457) with the invalid fields.
type problemBody struct {
	Type   string `json:"type"`
	Detail string `json:"detail"`
	Errors []struct {
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

// fields returns the fields a problem names, in order.
func (r reply) fields() []string {
	r.T.Helper()
	var out []string
	for _, f := range contracttest.Decode[problemBody](r).Errors {
		out = append(out, f.Field)
	}
	return out
}

// waitEvents waits until n events of context (contacts, sales, marketing,
// support) have been applied to tenant's first generation: what a test
// publishes is in the read models once it returns.
func (e *env) waitEvents(tenant, context string, n int64) {
	e.t.Helper()
	testkit.Eventually(e.t, 30*time.Second, context+" events applied", func() (bool, string) {
		got, err := e.applied(tenant, context)
		if err != nil {
			return false, err.Error()
		}
		return got >= n, fmt.Sprintf("%d of %d applied", got, n)
	})
}

// applied returns how many events of context the read models of
// tenant's first generation have applied.
func (e *env) applied(tenant, context string) (int64, error) {
	tx, err := e.admin.Beginx()
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() //nolint:errcheck // read only
	if _, err := tx.Exec(`SELECT set_config('app.tenant_id', $1, true)`, tenant); err != nil {
		return 0, err
	}
	var n int64
	err = tx.Get(&n, `SELECT coalesce(sum(events), 0) FROM rm_freshness WHERE tenant_id = $1 AND gen = 1 AND context = $2`, tenant, context)
	return n, err
}
