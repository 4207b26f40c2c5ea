package identity

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/gatewayadmin"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestGatewayAdminClient runs libs/gatewayadmin, the operator's, the
// launcher's and the bench's client, against the real handlers: what it
// sends passes their strict decoding and what it reads is the gateway's
// record.
func TestGatewayAdminClient(t *testing.T) {
	e := setup(t)
	c := gatewayadmin.New(e.srv.URL, testPlatformToken, 5*time.Second)
	ctx := context.Background()
	const slug = "gw-acme"

	created, inv, err := c.Create(ctx, gatewayadmin.NewTenant{
		Slug: slug, Name: "Acme", Domains: []string{"acme.example.com"}, Tier: "dedicated",
		Admin: gatewayadmin.Admin{Email: "ops@acme.example", Name: "Ops"},
	})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if created.Slug != slug || created.Tier != "dedicated" || created.Status != gatewayadmin.StatusActive || created.ID == "" {
		t.Errorf("Create = %+v, want an active dedicated tenant %s with an id", created, slug)
	}
	if inv.Token == "" || !strings.Contains(inv.Link, inv.Token) {
		t.Errorf("invitation = %+v, want a token and a link carrying it", inv)
	}
	wantTenant(t, e, created)
	var admin User
	err = e.s.tenantTx(ctx, created.ID, func(tx *sqlx.Tx) (err error) {
		admin, err = userByID(ctx, tx, inv.User.ID)
		return err
	})
	if err != nil || admin.Email != "ops@acme.example" || inv.User.Email != admin.Email || inv.User.Name != "Ops" || inv.User.Status != UserInvited {
		t.Errorf("invited user = %+v; the gateway's = %+v, %v", inv.User, admin, err)
	}

	t.Run("find by slug", func(t *testing.T) {
		got, err := c.FindBySlug(ctx, slug)
		if err != nil || got.ID != created.ID {
			t.Errorf("FindBySlug(%s) = %+v, %v; want id %s", slug, got, err, created.ID)
		}
	})

	t.Run("update", func(t *testing.T) {
		name, domains := "Acme Corp", []string{"acme.example.com", "crm.acme.example"}
		got, err := c.Update(ctx, created.ID, gatewayadmin.Changes{Name: &name, Domains: &domains})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
		if got.Name != name || !slices.Equal(got.Domains, domains) {
			t.Errorf("Update = %+v, want name %q and domains %v", got, name, domains)
		}
		wantTenant(t, e, got)
	})

	t.Run("suspend and resume", func(t *testing.T) {
		got, err := c.Suspend(ctx, created.ID)
		if err != nil || got.Status != gatewayadmin.StatusSuspended {
			t.Fatalf("Suspend = %+v, %v; want suspended", got, err)
		}
		wantTenant(t, e, got)
		got, err = c.Resume(ctx, created.ID)
		if err != nil || got.Status != gatewayadmin.StatusActive {
			t.Fatalf("Resume = %+v, %v; want active", got, err)
		}
	})

	t.Run("reinvite, activate and log in", func(t *testing.T) {
		again, err := c.Reinvite(ctx, created.ID)
		if err != nil || again.Token == "" || again.Token == inv.Token || again.User.ID != inv.User.ID {
			t.Fatalf("Reinvite = %+v, %v; want a new token for user %s", again, err, inv.User.ID)
		}
		if _, err := c.Activate(ctx, inv.Token, "admin-password-1"); !errors.Is(err, gatewayadmin.ErrRejected) {
			t.Errorf("Activate with the replaced invitation: got %v, want %v", err, gatewayadmin.ErrRejected)
		}
		tokens, err := c.Activate(ctx, again.Token, "admin-password-1")
		if err != nil || tokens.AccessToken == "" || tokens.RefreshToken == "" {
			t.Fatalf("Activate = %+v, %v; want tokens", tokens, err)
		}
		tokens, err = c.Login(ctx, slug, "ops@acme.example", "admin-password-1")
		if err != nil || tokens.AccessToken == "" {
			t.Errorf("Login = %+v, %v; want an access token", tokens, err)
		}
		if _, err := c.Login(ctx, slug, "ops@acme.example", "not-the-password"); !errors.Is(err, gatewayadmin.ErrRejected) {
			t.Errorf("Login with a wrong password: got %v, want %v", err, gatewayadmin.ErrRejected)
		}
		if _, err := c.Reinvite(ctx, created.ID); !errors.Is(err, gatewayadmin.ErrAdminJoined) {
			t.Errorf("Reinvite after joining: got %v, want %v", err, gatewayadmin.ErrAdminJoined)
		}
	})

	errorCases := []struct {
		name string
		call func(*gatewayadmin.Client) error
		want error
	}{
		{"slug taken", func(c *gatewayadmin.Client) error {
			_, _, err := c.Create(ctx, gatewayadmin.NewTenant{Slug: slug, Name: "Again", Tier: "shared", Admin: gatewayadmin.Admin{Email: "a@b.example"}})
			return err
		}, gatewayadmin.ErrSlugTaken},
		{"invalid slug", func(c *gatewayadmin.Client) error {
			_, _, err := c.Create(ctx, gatewayadmin.NewTenant{Slug: "Not A Slug", Name: "X", Tier: "shared", Admin: gatewayadmin.Admin{Email: "a@b.example"}})
			return err
		}, gatewayadmin.ErrRejected},
		{"unknown id", func(c *gatewayadmin.Client) error {
			_, err := c.Get(ctx, "0190d6a0-0000-7000-8000-000000000000")
			return err
		}, gatewayadmin.ErrNotFound},
		{"unknown slug", func(c *gatewayadmin.Client) error {
			_, err := c.FindBySlug(ctx, "no-such-slug")
			return err
		}, gatewayadmin.ErrNotFound},
		{"wrong platform token", func(*gatewayadmin.Client) error {
			_, err := gatewayadmin.New(e.srv.URL, strings.Repeat("x", 40), 5*time.Second).Get(ctx, created.ID)
			return err
		}, gatewayadmin.ErrRejected},
		{"nothing listening", func(*gatewayadmin.Client) error {
			_, err := gatewayadmin.New("http://"+testkit.FreeAddr(t), testPlatformToken, 5*time.Second).Get(ctx, created.ID)
			return err
		}, gatewayadmin.ErrUnreachable},
	}
	for _, tt := range errorCases {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.call(c); !errors.Is(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("delete keeps the slug", func(t *testing.T) {
		if err := c.Delete(ctx, created.ID); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		got, err := c.Get(ctx, created.ID)
		if err != nil || got.Status != gatewayadmin.StatusDeleted {
			t.Errorf("Get after Delete = %+v, %v; want status deleted", got, err)
		}
	})
}

// wantTenant fails t unless got, as the client read it, is the gateway's
// record of that tenant.
func wantTenant(t *testing.T, e *env, got gatewayadmin.Tenant) {
	t.Helper()
	rec, err := e.s.GetTenant(context.Background(), got.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := gatewayadmin.Tenant{ID: rec.ID, Slug: rec.Slug, Name: rec.Name, Domains: rec.Domains, Tier: rec.Tier, Status: rec.Status}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the client read %+v, the gateway has %+v", got, want)
	}
}

// TestGatewayAdminTypes checks every JSON field of the client's wire types
// against the gateway's type for the same body: its name, and its kind.
func TestGatewayAdminTypes(t *testing.T) {
	pairs := []struct {
		client, gateway any
	}{
		{gatewayadmin.NewTenant{}, CreateTenantRequest{}},
		{gatewayadmin.Changes{}, UpdateTenantRequest{}},
		{gatewayadmin.Tenant{}, Tenant{}},
		{gatewayadmin.Invitation{}, Invitation{}},
		{gatewayadmin.Tokens{}, TokenPair{}},
	}
	for _, p := range pairs {
		theirs := jsonFields(reflect.TypeOf(p.gateway), "")
		for name, kind := range jsonFields(reflect.TypeOf(p.client), "") {
			switch got, ok := theirs[name]; {
			case !ok:
				t.Errorf("%T has %s, the gateway's %T has not", p.client, name, p.gateway)
			case got != kind:
				t.Errorf("%T.%s is a %s, the gateway's %T's a %s", p.client, name, kind, p.gateway, got)
			}
		}
	}
}

// jsonFields maps the JSON path of every leaf field of struct type typ to
// its kind, through pointers and into nested structs.
func jsonFields(typ reflect.Type, prefix string) map[string]reflect.Kind {
	out := map[string]reflect.Kind{}
	for f := range typ.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.PkgPath() != "time" {
			for k, v := range jsonFields(ft, prefix+name+".") {
				out[k] = v
			}
			continue
		}
		out[prefix+name] = ft.Kind()
	}
	return out
}
