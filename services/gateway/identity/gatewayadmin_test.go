package gateway_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/operator/internal/gateway"
	"github.com/rapport-crm/rapport/operator/internal/testenv"
)

func TestClientAgainstTheGateway(t *testing.T) {
	g := testenv.StartGateway(t)
	c := gateway.New(g.URL, g.Token, 5*time.Second)
	ctx := context.Background()
	slug := "gw-" + randomHex(4)

	created, inv, err := c.Create(ctx, gateway.NewTenant{
		Slug: slug, Name: "Acme", Domains: []string{"acme.example.com"}, Tier: "dedicated",
		Admin: gateway.Admin{Email: "ops@acme.example", Name: "Ops"},
	})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if created.Slug != slug || created.Tier != "dedicated" || created.Status != gateway.StatusActive || created.ID == "" {
		t.Errorf("Create = %+v, want an active dedicated tenant %s with an id", created, slug)
	}
	if inv.Token == "" || !strings.Contains(inv.Link, inv.Token) {
		t.Errorf("invitation = %+v, want a token and a link carrying it", inv)
	}

	t.Run("find by slug", func(t *testing.T) {
		got, err := c.FindBySlug(ctx, slug)
		if err != nil || got.ID != created.ID {
			t.Errorf("FindBySlug(%s) = %+v, %v; want id %s", slug, got, err, created.ID)
		}
	})

	t.Run("update", func(t *testing.T) {
		name, domains := "Acme Corp", []string{"acme.example.com", "crm.acme.example"}
		got, err := c.Update(ctx, created.ID, gateway.Changes{Name: &name, Domains: &domains})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
		if got.Name != name || !slices.Equal(got.Domains, domains) {
			t.Errorf("Update = %+v, want name %q and domains %v", got, name, domains)
		}
	})

	t.Run("suspend and resume", func(t *testing.T) {
		got, err := c.Suspend(ctx, created.ID)
		if err != nil || got.Status != gateway.StatusSuspended {
			t.Fatalf("Suspend = %+v, %v; want suspended", got, err)
		}
		got, err = c.Resume(ctx, created.ID)
		if err != nil || got.Status != gateway.StatusActive {
			t.Fatalf("Resume = %+v, %v; want active", got, err)
		}
	})

	errorCases := []struct {
		name string
		call func(*gateway.Client) error
		want error
	}{
		{"slug taken", func(c *gateway.Client) error {
			_, _, err := c.Create(ctx, gateway.NewTenant{Slug: slug, Name: "Again", Tier: "shared", Admin: gateway.Admin{Email: "a@b.example"}})
			return err
		}, gateway.ErrSlugTaken},
		{"invalid slug", func(c *gateway.Client) error {
			_, _, err := c.Create(ctx, gateway.NewTenant{Slug: "Not A Slug", Name: "X", Tier: "shared", Admin: gateway.Admin{Email: "a@b.example"}})
			return err
		}, gateway.ErrRejected},
		{"unknown id", func(c *gateway.Client) error {
			_, err := c.Get(ctx, "0190d6a0-0000-7000-8000-000000000000")
			return err
		}, gateway.ErrNotFound},
		{"unknown slug", func(c *gateway.Client) error {
			_, err := c.FindBySlug(ctx, "no-such-"+randomHex(4))
			return err
		}, gateway.ErrNotFound},
	}
	for _, tt := range errorCases {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.call(c); !errors.Is(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("wrong platform token", func(t *testing.T) {
		_, err := gateway.New(g.URL, strings.Repeat("x", 40), 5*time.Second).Get(ctx, created.ID)
		if !errors.Is(err, gateway.ErrRejected) {
			t.Errorf("got %v, want %v", err, gateway.ErrRejected)
		}
	})

	t.Run("nothing listening", func(t *testing.T) {
		_, err := gateway.New("http://"+testkit.FreeAddr(t), g.Token, 5*time.Second).Get(ctx, created.ID)
		if !errors.Is(err, gateway.ErrUnreachable) {
			t.Errorf("got %v, want %v", err, gateway.ErrUnreachable)
		}
	})

	t.Run("delete keeps the slug", func(t *testing.T) {
		if err := c.Delete(ctx, created.ID); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		got, err := c.Get(ctx, created.ID)
		if err != nil || got.Status != gateway.StatusDeleted {
			t.Errorf("Get after Delete = %+v, %v; want status deleted", got, err)
		}
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
