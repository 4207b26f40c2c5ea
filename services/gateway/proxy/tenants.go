package proxy

import (
	"context"
	"sync"
	"time"
)

// cachedTenant is one remembered TenantDirectory answer.
type cachedTenant struct {
	slug      string
	dedicated bool
	until     time.Time
}

// tenantCache is the TenantDirectory CachedTenants returns.
type tenantCache struct {
	dir TenantDirectory
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]cachedTenant
}

// CachedTenants wraps dir so that each tenant's answer is remembered for
// ttl, sparing the identity store a query per proxied request. Errors are
// not remembered. A tenant moved between tiers is routed anew within ttl.
func CachedTenants(dir TenantDirectory, ttl time.Duration) TenantDirectory {
	return &tenantCache{dir: dir, ttl: ttl, now: time.Now, entries: make(map[string]cachedTenant)}
}

// Tenant implements TenantDirectory.
func (c *tenantCache) Tenant(ctx context.Context, id string) (string, bool, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.slug, e.dedicated, nil
	}
	slug, dedicated, err := c.dir.Tenant(ctx, id)
	if err != nil {
		return "", false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) > 10000 { // forget expired tenants now and then
		for k, v := range c.entries {
			if !now.Before(v.until) {
				delete(c.entries, k)
			}
		}
	}
	c.entries[id] = cachedTenant{slug: slug, dedicated: dedicated, until: now.Add(c.ttl)}
	return slug, dedicated, nil
}
