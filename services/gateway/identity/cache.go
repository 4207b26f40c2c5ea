package identity

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pg"
)

// tenantCache remembers tenant statuses for a short time, so that verifying
// a token costs no query while a suspension still takes effect within ttl on
// every replica (at once on the replica that suspended).
type tenantCache struct {
	db  *sqlx.DB
	ttl time.Duration

	mu      sync.Mutex
	entries map[string]tenantEntry
}

type tenantEntry struct {
	status   string
	slug     string
	tier     string
	readOnly bool
	expires  time.Time
}

func newTenantCache(db *sqlx.DB, ttl time.Duration) *tenantCache {
	return &tenantCache{db: db, ttl: ttl, entries: map[string]tenantEntry{}}
}

// active returns nil if the tenant exists and is active, else
// ErrTenantInactive.
func (c *tenantCache) active(ctx context.Context, id string) error {
	e, err := c.get(ctx, id)
	if err != nil {
		return err
	}
	if e.status != TenantActive {
		return ErrTenantInactive
	}
	return nil
}

// get returns the cached entry of tenant id, reading it when stale. An
// unknown tenant is cached as deleted.
func (c *tenantCache) get(ctx context.Context, id string) (tenantEntry, error) {
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if !ok || time.Now().After(e.expires) {
		t, err := tenantByID(ctx, c.db, id)
		switch {
		case err == nil:
			e = tenantEntry{status: t.Status, slug: t.Slug, tier: t.Tier, readOnly: t.ReadOnly, expires: time.Now().Add(c.ttl)}
		case isErr(err, ErrTenantNotFound):
			e = tenantEntry{status: TenantDeleted, expires: time.Now().Add(c.ttl)}
		default:
			return tenantEntry{}, err
		}
		c.mu.Lock()
		c.entries[id] = e
		c.mu.Unlock()
	}
	return e, nil
}

// forget drops a tenant so its next use reads the database.
func (c *tenantCache) forget(id string) {
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}

// apiKeyCache remembers the principal of a verified API key (by the hash of
// the whole key) for a short time.
type apiKeyCache struct {
	ttl time.Duration

	mu      sync.Mutex
	entries map[string]apiKeyEntry
}

type apiKeyEntry struct {
	keyID   string
	p       auth.Principal
	expires time.Time
}

func newAPIKeyCache(ttl time.Duration) *apiKeyCache {
	return &apiKeyCache{ttl: ttl, entries: map[string]apiKeyEntry{}}
}

func (c *apiKeyCache) get(hash string) (apiKeyEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok || time.Now().After(e.expires) {
		delete(c.entries, hash)
		return apiKeyEntry{}, false
	}
	return e, true
}

func (c *apiKeyCache) put(hash, keyID string, p auth.Principal, expiresAt *time.Time) {
	exp := time.Now().Add(c.ttl)
	if expiresAt != nil && expiresAt.Before(exp) {
		exp = *expiresAt
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) > 10000 {
		c.entries = map[string]apiKeyEntry{}
	}
	c.entries[hash] = apiKeyEntry{keyID: keyID, p: p, expires: exp}
}

// forget drops every cached principal of key keyID (on revocation).
func (c *apiKeyCache) forget(keyID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.entries {
		if e.keyID == keyID {
			delete(c.entries, h)
		}
	}
}

// lastUsed batches API-key last-use times in memory and writes them
// periodically, so authenticating with a key never writes to the database.
type lastUsed struct {
	db     *sqlx.DB
	logger *slog.Logger

	mu      sync.Mutex
	pending map[string]map[string]time.Time // tenant → key → time
}

func newLastUsed(db *sqlx.DB, logger *slog.Logger) *lastUsed {
	return &lastUsed{db: db, logger: logger, pending: map[string]map[string]time.Time{}}
}

func (l *lastUsed) mark(tenantID, keyID string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.pending[tenantID]
	if m == nil {
		m = map[string]time.Time{}
		l.pending[tenantID] = m
	}
	m[keyID] = at
}

// flush writes every pending time, one transaction per tenant.
func (l *lastUsed) flush(ctx context.Context) error {
	l.mu.Lock()
	pending := l.pending
	l.pending = map[string]map[string]time.Time{}
	l.mu.Unlock()
	var first error
	for tenantID, used := range pending {
		err := pg.WithTenantTx(ctx, l.db, tenantID, func(tx *sqlx.Tx) error {
			return touchAPIKeys(ctx, tx, used)
		})
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (l *lastUsed) run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := l.flush(context.WithoutCancel(ctx)); err != nil {
				l.logger.Warn("flush API key last use", "error", err.Error())
			}
			return
		case <-t.C:
			if err := l.flush(ctx); err != nil {
				l.logger.Warn("flush API key last use", "error", err.Error())
			}
		}
	}
}

// forgetUser drops every cached principal of user userID.
func (c *apiKeyCache) forgetUser(userID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.entries {
		if e.p.UserID == userID {
			delete(c.entries, h)
		}
	}
}
