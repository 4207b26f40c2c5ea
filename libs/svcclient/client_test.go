package svcclient

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/testkit"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if gateway.bin != "" {
		_ = os.RemoveAll(filepath.Dir(gateway.bin))
	}
	os.Exit(code)
}

// seen is what the contacts service saw of a call.
type seen struct {
	Principal      auth.Principal
	IdempotencyKey string
	RequestID      string
}

// converted is what the sales service answers: what contacts saw, and the
// error of the call if it failed.
type converted struct {
	Contacts seen
	Sales    auth.Principal
	Status   int    // the status contacts answered
	Slug     string // the problem of a failed call
	Kind     string // the errs kind of a failed call
}

// TestCallWithTheCallersAuthority sends requests through the real gateway
// to a sales service that calls contacts with its caller's authority.
func TestCallWithTheCallersAuthority(t *testing.T) {
	var w *world
	contactsMux := http.NewServeMux()
	contactsMux.HandleFunc("POST /v1/contacts", func(rw http.ResponseWriter, r *http.Request) {
		p, _ := auth.PrincipalFrom(r.Context())
		writeJSON(rw, 201, seen{Principal: p, IdempotencyKey: r.Header.Get("Idempotency-Key"), RequestID: r.Header.Get(kitx.RequestIDHeader)})
	})
	contactsMux.HandleFunc("GET /v1/contacts/{id}", func(rw http.ResponseWriter, r *http.Request) {
		kitx.WriteProblem(rw, r, errs.New(errs.NotFound, "contact-not-found", "contact not found"))
	})
	salesMux := http.NewServeMux()
	contactsDown := "http://" + testkit.FreeAddr(t)
	salesMux.HandleFunc("POST /v1/leads/{id}/convert", func(rw http.ResponseWriter, r *http.Request) {
		// Which call the lead's id asks for: the audience, its base URL, the request.
		calls := map[string]struct{ audience, base, method, path string }{
			"up":        {"contacts", w.contactsURL, "POST", "/v1/contacts"},
			"missing":   {"contacts", w.contactsURL, "GET", "/v1/contacts/x"},
			"down":      {"contacts", contactsDown, "POST", "/v1/contacts"},
			"marketing": {"marketing", w.contactsURL, "POST", "/v1/segments"},
		}
		c := calls[r.PathValue("id")]
		svc, err := w.client.Service(c.audience, c.base)
		if err != nil {
			t.Error(err)
			return
		}
		sp, _ := auth.PrincipalFrom(r.Context())
		out := converted{Sales: sp}
		res, err := svc.Call(r.Context(), Request{Method: c.method, Path: c.path, Body: map[string]string{"email": "ada@example.com"},
			IdempotencyKey: "lead-" + r.PathValue("id")}, &out.Contacts)
		out.Status = res.Status
		var p *Problem
		switch {
		case errors.As(err, &p):
			out.Status, out.Slug = p.Status, p.Slug()
		case err != nil:
			e, _ := errs.As(err)
			out.Slug, out.Kind = e.Slug, errs.KindOf(err).String()
		}
		writeJSON(rw, 200, out)
	})
	w = startWorld(t, salesMux, contactsMux)
	_, admin := w.tenant(t, "acme")

	var got converted
	w.call(t, "POST", "/v1/leads/up/convert", admin, nil, 200, &got)
	if got.Status != 201 || got.Contacts.IdempotencyKey != "lead-up" || got.Contacts.RequestID == "" {
		t.Errorf("contacts answered %d and saw key %q, request id %q; want 201, lead-up and the request's id", got.Status, got.Contacts.IdempotencyKey, got.Contacts.RequestID)
	}
	if got.Sales.UserID == "" || !reflect.DeepEqual(got.Contacts.Principal, got.Sales) {
		t.Errorf("contacts saw %+v, want sales' caller %+v", got.Contacts.Principal, got.Sales)
	}

	// The exchanged token is kept for the principal during half its life.
	w.call(t, "POST", "/v1/leads/up/convert", admin, nil, 200, &got)
	if n := w.exchanges.Load(); n != 1 {
		t.Errorf("%d exchanges for two calls of one principal, want 1", n)
	}
	w.skew.Store(int64(31 * time.Second))
	w.call(t, "POST", "/v1/leads/up/convert", admin, nil, 200, &got)
	if n := w.exchanges.Load(); n != 2 {
		t.Errorf("%d exchanges once the first token is half spent, want 2", n)
	}
	w.skew.Store(0)

	// Another principal gets a token of its own.
	_, other := w.tenant(t, "beta")
	w.call(t, "POST", "/v1/leads/up/convert", other, nil, 200, &got)
	if n := w.exchanges.Load(); n != 3 || got.Contacts.Principal.TenantID == "" || !reflect.DeepEqual(got.Contacts.Principal, got.Sales) {
		t.Errorf("second tenant: %d exchanges, contacts saw %+v; want 3 and %+v", n, got.Contacts.Principal, got.Sales)
	}

	// Contacts' problems come back as they are; a service that cannot be
	// reached is unavailable; a pair the gateway does not allow is its 403.
	w.call(t, "POST", "/v1/leads/missing/convert", admin, nil, 200, &got)
	if got.Status != 404 || got.Slug != "contact-not-found" {
		t.Errorf("missing contact: %+v", got)
	}
	w.call(t, "POST", "/v1/leads/down/convert", admin, nil, 200, &got)
	if got.Slug != ErrUnavailable.Slug || got.Kind != errs.Unavailable.String() {
		t.Errorf("contacts down: %+v", got)
	}
	w.call(t, "POST", "/v1/leads/marketing/convert", admin, nil, 200, &got)
	if got.Status != 403 || got.Slug != "exchange-not-allowed" {
		t.Errorf("sales to marketing: %+v", got)
	}

	// Outside a request there is no caller to act for.
	if _, err := w.client.Token(t.Context(), "contacts"); !errors.Is(err, ErrNoCaller) {
		t.Errorf("Token without a request: %v, want ErrNoCaller", err)
	}
	// The gateway audited acme's exchanges in acme's log: two for contacts
	// (the later calls reused the second token), one refused for marketing.
	want := []string{"sales→marketing 403", "sales→contacts 200", "sales→contacts 200"}
	testkit.Eventually(t, 10*time.Second, "the exchanges in the audit log", func() (bool, string) {
		var page struct {
			Items []struct {
				Subject string
				Status  int
			}
		}
		w.call(t, "GET", "/v1/audit?kind=token_exchange", admin, nil, 200, &page)
		var got []string
		for _, e := range page.Items {
			got = append(got, fmt.Sprintf("%s %d", e.Subject, e.Status))
		}
		return slices.Equal(got, want), fmt.Sprintf("audited %q, want %q", got, want)
	})
}

