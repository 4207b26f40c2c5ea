package discovery_test

import (
	"context"
	"errors"
	"strings"
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

func TestDiscoveryRoundRobinNext(t *testing.T) {
	r := resolverFunc(func(_ context.Context, service, tenant string) ([]discovery.Instance, error) {
		switch {
		case service == "contacts" && tenant == "acme":
			return []discovery.Instance{{ID: "a"}, {ID: "b"}, {ID: "c"}}, nil
		case service == "sales":
			return []discovery.Instance{{ID: "s"}}, nil
		case service == "empty":
			return nil, nil
		case service == "absent":
			return nil, discovery.ErrNotDeployed
		}
		return nil, discovery.ErrNoInstances
	})
	rr := discovery.NewRoundRobin(r)

	tests := []struct {
		name            string
		service, tenant string
		n               int
		want            []string // IDs of successive calls, "+" between the instances of one
	}{
		{name: "cycles", service: "contacts", tenant: "acme", n: 1, want: []string{"a+b+c", "b+c+a", "c+a+b", "a+b+c", "b+c+a"}},
		{name: "one instance", service: "sales", tenant: "acme", n: 1, want: []string{"s", "s"}},
		{name: "own counter per service", service: "contacts", tenant: "acme", n: 1, want: []string{"c+a+b", "a+b+c"}},
		{name: "n wraps around", service: "contacts", tenant: "acme", n: 4, want: []string{"b+c+a+b", "c+a+b+c"}},
		{name: "at least every instance", service: "contacts", tenant: "acme", n: 2, want: []string{"a+b+c"}},
		{name: "retries of one instance", service: "sales", tenant: "acme", n: 3, want: []string{"s+s+s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, want := range tt.want {
				got, err := rr.Next(t.Context(), tt.service, tt.tenant, tt.n)
				if err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
				ids := make([]string, len(got))
				for j, in := range got {
					ids[j] = in.ID
				}
				if s := strings.Join(ids, "+"); s != want {
					t.Errorf("call %d = %s, want %s", i, s, want)
				}
			}
		})
	}

	for service, want := range map[string]error{"empty": discovery.ErrNoInstances, "unknown": discovery.ErrNoInstances, "absent": discovery.ErrNotDeployed} {
		t.Run("no instances/"+service, func(t *testing.T) {
			if _, err := rr.Next(t.Context(), service, "", 1); !errors.Is(err, want) {
				t.Errorf("Next(%s) error = %v, want %v", service, err, want)
			}
		})
	}
}
