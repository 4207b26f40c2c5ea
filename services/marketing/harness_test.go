package marketing_test

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

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/marketing"
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
// scope in the marketing module and teams.
type user struct {
	tenant, id string
	perms      []string
	scope      auth.Scope
	teams      []string
}

// newUser returns a user of tenant with every marketing permission.
func newUser(tenant string) user {
	return user{tenant: tenant, id: uuid.NewString(), perms: []string{"marketing:*"}, scope: auth.ScopeAll}
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

func newEnv(t *testing.T) *env {
	t.Helper()
	db := testkit.Postgres(t)
	// One partition each: events in order. The service consumes its own
	// topic (segments follow messages' events), contacts' (the audience)
	// and sales' (attribution).
	topic := registry.MustTopic("", registry.Marketing)
	contacts, sales := registry.MustTopic("", registry.Contacts), registry.MustTopic("", registry.Sales)
	brokers := testkit.Kafka(t, kfake.SeedTopics(1, topic, events.DLQ(topic), contacts, events.DLQ(contacts), sales, events.DLQ(sales)))
	signer, jwks := contracttest.Gateway(t)
	doc, err := marketing.OpenAPI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cfg := starter.Config{Name: registry.Marketing, HTTPAddr: "127.0.0.1:0", DatabaseURL: db.AppURL, MigrateURL: db.AdminURL,
		Brokers: brokers, JWKSURL: jwks, CursorKey: bytes.Repeat([]byte("k"), 32)}
	return &env{t: t, base: contracttest.Start(t, cfg, marketing.Starter(), quiet), signer: signer,
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
		RecordScope: map[string]auth.Scope{"marketing": u.scope}}, registry.Marketing, time.Minute)
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

// published returns every event the service has published so far, in
// order (contracttest.Published).
func (e *env) published() []events.Event {
	e.t.Helper()
	return contracttest.Published(e.t, e.admin, e.brokers, registry.MustTopic("", registry.Marketing))
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
