package identity

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/services/gateway/internal/lru"
)

// portalCacheSize and portalCacheTTL bound the cache of the tenants the
// public portal names: a flood of requests to one portal, or to portals
// that do not exist, costs no query each, and a suspension still takes
// effect within the TTL.
const (
	portalCacheSize = 10_000
	portalCacheTTL  = 5 * time.Second
)

// portalTenants caches the answers of PortalTenant by "slug:<slug>" or
// "domain:<domain>": the tenant's id, "" for none (or not active).
type portalTenants = lru.Cache[string, string]

// PortalTenant returns the id of the active tenant whose self-service
// portal a public request names: by its slug, or by one of its domains
// when slug is "". A tenant that does not exist, is suspended or deleted
// is ErrTenantNotFound, whichever it is.
func (s *Service) PortalTenant(ctx context.Context, slug, domain string) (string, error) {
	key := "slug:" + slug
	if slug == "" {
		key = "domain:" + normaliseDomain(domain)
	}
	now := time.Now()
	if id, ok := s.portals.Get(key, now); ok {
		if id == "" {
			return "", ErrTenantNotFound
		}
		return id, nil
	}
	var t Tenant
	var err error
	switch {
	case slug != "":
		t, err = tenantBySlug(ctx, s.db, slug)
	case domain != "":
		t, err = tenantByDomain(ctx, s.db, domain)
	default:
		err = ErrTenantNotFound
	}
	if err != nil && !isErr(err, ErrTenantNotFound) {
		return "", err
	}
	id := ""
	if err == nil && t.Status == TenantActive {
		id = t.ID
	}
	s.portals.Put(key, id, now.Add(portalCacheTTL))
	if id == "" {
		return "", ErrTenantNotFound
	}
	return id, nil
}

// newPortalTenants returns an empty cache of the portal's tenants.
func newPortalTenants() *portalTenants { return lru.New[string, string](portalCacheSize) }
