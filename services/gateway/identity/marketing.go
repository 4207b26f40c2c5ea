package identity

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/ids"
)

// MarketingTenant returns the id of the active tenant whose public
// marketing pages (tracking links, unsubscribes, the preference page, web
// forms: proxy.Marketing) a request names by ref, the tenant's slug or its
// id; a slug is never a UUID (CreateTenant refuses one), so the two cannot
// be mistaken. A tenant that does not exist, is suspended or deleted is
// ErrTenantNotFound, whichever it is; answers are cached as the portal's
// (PortalTenant).
func (s *Service) MarketingTenant(ctx context.Context, ref string) (string, error) {
	byID := ids.Valid(ref)
	key := "slug:" + ref
	if byID {
		key = "id:" + ref
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
	case byID:
		t, err = tenantByID(ctx, s.db, ref)
	case ref != "":
		t, err = tenantBySlug(ctx, s.db, ref)
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
