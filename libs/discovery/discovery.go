// Package discovery registers services in Consul and finds them again by
// service name and tenant.
//
// Every instance carries a tenant tag: "shared" for the multi-tenant
// deployment, "tenant-<slug>" for a dedicated tenant's own deployment.
// Callers ask a Resolver for (service, tenant) and get only the healthy
// instances serving that tenant. Consul is the resolver of the platform;
// Static stands in for it on one machine (`make run`) from an environment
// string.
package discovery

import (
	"context"
	"sync"

	"github.com/rapport-crm/rapport/libs/errs"
)

// SharedTag tags instances of the shared, multi-tenant deployment.
const SharedTag = "shared"

// tenantTagPrefix prefixes the slug in a dedicated tenant's tag.
const tenantTagPrefix = "tenant-"

// ErrNoInstances means no healthy instance serves the service for the tenant.
var ErrNoInstances = errs.New(errs.Unavailable, "no-instances", "no healthy instance of the service")

// ErrNotDeployed means the service is not deployed at all: the static table
// does not list it, or Consul has no registration of it, healthy or not. It
// is not an outage but a service this installation does not run.
var ErrNotDeployed = errs.New(errs.NotFound, "service-not-deployed", "the service is not deployed")

// Instance is one running instance of a service.
type Instance struct {
	ID      string   // unique id the instance registered with
	Address string   // "host:port" to dial
	Tags    []string // tags it registered with, including the tenant tag
}

// Resolver finds the healthy instances of a service for a tenant.
type Resolver interface {
	// Resolve returns the instances of service serving tenant (see
	// TenantTag). It returns an error matching ErrNotDeployed when the
	// service is not deployed at all, else one matching ErrNoInstances when
	// no healthy instance serves the tenant.
	Resolve(ctx context.Context, service, tenant string) ([]Instance, error)
}

// TenantTag returns the tag of the instances serving tenant: SharedTag for
// "" or "shared", otherwise "tenant-<tenant>".
func TenantTag(tenant string) string {
	if tenant == "" || tenant == SharedTag {
		return SharedTag
	}
	return tenantTagPrefix + tenant
}

// RoundRobin spreads calls over the instances a Resolver returns, taking
// them in turn for each (service, tenant). It is safe for concurrent use.
type RoundRobin struct {
	resolver Resolver

	mu   sync.Mutex
	next map[string]uint64
}

// NewRoundRobin returns a RoundRobin picking from r's instances.
func NewRoundRobin(r Resolver) *RoundRobin {
	return &RoundRobin{resolver: r, next: make(map[string]uint64)}
}

// Next returns the instances of service for tenant in the order to try
// them: the one whose turn it is, then those after it, wrapping around; n
// of them, or every instance when there are more (so that a caller skipping
// some still has them all). Each call moves the turn on by one. An error of
// the resolver comes back as it is; no instance at all is ErrNoInstances.
func (rr *RoundRobin) Next(ctx context.Context, service, tenant string, n int) ([]Instance, error) {
	instances, err := rr.resolver.Resolve(ctx, service, tenant)
	if err != nil {
		return nil, err
	}
	if len(instances) == 0 {
		return nil, ErrNoInstances.WithDetail("no healthy instance of %s for tag %s", service, TenantTag(tenant))
	}
	key := service + "\x00" + TenantTag(tenant)
	rr.mu.Lock()
	start := rr.next[key]
	rr.next[key] = start + 1
	rr.mu.Unlock()
	out := make([]Instance, max(n, len(instances)))
	for i := range out {
		out[i] = instances[(start+uint64(i))%uint64(len(instances))]
	}
	return out, nil
}
