package discovery_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/rapport-crm/rapport/libs/discovery"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// settle bounds how long Consul may take to reflect a change: a 1s check
// interval plus the blocking query returning.
const settle = 15 * time.Second

func TestConsulResolveByTenant(t *testing.T) {
	ctx := t.Context()
	client := consulClient(t)
	acme, shared := newHealthServer(t), newHealthServer(t)

	deregisterAcme := register(t, client, discovery.Registration{
		Service: "contacts", ID: "contacts-acme",
		Address: "127.0.0.1", Port: acme.port,
		Tags:      []string{discovery.TenantTag("acme")},
		HealthURL: acme.url, Interval: time.Second,
	})
	register(t, client, discovery.Registration{
		Service: "contacts", ID: "contacts-shared",
		Address: "127.0.0.1", Port: shared.port,
		Tags:      []string{discovery.TenantTag("")},
		HealthURL: shared.url, Interval: time.Second,
	})

	r := discovery.NewConsul(client)
	t.Cleanup(func() { r.Close() })

	waitResolve(t, r, "contacts", "acme", "contacts-acme")
	waitResolve(t, r, "contacts", "shared", "contacts-shared")
	waitResolve(t, r, "contacts", "", "contacts-shared")
	waitResolve(t, r, "contacts", "globex")

	got, err := r.Resolve(ctx, "contacts", "acme")
	if err != nil {
		t.Fatalf("Resolve(contacts, acme): %v", err)
	}
	want := discovery.Instance{
		ID:      "contacts-acme",
		Address: net.JoinHostPort("127.0.0.1", strconv.Itoa(acme.port)),
		Tags:    []string{"tenant-acme"},
	}
	if len(got) != 1 || got[0].ID != want.ID || got[0].Address != want.Address || !slices.Equal(got[0].Tags, want.Tags) {
		t.Errorf("Resolve(contacts, acme) = %+v, want [%+v]", got, want)
	}

	acme.healthy.Store(false)
	waitResolve(t, r, "contacts", "acme")
	waitResolve(t, r, "contacts", "shared", "contacts-shared")

	acme.healthy.Store(true)
	waitResolve(t, r, "contacts", "acme", "contacts-acme")

	if err := deregisterAcme(ctx); err != nil {
		t.Fatalf("deregister: %v", err)
	}
	waitResolve(t, r, "contacts", "acme")
	waitResolve(t, r, "contacts", "shared", "contacts-shared")
}

// TestConsulResolveNotDeployed tells a service Consul has never seen (not
// deployed) from one registered but failing its checks (an outage).
func TestConsulResolveNotDeployed(t *testing.T) {
	client := consulClient(t)
	r := discovery.NewConsul(client)
	t.Cleanup(func() { r.Close() })
	waitResolveError(t, r, "sales", "", discovery.ErrNotDeployed)

	down := newHealthServer(t)
	down.healthy.Store(false)
	deregister := register(t, client, discovery.Registration{
		Service: "sales", ID: "sales-down",
		Address: "127.0.0.1", Port: down.port,
		Tags: []string{discovery.SharedTag}, HealthURL: down.url, Interval: time.Second,
	})
	waitResolveError(t, r, "sales", "", discovery.ErrNoInstances)
	// Registered for other tenants only: still deployed, not for this one.
	waitResolveError(t, r, "sales", "globex", discovery.ErrNoInstances)

	if err := deregister(t.Context()); err != nil {
		t.Fatalf("deregister: %v", err)
	}
	waitResolveError(t, r, "sales", "", discovery.ErrNotDeployed)
}

func TestConsulResolveAfterClose(t *testing.T) {
	r := discovery.NewConsul(consulClient(t))
	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := r.Resolve(t.Context(), "contacts", ""); err == nil {
		t.Errorf("Resolve after Close: got no error, want one")
	}
}

