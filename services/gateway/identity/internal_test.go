package identity

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/rapport-crm/rapport/libs/auth"
)

// principalOf returns the principal the gateway gives a user's access token.
func (e *env) principalOf(t *testing.T, pair TokenPair) auth.Principal {
	t.Helper()
	r, _ := http.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+pair.AccessToken)
	p, err := e.s.Authenticate(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// internalToken is the token the proxy mints for p and service.
func (e *env) internalToken(t *testing.T, p auth.Principal, service string) string {
	t.Helper()
	tok, err := e.s.Keys().Signer().Sign(p, service, auth.DefaultTTL)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func exchangeBody(audience string) map[string]string { return map[string]string{"audience": audience} }

func TestTokenExchange(t *testing.T) {
	e := setup(t)
	tenant, admin := e.tenant(t, "acme")
	c := newClientFor(t, e.srv.URL, "internal.yaml")
	p := e.principalOf(t, admin)
	p.Scopes = []string{"contacts:write"} // as an API key's principal carries them

	var got ExchangedToken
	c.call(t, "POST", TokenExchangePath, bearer(e.internalToken(t, p, "sales")), exchangeBody("contacts"), 200, &got)
	if got.Audience != "contacts" || got.TokenType != "Bearer" || got.ExpiresIn != 60 {
		t.Errorf("exchanged = %+v, want audience contacts, Bearer, 60 s", got)
	}
	// The contacts service accepts it, as the same principal; sales does not.
	ctx := t.Context()
	contacts, err := auth.NewVerifier(ctx, e.srv.URL+"/.well-known/jwks.json", "contacts")
	if err != nil {
		t.Fatal(err)
	}
	q, err := contacts.Verify(ctx, got.AccessToken)
	if err != nil {
		t.Fatalf("contacts refuses the exchanged token: %v", err)
	}
	if !reflect.DeepEqual(q, p) {
		t.Errorf("exchanged principal = %+v, want %+v", q, p)
	}
	sales, err := auth.NewVerifier(ctx, e.srv.URL+"/.well-known/jwks.json", "sales")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sales.Verify(ctx, got.AccessToken); err == nil {
		t.Error("sales accepts a token exchanged for contacts")
	}

	e.mu.Lock()
	events := slices.Clone(e.exchanges)
	e.mu.Unlock()
	want := ExchangeEvent{TenantID: tenant.ID, UserID: p.UserID, Service: "sales", Audience: "contacts", Success: true, Status: 200}
	if len(events) != 1 {
		t.Fatalf("exchange events = %+v, want one", events)
	}
	ev := events[0]
	at := ev.At
	ev.At = time.Time{}
	if at.IsZero() || ev != want {
		t.Errorf("exchange event = %+v, want %+v at a time", events[0], want)
	}
}

func TestTokenExchangeRefusals(t *testing.T) {
	e := setup(t)
	tenant, admin := e.tenant(t, "acme")
	c := newClientFor(t, e.srv.URL, "internal.yaml")
	p := e.principalOf(t, admin)
	salesToken := e.internalToken(t, p, "sales")

	foreign, err := auth.NewSigner()
	if err != nil {
		t.Fatal(err)
	}
	foreignToken, err := foreign.Sign(p, "sales", auth.DefaultTTL)
	if err != nil {
		t.Fatal(err)
	}
	signer := e.s.Keys().Signer()
	expired, err := signer.SignAccess(p, "sales", auth.DefaultTTL, time.Now().Add(-2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	longLived, err := signer.SignAccess(p, "sales", 15*time.Minute, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := jwt.NewBuilder().Issuer(auth.Issuer).Subject(p.UserID).Audience([]string{"sales"}).
		IssuedAt(time.Now()).Expiration(time.Now().Add(time.Minute)).Claim("tid", p.TenantID).Build()
	if err != nil {
		t.Fatal(err)
	}
	unsignedToken, err := jwt.Sign(unsigned, jwt.WithInsecureNoSignature())
	if err != nil {
		t.Fatal(err)
	}
	hmacToken, err := jwt.Sign(unsigned, jwt.WithKey(jwa.HS256(), []byte("a shared secret of thirty-two bytes!")))
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, token, audience string
		status                int
		slug                  string
	}{
		{"no token", "", "contacts", 401, "unauthenticated"},
		{"foreign key", foreignToken, "contacts", 401, "invalid-token"},
		{"unsigned", string(unsignedToken), "contacts", 401, "invalid-token"},
		{"hmac", string(hmacToken), "contacts", 401, "invalid-token"},
		{"expired", expired, "contacts", 401, "invalid-token"},
		{"longer than an internal token lives", longLived, "contacts", 401, "invalid-token"},
		{"user access token", admin.AccessToken, "contacts", 401, "invalid-token"},
		{"token of the gateway's own audience", e.internalToken(t, p, "gateway"), "contacts", 401, "invalid-token"},
		{"unknown audience", salesToken, "billing", 400, "validation-failed"},
		{"empty audience", salesToken, "", 400, "validation-failed"},
		{"pair not allowed: sales to marketing", salesToken, "marketing", 403, "exchange-not-allowed"},
		{"pair not allowed: contacts to sales", e.internalToken(t, p, "contacts"), "sales", 403, "exchange-not-allowed"},
		{"pair not allowed: sales to sales", salesToken, "sales", 403, "exchange-not-allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := http.Header{}
			if tc.token != "" {
				hdr = bearer(tc.token)
			}
			raw := c.call(t, "POST", TokenExchangePath, hdr, exchangeBody(tc.audience), tc.status, nil)
			if got := problemType(t, raw); got != tc.slug {
				t.Errorf("problem %q, want %q: %s", got, tc.slug, raw)
			}
			if tc.status == 400 && !bytesContains(raw, `"field":"audience"`) {
				t.Errorf("the problem does not name audience: %s", raw)
			}
		})
	}
	// Only authenticated services' exchanges reach the audit log: the five
	// refused after authentication.
	e.mu.Lock()
	n := len(e.exchanges)
	for _, ev := range e.exchanges {
		if ev.Success || ev.Reason == "" || ev.TenantID != tenant.ID || (ev.Status != 400 && ev.Status != 403) {
			t.Errorf("refused exchange recorded as %+v", ev)
		}
	}
	e.mu.Unlock()
	if n != 5 {
		t.Errorf("%d exchange events, want 5", n)
	}

	// A suspended tenant's tokens are exchanged no more, like its users'.
	e.c.call(t, "POST", "/admin/v1/tenants/"+tenant.ID+"/suspend", platformAuth(), nil, 200, nil)
	raw := c.call(t, "POST", TokenExchangePath, bearer(salesToken), exchangeBody("contacts"), 401, nil)
	if got := problemType(t, raw); got != "tenant-inactive" {
		t.Errorf("suspended tenant: %s", raw)
	}
	e.c.call(t, "POST", "/admin/v1/tenants/"+tenant.ID+"/resume", platformAuth(), nil, 200, nil)
	c.call(t, "POST", TokenExchangePath, bearer(salesToken), exchangeBody("contacts"), 200, nil)
}

func TestTeamDirectory(t *testing.T) {
	e := setup(t)
	_, admin := e.tenant(t, "acme")
	_, adminB := e.tenant(t, "beta")
	c := newClientFor(t, e.srv.URL, "internal.yaml")
	team := func(pair TokenPair, name string, parent *Team) Team {
		body := map[string]any{"name": name}
		if parent != nil {
			body["parentId"] = parent.ID
		}
		var out Team
		e.c.call(t, "POST", "/v1/teams", bearer(pair.AccessToken), body, 201, &out)
		return out
	}
	sales := team(admin, "Sales", nil)
	east := team(admin, "East", &sales)
	other := team(adminB, "Sales", nil)

	boss, _ := e.member(t, admin, "boss@acme.test", []string{"manager"}, []TeamMembership{{TeamID: sales.ID, Manager: true}})
	lead, _ := e.member(t, admin, "lead@acme.test", []string{"manager"}, []TeamMembership{{TeamID: east.ID, Manager: true}})
	second, _ := e.member(t, admin, "second@acme.test", []string{"manager"}, []TeamMembership{{TeamID: east.ID, Manager: true}})
	e.member(t, admin, "rep@acme.test", []string{"sales_rep"}, []TeamMembership{{TeamID: east.ID}})
	// Invited but not joined: manages nothing yet.
	e.c.call(t, "POST", "/v1/users", bearer(admin.AccessToken), map[string]any{"email": "new@acme.test", "name": "New",
		"roles": []string{"manager"}, "teams": []TeamMembership{{TeamID: east.ID, Manager: true}}}, 201, nil)

	token := e.internalToken(t, e.principalOf(t, admin), "sales")
	var got TeamEntry
	c.call(t, "GET", "/internal/v1/teams/"+east.ID, bearer(token), nil, 200, &got)
	managers := []string{lead.ID, second.ID}
	slices.Sort(managers)
	if got.ID != east.ID || got.Name != "East" || got.ParentID == nil || *got.ParentID != sales.ID || !slices.Equal(got.Managers, managers) {
		t.Errorf("east = %+v, want parent %s and managers %v", got, sales.ID, managers)
	}
	c.call(t, "GET", "/internal/v1/teams/"+sales.ID, bearer(token), nil, 200, &got)
	if got.ParentID != nil || !slices.Equal(got.Managers, []string{boss.ID}) {
		t.Errorf("sales = %+v, want no parent and manager %s", got, boss.ID)
	}

	// A disabled manager manages no more.
	e.c.call(t, "POST", "/v1/users/"+second.ID+"/disable", bearer(admin.AccessToken), nil, 200, nil)
	c.call(t, "GET", "/internal/v1/teams/"+east.ID, bearer(token), nil, 200, &got)
	if !slices.Equal(got.Managers, []string{lead.ID}) {
		t.Errorf("east's managers after disabling one = %v, want %v", got.Managers, []string{lead.ID})
	}

	// Another tenant's team, or no team at all, is not found; any service's
	// token reads the directory, a user token does not.
	for _, id := range []string{other.ID, "not-a-uuid", "01900000-0000-7000-8000-000000000000"} {
		raw := c.call(t, "GET", "/internal/v1/teams/"+id, bearer(token), nil, 404, nil)
		if problemType(t, raw) != "team-not-found" {
			t.Errorf("team %s: %s", id, raw)
		}
	}
	c.call(t, "GET", "/internal/v1/teams/"+east.ID, bearer(e.internalToken(t, e.principalOf(t, admin), "contacts")), nil, 200, nil)
	c.call(t, "GET", "/internal/v1/teams/"+east.ID, bearer(admin.AccessToken), nil, 401, nil)
}
