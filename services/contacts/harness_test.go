package contacts_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/contacts"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// noRedirects is the test client: it returns redirects (the 301 of a merged
// record) instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// env is the service as libs/starter runs it in production, on a fresh
// database and an in-process Kafka, with a gateway signer whose JWKS the
// service fetches over HTTP. Its periodic jobs do not run: the tests run
// them when they choose.
type env struct {
	t        *testing.T
	base     string // the service's URL
	signer   *auth.Signer
	contract *contracttest.Contract
	admin    *sqlx.DB
	app      *sqlx.DB
	appURL   string
	brokers  []string
	cfg      starter.Config // the service's, for replicas
}

// user is a caller: a principal of a tenant.
type user struct {
	tenant, id string
	scope      auth.Scope
	teams      []string
	perms      []string
}

// newUser returns a user of tenant with every permission and scope "all".
func newUser(tenant string) user {
	return user{tenant: tenant, id: uuid.NewString(), scope: auth.ScopeAll, perms: []string{"contacts:*"}}
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, testkit.Postgres(t))
}

// newEnvOn is newEnv on database db.
func newEnvOn(t *testing.T, db testkit.PG) *env {
	t.Helper()
	// One partition each: events in order. Of the topics the timeline
	// consumes, marketing's is left out: the service must run without it,
	// and the timeline's tests create it (timeline_test.go).
	var topics []string
	for _, name := range []string{registry.Contacts, registry.Sales, registry.Support} {
		topic := registry.MustTopic("", name)
		topics = append(topics, topic, events.DLQ(topic))
	}
	brokers := testkit.Kafka(t, kfake.SeedTopics(1, topics...))
	signer, jwks := contracttest.Gateway(t)
	doc, err := contacts.OpenAPI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cfg := starter.Config{Name: registry.Contacts, HTTPAddr: "127.0.0.1:0", DatabaseURL: db.AppURL, MigrateURL: db.AdminURL,
		Brokers: brokers, JWKSURL: jwks, CursorKey: bytes.Repeat([]byte("k"), 32)}
	return &env{t: t, base: contracttest.Start(t, cfg, contacts.Starter(), quiet, starter.WithoutJobs()), signer: signer,
		contract: contracttest.NewContract(t, doc, noRedirects), admin: testkit.Open(t, db.AdminURL), app: testkit.Open(t, db.AppURL),
		appURL: db.AppURL, brokers: brokers, cfg: cfg}
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
	tok, err := e.signer.Sign(auth.Principal{TenantID: u.tenant, UserID: u.id, Teams: u.teams, Permissions: u.perms,
		RecordScope: map[string]auth.Scope{"contacts": u.scope}}, "contacts", time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
}

// raw sends a request without a body as u, outside the contract: for what
// api/openapi.yaml does not describe, such as a path that does not exist.
func (e *env) raw(u user, method, path string) reply {
	e.t.Helper()
	req := contracttest.NewRequest(e.t, method, e.base+path, nil)
	e.authorize(req, u)
	return reply{e.contract.Send(e.t, req)}
}

// want fails the test unless r has status.
func (e *env) want(r reply, status int) reply {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	return r
}

// kafka is a client of the service's Kafka, closed at the end of the test.
func (e *env) kafka() *kgo.Client {
	e.t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.brokers...))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(cl.Close)
	return cl
}