// TestTeamDirectory reads teams, their parents and managers through the
// real gateway with the token of the request being served.
func TestTeamDirectory(t *testing.T) {
	var w *world
	salesMux := http.NewServeMux()
	salesMux.HandleFunc("GET /v1/leads/teams/{id}", func(rw http.ResponseWriter, r *http.Request) {
		chain, err := w.client.TeamChain(r.Context(), r.PathValue("id"))
		if err != nil {
			kitx.WriteProblem(rw, r, err)
			return
		}
		writeJSON(rw, 200, chain)
	})
	w = startWorld(t, salesMux, http.NewServeMux())
	_, admin := w.tenant(t, "acme")
	_, beta := w.tenant(t, "beta")
	team := func(token, name, parent string) string {
		var out struct{ ID string }
		body := map[string]any{"name": name}
		if parent != "" {
			body["parentId"] = parent
		}
		w.call(t, "POST", "/v1/teams", token, body, 201, &out)
		return out.ID
	}
	sales := team(admin, "Sales", "")
	east := team(admin, "East", sales)
	boston := team(admin, "Boston", east)
	betas := team(beta, "Sales", "")
	var inv struct {
		User            struct{ ID string }
		InvitationToken string
	}
	w.call(t, "POST", "/v1/users", admin, map[string]any{"email": "lead@acme.test", "name": "Lead", "roles": []string{"manager"},
		"teams": []map[string]any{{"id": east, "manager": true}}}, 201, &inv)
	w.accept(t, inv.InvitationToken)

	var chain []Team
	w.call(t, "GET", "/v1/leads/teams/"+boston, admin, nil, 200, &chain)
	var ids []string
	for _, c := range chain {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, []string{boston, east, sales}) {
		t.Fatalf("chain %v, want boston, east, sales (%v)", ids, []string{boston, east, sales})
	}
	if chain[0].Name != "Boston" || len(chain[0].Managers) != 0 || !slices.Equal(chain[1].Managers, []string{inv.User.ID}) ||
		*chain[1].ParentID != sales || chain[2].ParentID != nil {
		t.Errorf("chain %+v: want East managed by %s, Sales at the top", chain, inv.User.ID)
	}
	// Another tenant's team is not found.
	raw := w.call(t, "GET", "/v1/leads/teams/"+betas, admin, nil, 404, nil)
	if !strings.Contains(string(raw), kitx.ProblemTypeBase+ErrTeamNotFound.Slug) {
		t.Errorf("another tenant's team: %s", raw)
	}
}
