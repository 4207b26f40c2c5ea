package contacts_test

import (
	"bytes"
	"context"
	"encoding/json"
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

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/contacts"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// noRedirects is the test client: it returns redirects (the 301 of a merged
// record) instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// env is the service on a fresh database behind its real HTTP handler, with
// a gateway signer whose JWKS the verifier fetches over HTTP.
type env struct {
	t      *testing.T
	srv    *httptest.Server
	signer *auth.Signer
	router routers.Router
	admin  *sqlx.DB
	app    *sqlx.DB
	appURL string
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
	ctx := context.Background()
	admin := testkit.Open(t, db.AdminURL)
	if err := pg.Migrate(ctx, admin.DB, quiet, db.AppRole, outbox.Migrations(), events.InboxMigrations(), contacts.Migrations()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	app := testkit.Open(t, db.AppURL)
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
	verifier, err := auth.NewVerifier(t.Context(), keys.URL, "contacts")
	if err != nil {
		t.Fatal(err)
	}
	cursors, err := kitx.NewCursors(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := contacts.OpenAPI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := contacts.OpenAPIHandler(doc)
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	store := contacts.NewStore(app)
	svc := contacts.NewService(store, cursors, registry.MustTopic("", registry.Contacts))
	mux := http.NewServeMux()
	mux.Handle("GET /openapi.json", spec)
	mux.Handle("/v1/", auth.Middleware(verifier)(contacts.NewHandler(svc, store, quiet)))
	srv := httptest.NewServer(kitx.RequestID(mux))
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, signer: signer, router: router, admin: admin, app: app, appURL: db.AppURL}
}

// reply is a response with its decoded JSON body.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// field returns the reasons given for field in a problem's errors.
func (r reply) field(name string) string {
	list, _ := r.body["errors"].([]any)
	for _, e := range list {
		m := e.(map[string]any)
		if m["field"] == name {
			return m["reason"].(string)
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
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(raw))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		if method == http.MethodPatch {
			req.Header.Set("Content-Type", contacts.MergePatchContentType)
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
	out := reply{status: resp.StatusCode, header: resp.Header}
	if out.raw, err = io.ReadAll(resp.Body); err != nil {
		e.t.Fatal(err)
	}
	if len(out.raw) > 0 {
		_ = json.Unmarshal(out.raw, &out.body)
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
	req, err := http.NewRequest(method, e.srv.URL+path, nil)
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

// outboxEvents returns the types and payloads in the outbox, in order.
func (e *env) outboxEvents() (types []string, payloads []map[string]any) {
	e.t.Helper()
	rows, err := e.admin.Query("SELECT type, data FROM outbox ORDER BY seq")
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var typ string
		var data []byte
		if err := rows.Scan(&typ, &data); err != nil {
			e.t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			e.t.Fatal(err)
		}
		types, payloads = append(types, typ), append(payloads, m)
	}
	return types, payloads
}
