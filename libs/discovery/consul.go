package discovery

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/consul/api"
)

// Defaults for a Registration that leaves them zero.
const (
	DefaultInterval        = 10 * time.Second
	DefaultDeregisterAfter = time.Minute // Consul's minimum
)

// Registration describes one service instance to register in Consul.
type Registration struct {
	Service         string        // service name, e.g. "contacts"
	ID              string        // unique instance id; default "<service>-<address>-<port>"
	Address         string        // address others dial, e.g. "10.0.0.7"
	Port            int           // port others dial
	Tags            []string      // include the tenant tag (see TenantTag)
	HealthURL       string        // URL Consul polls; any 2xx is passing
	Interval        time.Duration // between health checks; default DefaultInterval
	DeregisterAfter time.Duration // critical this long and Consul removes it; default DefaultDeregisterAfter
}

// Register registers reg with the local Consul agent behind client, with an
// HTTP health check on reg.HealthURL. The instance receives traffic once its
// first check passes. Call the returned function on shutdown to deregister.
func Register(ctx context.Context, client *api.Client, reg Registration) (deregister func(context.Context) error, err error) {
	if err := reg.validate(); err != nil {
		return nil, err
	}
	id := cmp.Or(reg.ID, fmt.Sprintf("%s-%s-%d", reg.Service, reg.Address, reg.Port))
	interval := cmp.Or(reg.Interval, DefaultInterval)
	svc := &api.AgentServiceRegistration{
		ID:      id,
		Name:    reg.Service,
		Address: reg.Address,
		Port:    reg.Port,
		Tags:    reg.Tags,
		Check: &api.AgentServiceCheck{
			CheckID:                        "service:" + id,
			Name:                           reg.Service + " health",
			HTTP:                           reg.HealthURL,
			Method:                         "GET",
			Interval:                       interval.String(),
			Timeout:                        interval.String(),
			DeregisterCriticalServiceAfter: cmp.Or(reg.DeregisterAfter, DefaultDeregisterAfter).String(),
		},
	}
	opts := api.ServiceRegisterOpts{ReplaceExistingChecks: true}.WithContext(ctx)
	if err := client.Agent().ServiceRegisterOpts(svc, opts); err != nil {
		return nil, fmt.Errorf("discovery: register %s (%s): %w", reg.Service, id, err)
	}
	return func(ctx context.Context) error {
		q := (&api.QueryOptions{}).WithContext(ctx)
		if err := client.Agent().ServiceDeregisterOpts(id, q); err != nil {
			return fmt.Errorf("discovery: deregister %s (%s): %w", reg.Service, id, err)
		}
		return nil
	}, nil
}

// validate reports the first missing or malformed field of r.
func (r Registration) validate() error {
	switch {
	case r.Service == "":
		return errors.New("discovery: registration has no service name")
	case r.Address == "":
		return fmt.Errorf("discovery: registration of %s has no address", r.Service)
	case r.Port <= 0 || r.Port > 65535:
		return fmt.Errorf("discovery: registration of %s has port %d, want 1-65535", r.Service, r.Port)
	case r.HealthURL == "":
		return fmt.Errorf("discovery: registration of %s has no health URL", r.Service)
	case r.Interval < 0 || r.DeregisterAfter < 0:
		return fmt.Errorf("discovery: registration of %s has a negative duration", r.Service)
	}
	return nil
}

// Consul resolves instances from the Consul catalog, passing health checks
// only. The first Resolve of a (service, tenant tag) starts a background
// watch on it (a Consul blocking query) that keeps a cache current; later
// calls answer from the cache without a round trip. Watches run until Close.
type Consul struct {
	client *api.Client
	wait   time.Duration // how long one blocking query may wait

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	watches map[watchKey]*watch
}

// watchKey names one watch.
type watchKey struct{ service, tag string }

// watch is the cache one background blocking query keeps current.
type watch struct {
	ready chan struct{} // closed once the first answer (or error) is in

	mu         sync.RWMutex
	instances  []Instance
	registered bool  // Consul holds some registration of the service, whatever its tags and health
	err        error // last error while no answer was ever received
}

// NewConsul returns a resolver reading the catalog through client.
func NewConsul(client *api.Client) *Consul {
	ctx, cancel := context.WithCancel(context.Background())
	return &Consul{
		client:  client,
		wait:    time.Minute,
		ctx:     ctx,
		cancel:  cancel,
		watches: make(map[watchKey]*watch),
	}
}

