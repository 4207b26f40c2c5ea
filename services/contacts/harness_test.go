package contacts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/contacts"
	"github.com/rapport-crm/rapport/services/contacts/customer"
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
	t       *testing.T
	base    string // the service's URL
	signer  *auth.Signer
	router  routers.Router
	admin   *sqlx.DB
	app     *sqlx.DB
	appURL  string
	brokers []string
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
	topic := registry.MustTopic("", registry.Contacts)
	brokers := testkit.Kafka(t, kfake.SeedTopics(1, topic, events.DLQ(topic))) // one partition: events in order
	signer, err := auth.NewSigner()
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := signer.PublicJWKS()
	if err != nil {
		t.Fatal(err)
	}
	keys := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(jwks) }))
	t.Cleanup(keys.Close)
	doc, err := contacts.OpenAPI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	cfg := starter.Config{Name: registry.Contacts, HTTPAddr: "127.0.0.1:0", DatabaseURL: db.AppURL, MigrateURL: db.AdminURL,
		Brokers: brokers, JWKSURL: keys.URL, CursorKey: bytes.Repeat([]byte("k"), 32)}
	in, err := starter.Start(ctx, cfg, contacts.Starter(), quiet, starter.WithoutJobs())
	if err != nil {
		stop()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop()
		if err := in.Wait(); err != nil {
			t.Errorf("the service stopped with %v", err)
		}
	})
	e := &env{t: t, base: "http://" + in.Addr(), signer: signer, router: router,
		admin: testkit.Open(t, db.AdminURL), app: testkit.Open(t, db.AppURL), appURL: db.AppURL, brokers: brokers}
	e.waitReady(ctx)
	return e
}