func TestRegisterInvalid(t *testing.T) {
	valid := discovery.Registration{
		Service: "contacts", Address: "127.0.0.1", Port: 8081,
		HealthURL: "http://127.0.0.1:8081/healthz",
	}
	tests := []struct {
		name   string
		modify func(*discovery.Registration)
	}{
		{"no service", func(r *discovery.Registration) { r.Service = "" }},
		{"no address", func(r *discovery.Registration) { r.Address = "" }},
		{"zero port", func(r *discovery.Registration) { r.Port = 0 }},
		{"port too big", func(r *discovery.Registration) { r.Port = 70000 }},
		{"no health URL", func(r *discovery.Registration) { r.HealthURL = "" }},
		{"negative interval", func(r *discovery.Registration) { r.Interval = -time.Second }},
	}
	// Validation happens before any request: no agent listens here.
	client, err := api.NewClient(&api.Config{Address: "127.0.0.1:1"})
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := valid
			tt.modify(&reg)
			dereg, err := discovery.Register(t.Context(), client, reg)
			if err == nil || dereg != nil {
				t.Errorf("Register(%+v) = (deregister set: %v, %v), want an error", reg, dereg != nil, err)
			}
		})
	}
}

// consulClient starts a Consul agent for the test and returns a client of it.
func consulClient(t *testing.T) *api.Client {
	t.Helper()
	client, err := api.NewClient(&api.Config{Address: testkit.Consul(t)})
	if err != nil {
		t.Fatalf("new consul client: %v", err)
	}
	return client
}

// healthServer is an HTTP health endpoint a test can make fail.
type healthServer struct {
	url     string
	port    int
	healthy atomic.Bool
}

// newHealthServer serves a health endpoint answering 200 until told
// otherwise, then 500.
func newHealthServer(t *testing.T) *healthServer {
	t.Helper()
	h := &healthServer{}
	h.healthy.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !h.healthy.Load() {
			http.Error(w, "unhealthy", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	h.url = srv.URL + "/healthz"
	h.port = srv.Listener.Addr().(*net.TCPAddr).Port
	return h
}

// register registers reg and deregisters it when the test ends.
func register(t *testing.T, client *api.Client, reg discovery.Registration) func(context.Context) error {
	t.Helper()
	deregister, err := discovery.Register(t.Context(), client, reg)
	if err != nil {
		t.Fatalf("Register(%s): %v", reg.ID, err)
	}
	t.Cleanup(func() { _ = deregister(context.Background()) })
	return deregister
}

// waitResolve polls r until Resolve(service, tenant) returns exactly the
// instances wantIDs (none: an ErrNoInstances error), failing after settle.
func waitResolve(t *testing.T, r discovery.Resolver, service, tenant string, wantIDs ...string) {
	t.Helper()
	testkit.Eventually(t, settle, fmt.Sprintf("Resolve(%q, %q) = %v", service, tenant, wantIDs), func() (bool, string) {
		gotIDs, err := resolveIDs(t.Context(), r, service, tenant)
		// Another failure than no instances is transient: keep polling.
		ok := (err == nil || errors.Is(err, discovery.ErrNoInstances)) && slices.Equal(gotIDs, wantIDs)
		return ok, fmt.Sprintf("%v, %v", gotIDs, err)
	})
}

// waitResolveError polls r until Resolve(service, tenant) fails with an
// error matching want (and not the other of ErrNotDeployed and
// ErrNoInstances), failing after settle.
func waitResolveError(t *testing.T, r discovery.Resolver, service, tenant string, want error) {
	t.Helper()
	testkit.Eventually(t, settle, fmt.Sprintf("Resolve(%q, %q) error %v", service, tenant, want), func() (bool, string) {
		_, err := r.Resolve(t.Context(), service, tenant)
		return errors.Is(err, want), fmt.Sprint(err)
	})
}

// resolveIDs returns the IDs of the instances r resolves.
func resolveIDs(ctx context.Context, r discovery.Resolver, service, tenant string) ([]string, error) {
	instances, err := r.Resolve(ctx, service, tenant)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(instances))
	for _, in := range instances {
		ids = append(ids, in.ID)
	}
	return ids, nil
}
