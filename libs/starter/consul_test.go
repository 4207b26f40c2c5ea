package starter

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/rapport-crm/rapport/libs/discovery"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestRegisterInConsul registers an instance as an operator-deployed
// dedicated tenant's would, with a real Consul agent, and resolves it as the
// gateway does: found for its tenant once /readyz passes, never for another
// tenant or the shared tier, and gone after deregistering.
func TestRegisterInConsul(t *testing.T) {
	agent := testkit.Consul(t)
	ready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(ready.Close)
	host, port, err := net.SplitHostPort(ready.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Name: "contacts", ConsulAddr: agent, ServiceAddress: host, ConsulTags: []string{discovery.TenantTag("acme")}}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	deregister, err := register(ctx, cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	client, err := api.NewClient(&api.Config{Address: agent})
	if err != nil {
		t.Fatal(err)
	}
	resolver := discovery.NewConsul(client)
	t.Cleanup(func() { _ = resolver.Close() })
	want := net.JoinHostPort(host, port)
	resolve := func(tenant string) []string {
		got, _ := resolver.Resolve(ctx, "contacts", tenant)
		var addrs []string
		for _, in := range got {
			addrs = append(addrs, in.Address)
		}
		return addrs
	}
	testkit.Eventually(t, time.Minute, "tenant acme resolves to "+want, func() (bool, string) {
		got := resolve("acme")
		return slices.Contains(got, want), fmt.Sprint(got)
	})
	if got := resolve("acme"); !slices.Equal(got, []string{want}) {
		t.Fatalf("tenant acme resolves to %v, want [%s]", got, want)
	}
	for _, other := range []string{"globex", ""} {
		if got := resolve(other); len(got) != 0 {
			t.Errorf("tenant %q resolves to %v, want nothing", other, got)
		}
	}
	if err := deregister(ctx); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, time.Minute, "tenant acme resolves to nothing after deregistering", func() (bool, string) {
		got := resolve("acme")
		return len(got) == 0, fmt.Sprint(got)
	})
	if got := resolve("acme"); len(got) != 0 {
		t.Errorf("after deregistering acme resolves to %v", got)
	}
}

// TestRegisterWithoutConsul is a no-op: the local stack routes statically.
func TestRegisterWithoutConsul(t *testing.T) {
	deregister, err := register(t.Context(), Config{Name: "contacts"}, 8080)
	if err != nil {
		t.Fatal(err)
	}
	if err := deregister(t.Context()); err != nil {
		t.Fatal(err)
	}
}