// waitReady waits until the service's /readyz answers 200: its database is
// migrated.
func (e *env) waitReady(ctx context.Context) {
	e.t.Helper()
	testkit.Eventually(e.t, time.Minute, "the service is ready", func() (bool, string) {
		if ctx.Err() != nil {
			e.t.Fatal(ctx.Err())
		}
		resp, err := http.Get(e.base + "/readyz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
}

// reply is a response: its status, headers and body. Tests read the body
// as a typed value (decode, id, problem), never as a map with type
// assertions, so that a wrong answer fails the test instead of panicking.
type reply struct {
	t      *testing.T
	status int
	header http.Header
	raw    []byte
}

// decode returns r's JSON body as a T; a body that does not decode as a T
// fails the test.
func decode[T any](r reply) T {
	r.t.Helper()
	var v T
	if err := json.Unmarshal(r.raw, &v); err != nil {
		r.t.Fatalf("the body (status %d) is no %T: %v\n%s", r.status, v, err, r.raw)
	}
	return v
}

// id returns the id of the resource r holds; none fails the test.
func (r reply) id() string {
	r.t.Helper()
	v := decode[struct {
		ID string `json:"id"`
	}](r)
	if v.ID == "" {
		r.t.Fatalf("the body (status %d) has no id: %s", r.status, r.raw)
	}
	return v.ID
}

// problemBody is a problem+json body (RFC 9457) with the invalid fields
// and, for a duplicate, the candidates (contacts' extension member).
type problemBody struct {
	Type       string                        `json:"type"`
	Title      string                        `json:"title"`
	Status     int                           `json:"status"`
	Detail     string                        `json:"detail"`
	Errors     []fieldError                  `json:"errors"`
	Duplicates []customer.DuplicateCandidate `json:"duplicates"`
}

// fieldError is one invalid field of a problem.
type fieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// problem returns r's body as a problem.
func (r reply) problem() problemBody {
	r.t.Helper()
	return decode[problemBody](r)
}

// field returns the reasons given for field in a problem's errors.
func (r reply) field(name string) string {
	r.t.Helper()
	for _, e := range r.problem().Errors {
		if e.Field == name {
			return e.Reason
		}
	}
	return ""
}

// do sends a request as u and validates it and its response against
// api/openapi.yaml: a response must always match; a request the contract
// rejects must not succeed. headers are name, value pairs.
func (e *env) do(u user, method, path string, body any, headers ...string) reply {
	e.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			e.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, e.base+path, bytes.NewReader(raw))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		if method == http.MethodPatch {
			req.Header.Set("Content-Type", mergepatch.ContentType)
		}
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	e.authorize(req, u)
	route, params, err := e.router.FindRoute(req)
	if err != nil {
		e.t.Fatalf("%s %s is not in api/openapi.yaml: %v", method, path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	req.Body = io.NopCloser(bytes.NewReader(raw))
	out := e.send(req)
	if reqErr != nil && out.status < 400 {
		e.t.Errorf("%s %s: the contract rejects the request (%v) but the service answered %d", method, path, reqErr, out.status)
	}
	if err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: out.status, Header: out.header,
		Body: io.NopCloser(bytes.NewReader(out.raw)), Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}); err != nil {
		e.t.Errorf("%s %s: response %d does not match api/openapi.yaml: %v\n%s", method, path, out.status, err, out.raw)
	}
	return out
}

// send sends req and reads its reply.
func (e *env) send(req *http.Request) reply {
	e.t.Helper()
	resp, err := noRedirects.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out := reply{t: e.t, status: resp.StatusCode, header: resp.Header}
	if out.raw, err = io.ReadAll(resp.Body); err != nil {
		e.t.Fatal(err)
	}
	return out
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
	req, err := http.NewRequest(method, e.base+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.authorize(req, u)
	return e.send(req)
}

// want fails the test unless r has status.
func (e *env) want(r reply, status int) reply {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r
}

// outboxEvents returns the types and payloads of the events the service has
// published so far, in order.
func (e *env) outboxEvents() (types []string, payloads []published) {
	e.t.Helper()
	for _, p := range e.published() {
		types, payloads = append(types, p.typ), append(payloads, p)
	}
	return types, payloads
}

// published is one event the service published: its type, subject, tenant,
// topic and payload (read with decodeEvent or state).
type published struct {
	t                           *testing.T
	typ, subject, tenant, topic string
	data                        json.RawMessage
}

// decodeEvent returns p's payload as a T; a payload that does not decode as
// a T fails the test.
func decodeEvent[T any](p published) T {
	p.t.Helper()
	var v T
	if err := json.Unmarshal(p.data, &v); err != nil {
		p.t.Fatalf("the payload of %s is no %T: %v\n%s", p.typ, v, err, p.data)
	}
	return v
}

// eventState is what the tests read of an event's payload: the state of
// the resource (its id, version, owner and visibility), the fields an update
// changed, and of a merge the winner, the loser and the merged fields.
type eventState struct {
	ID           string          `json:"id"`
	Version      int64           `json:"version"`
	OwnerID      string          `json:"ownerId"`
	Visibility   string          `json:"visibility"`
	Changed      []string        `json:"changed"`
	Winner       json.RawMessage `json:"winner"`
	LoserID      string          `json:"loserId"`
	MergedFields []string        `json:"mergedFields"`
}

// state returns p's payload as an eventState.
func (p published) state() eventState {
	p.t.Helper()
	return decodeEvent[eventState](p)
}

// published returns every event the service has published so far, in
// order: it waits until the outbox relay has emptied the outbox, then reads
// the service's topic (of one partition) from its start to its end.
func (e *env) published() []published {
	e.t.Helper()
	var left int
	testkit.Eventually(e.t, 30*time.Second, "the relay empties the outbox", func() (bool, string) {
		if err := e.admin.Get(&left, "SELECT count(*) FROM outbox"); err != nil {
			e.t.Fatal(err)
		}
		return left == 0, fmt.Sprintf("%d events in the outbox", left)
	})
	topic := registry.MustTopic("", registry.Contacts)
	ends, err := kadm.NewClient(e.kafka()).ListEndOffsets(context.Background(), topic)
	if err != nil {
		e.t.Fatal(err)
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) { n += o.Offset })
	var out []published
	for _, r := range testkit.ReadTopic(e.t, e.brokers, topic, int(n), 30*time.Second) {
		p := published{t: e.t, topic: r.Topic, data: r.Value}
		for _, h := range r.Headers {
			switch h.Key {
			case "ce_type":
				p.typ = string(h.Value)
			case "ce_subject":
				p.subject = string(h.Value)
			case "ce_tenantid":
				p.tenant = string(h.Value)
			}
		}
		if !json.Valid(r.Value) {
			e.t.Fatalf("the payload of %s is not JSON: %s", p.typ, r.Value)
		}
		out = append(out, p)
	}
	return out
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

// items returns the items of a list's body (paged or not) as Ts.
func items[T any](r reply) []T {
	r.t.Helper()
	return decode[customer.Page[T]](r).Items
}

// contactOf and accountOf return r's body as a contact or an account.
func contactOf(r reply) customer.Contact {
	r.t.Helper()
	return decode[customer.Contact](r)
}

func accountOf(r reply) customer.Account {
	r.t.Helper()
	return decode[customer.Account](r)
}

// orEmpty returns *s, or "" for nil.
func orEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// stringsOf returns v, a list of strings in a decoded document, as
// []string; anything else fails the test, naming what it is.
func stringsOf(t *testing.T, what string, v any) []string {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("%s is %T, want a list of strings", what, v)
	}
	out := make([]string, len(list))
	for i, s := range list {
		if out[i], ok = s.(string); !ok {
			t.Fatalf("%s/%d is %T, want a string", what, i, s)
		}
	}
	return out
}

// object decodes raw, a JSON object, for comparisons of whole documents;
// anything else fails the test, naming what it is.
func object(t *testing.T, what string, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		t.Fatalf("%s is no JSON object (%v): %s", what, err, raw)
	}
	return m
}
