package auth

import (
	"context"
	"errors"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
)

func TestCan(t *testing.T) {
	tests := []struct {
		name       string
		granted    []string
		permission string
		want       bool
	}{
		{"exact", []string{"contacts:read"}, "contacts:read", true},
		{"other action", []string{"contacts:read"}, "contacts:write", false},
		{"module wildcard", []string{"contacts:*"}, "contacts:write", true},
		{"module wildcard, nested action", []string{"contacts:*"}, "contacts:export:csv", true},
		{"module wildcard, other module", []string{"contacts:*"}, "sales:read", false},
		{"module wildcard, prefix module", []string{"contacts:*"}, "contactsx:read", false},
		{"global wildcard", []string{"*"}, "support:delete", true},
		{"no grants", nil, "contacts:read", false},
		{"empty permission", []string{"*"}, "", false},
		{"asked wildcard, exact grant", []string{"contacts:read"}, "contacts:*", false},
		{"asked wildcard, wildcard grant", []string{"contacts:*"}, "contacts:*", true},
		{"bare module is not a wildcard", []string{"contacts"}, "contacts:read", false},
		{"star suffix without colon", []string{"contacts*"}, "contacts:read", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Principal{Permissions: tt.granted}
			if got := p.Can(tt.permission); got != tt.want {
				t.Errorf("Can(%q) with %v got %v, want %v", tt.permission, tt.granted, got, tt.want)
			}
		})
	}
}

func TestScopeFor(t *testing.T) {
	tests := []struct {
		name   string
		scopes map[string]Scope
		module string
		want   Scope
	}{
		{"no scopes", nil, "contacts", ScopeOwn},
		{"listed", map[string]Scope{"contacts": ScopeTeam}, "contacts", ScopeTeam},
		{"other module listed", map[string]Scope{"sales": ScopeAll}, "contacts", ScopeOwn},
		{"star default", map[string]Scope{"*": ScopeAll}, "contacts", ScopeAll},
		{"listed beats star", map[string]Scope{"*": ScopeAll, "contacts": ScopeOwn}, "contacts", ScopeOwn},
		{"unknown value", map[string]Scope{"contacts": "everything"}, "contacts", ScopeOwn},
		{"unknown value falls to star", map[string]Scope{"contacts": "", "*": ScopeTeam}, "contacts", ScopeTeam},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Principal{RecordScope: tt.scopes}
			if got := p.ScopeFor(tt.module); got != tt.want {
				t.Errorf("ScopeFor(%q) got %q, want %q", tt.module, got, tt.want)
			}
		})
	}
}

func TestRequire(t *testing.T) {
	tests := []struct {
		name     string
		ctx      context.Context
		wantErr  error
		wantKind errs.Kind
	}{
		{"no principal", context.Background(), ErrUnauthenticated, errs.Unauthenticated},
		{"lacks permission", WithPrincipal(context.Background(), Principal{Permissions: []string{"sales:read"}}), ErrForbidden, errs.Forbidden},
		{"has permission", WithPrincipal(context.Background(), Principal{Permissions: []string{"contacts:*"}}), nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Require(tt.ctx, "contacts:write")
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("err got %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || errs.KindOf(err) != tt.wantKind {
				t.Errorf("err got %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestPrincipalFrom(t *testing.T) {
	if _, ok := PrincipalFrom(context.Background()); ok {
		t.Errorf("empty context got a principal, want none")
	}
	got, ok := PrincipalFrom(WithPrincipal(context.Background(), Principal{UserID: "u"}))
	if !ok || got.UserID != "u" {
		t.Errorf("got (%+v, %v), want user u", got, ok)
	}
}

func TestCaller(t *testing.T) {
	if _, err := Caller(context.Background()); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("empty context: %v, want ErrUnauthenticated", err)
	}
	got, err := Caller(WithPrincipal(context.Background(), Principal{UserID: "u"}))
	if err != nil || got.UserID != "u" {
		t.Errorf("got (%+v, %v), want user u", got, err)
	}
}
