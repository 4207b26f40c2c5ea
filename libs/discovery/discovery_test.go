package discovery_test

import (
	"context"
	"errors"
	"testing"

	"github.com/rapport-crm/rapport/libs/discovery"
)

func TestDiscoveryTenantTag(t *testing.T) {
	tests := []struct {
		tenant string
		want   string
	}{
		{tenant: "", want: "shared"},
		{tenant: "shared", want: "shared"},
		{tenant: "acme", want: "tenant-acme"},
	}
	for _, tt := range tests {
		t.Run(tt.tenant, func(t *testing.T) {
			if got := discovery.TenantTag(tt.tenant); got != tt.want {
				t.Errorf("TenantTag(%q) = %q, want %q", tt.tenant, got, tt.want)
			}
		})
	}
}

// resolverFunc adapts a function to discovery.Resolver.
type resolverFunc func(ctx context.Context, service, tenant string) ([]discovery.Instance, error)

func (f resolverFunc) Resolve(ctx context.Context, service, tenant string) ([]discovery.Instance, error) {
	return f(ctx, service, tenant)
}

func TestDiscoveryRoundRobinPick(t *testing.T) {
	r := resolverFunc(func(_ context.Context, service, tenant string) ([]discovery.Instance, error) {
		switch {
		case service == "contacts" && tenant == "acme":
			return []discovery.Instance{{ID: "a"}, {ID: "b"}, {ID: "c"}}, nil
		case service == "sales":
			return []discovery.Instance{{ID: "s"}}, nil
		case service == "empty":
			return nil, nil
		}
		return nil, discovery.ErrNoInstances
	})
	rr := discovery.NewRoundRobin(r)

	tests := []struct {
		name            string
		service, tenant string
		want            []string // IDs of successive picks
	}{
		{name: "cycles", service: "contacts", tenant: "acme", want: []string{"a", "b", "c", "a", "b"}},
		{name: "one instance", service: "sales", tenant: "acme", want: []string{"s", "s"}},
		{name: "own counter per service", service: "contacts", tenant: "acme", want: []string{"c", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, want := range tt.want {
				got, err := rr.Pick(t.Context(), tt.service, tt.tenant)
				if err != nil {
					t.Fatalf("pick %d: %v", i, err)
				}
				if got.ID != want {
					t.Errorf("pick %d = %q, want %q", i, got.ID, want)
				}
			}
		})
	}

	for _, service := range []string{"empty", "unknown"} {
		t.Run("no instances/"+service, func(t *testing.T) {
			if _, err := rr.Pick(t.Context(), service, ""); !errors.Is(err, discovery.ErrNoInstances) {
				t.Errorf("Pick(%s) error = %v, want ErrNoInstances", service, err)
			}
		})
	}
}