// Resolve returns the passing instances of service tagged for tenant, in ID
// order; with none, its error is ErrNotDeployed when the catalog holds no
// registration of service at all, else ErrNoInstances. The first call for a
// (service, tenant) waits for the catalog's answer; later ones are served
// from the cache.
func (c *Consul) Resolve(ctx context.Context, service, tenant string) ([]Instance, error) {
	tag := TenantTag(tenant)
	w, err := c.watch(service, tag)
	if err != nil {
		return nil, err
	}
	select {
	case <-w.ready:
	case <-ctx.Done():
		return nil, fmt.Errorf("discovery: resolve %s for %s: %w", service, tag, ctx.Err())
	}
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.err != nil {
		return nil, fmt.Errorf("discovery: resolve %s for %s: %w", service, tag, w.err)
	}
	if len(w.instances) == 0 && !w.registered {
		return nil, ErrNotDeployed.WithDetail("Consul has no registration of service %s", service)
	}
	if len(w.instances) == 0 {
		return nil, ErrNoInstances.WithDetail("no healthy instance of %s for tag %s", service, tag)
	}
	return slices.Clone(w.instances), nil
}

// Close stops every watch and waits for them to end. Resolve fails after it.
func (c *Consul) Close() error {
	c.cancel()
	c.wg.Wait()
	return nil
}

// watch returns the watch of (service, tag), starting it on first use.
func (c *Consul) watch(service, tag string) (*watch, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx.Err() != nil {
		return nil, errors.New("discovery: resolver is closed")
	}
	key := watchKey{service, tag}
	w, ok := c.watches[key]
	if !ok {
		w = &watch{ready: make(chan struct{})}
		c.watches[key] = w
		c.wg.Go(func() { c.run(key, w) })
	}
	return w, nil
}

// run follows the passing instances of key with blocking queries until the
// resolver closes. On errors it keeps the last good answer and retries with
// back-off.
func (c *Consul) run(key watchKey, w *watch) {
	var (
		index   uint64
		backoff time.Duration
		once    sync.Once
	)
	markReady := func() { once.Do(func() { close(w.ready) }) }
	for {
		q := (&api.QueryOptions{WaitIndex: index, WaitTime: c.wait}).WithContext(c.ctx)
		entries, meta, err := c.client.Health().Service(key.service, key.tag, true, q)
		if c.ctx.Err() != nil {
			markReady()
			return
		}
		if err != nil {
			w.mu.Lock()
			if w.instances == nil {
				w.err = err
			}
			w.mu.Unlock()
			markReady()
			backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
			select {
			case <-c.ctx.Done():
				return
			case <-time.After(backoff):
			}
			continue
		}
		backoff = 0
		// Consul's index may go backwards (e.g. after a snapshot restore):
		// start over rather than block on an index that will not come.
		if meta.LastIndex < index {
			index = 0
		} else {
			index = meta.LastIndex
		}
		instances := toInstances(entries)
		registered := len(instances) > 0 || c.registered(key.service)
		w.mu.Lock()
		w.instances, w.registered, w.err = instances, registered, nil
		w.mu.Unlock()
		markReady()
	}
}

// registered reports whether the catalog holds any registration of service,
// whatever its tags and health. It says yes when the catalog cannot tell, so
// that a failing Consul reads as an outage, never as a service not deployed.
func (c *Consul) registered(service string) bool {
	nodes, _, err := c.client.Catalog().Service(service, "", (&api.QueryOptions{}).WithContext(c.ctx))
	return err != nil || len(nodes) > 0
}

// toInstances turns catalog entries into instances sorted by ID, so that
// round-robin order is stable across refreshes.
func toInstances(entries []*api.ServiceEntry) []Instance {
	instances := make([]Instance, 0, len(entries))
	for _, e := range entries {
		host := e.Service.Address
		if host == "" {
			host = e.Node.Address
		}
		instances = append(instances, Instance{
			ID:      e.Service.ID,
			Address: net.JoinHostPort(host, strconv.Itoa(e.Service.Port)),
			Tags:    slices.Clone(e.Service.Tags),
		})
	}
	slices.SortFunc(instances, func(a, b Instance) int { return cmp.Compare(a.ID, b.ID) })
	return instances
}
