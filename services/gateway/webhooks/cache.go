package webhooks

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/filter"
	"github.com/rapport-crm/rapport/services/gateway/catalogue"
)

// DefaultCacheTTL is how long the fan-out trusts a tenant's active
// subscriptions it read: a change made through another replica shows after
// it at the latest (this replica's changes show at once).
const DefaultCacheTTL = 5 * time.Second

// active is an active subscription as the fan-out matches events with it.
type active struct {
	id     string
	types  []string
	filter *filter.Node
	schema filter.Schema
}

// Cache holds each tenant's active subscriptions for a short while, so the
// fan-out reads them once per tenant and TTL rather than once per event.
// It is safe for concurrent use.
type Cache struct {
	ttl time.Duration
	cat *catalogue.Catalogue

	mu sync.Mutex
	m  map[string]cached
}

// cached is a tenant's active subscriptions and when they were read.
type cached struct {
	at   time.Time
	subs []active
}

// NewCache returns a Cache keeping a tenant's subscriptions for ttl
// (DefaultCacheTTL when 0), their filters' fields from cat.
func NewCache(cat *catalogue.Catalogue, ttl time.Duration) *Cache {
	if ttl <= 0 {
		ttl = DefaultCacheTTL
	}
	return &Cache{ttl: ttl, cat: cat, m: map[string]cached{}}
}

// Forget drops tenant's subscriptions: the next fan-out reads them anew.
func (c *Cache) Forget(tenant string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, tenant)
}

// subscriptions returns tenant's active subscriptions, read in tx (a
// transaction of tenant's) unless cached.
func (c *Cache) subscriptions(ctx context.Context, tx *sqlx.Tx, tenant string) ([]active, error) {
	c.mu.Lock()
	e, ok := c.m[tenant]
	c.mu.Unlock()
	if ok && time.Since(e.at) < c.ttl {
		return e.subs, nil
	}
	var rows []subscriptionRow
	if err := tx.SelectContext(ctx, &rows, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions
		WHERE status = $1 ORDER BY id`, StatusActive); err != nil {
		return nil, fmt.Errorf("webhooks: read active subscriptions: %w", err)
	}
	subs := make([]active, 0, len(rows))
	for _, r := range rows {
		s, err := r.subscription()
		if err != nil {
			return nil, err
		}
		subs = append(subs, active{id: s.ID, types: s.EventTypes, filter: s.Filter, schema: filterSchema(c.cat, s.EventTypes)})
	}
	c.mu.Lock()
	c.m[tenant] = cached{at: time.Now(), subs: subs}
	c.mu.Unlock()
	return subs, nil
}
