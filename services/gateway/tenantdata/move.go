package tenantdata

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/tenantdata"
	"github.com/rapport-crm/rapport/services/gateway/identity"
)

// ErrAlreadyDedicated refuses to move a tenant that is on the dedicated
// tier already.
var ErrAlreadyDedicated = errs.New(errs.Conflict, "tenant-already-dedicated", "the tenant is on the dedicated tier already")

// settle is what the move waits, beyond the tenant cache's lifetime, for
// the changes other replicas accepted before they saw the window to end.
const settle = time.Second

// MoveResult is the answer of a move.
type MoveResult struct {
	Tenant identity.Tenant `json:"tenant"`
	Moved  []string        `json:"moved"`  // services whose rows went to the dedicated deployment
	Stayed []string        `json:"stayed"` // services the tenant keeps using on the shared deployment
	// ReadOnlyMillis is how long the tenant's read-only window lasted.
	ReadOnlyMillis int64 `json:"readOnlyMillis"`
}

// serveMove moves the tenant from the shared deployment to its dedicated
// one: the read-only window opens, and once every replica sees it each
// service with a dedicated deployment of the tenant gets the tenant's part
// of the shared one; then the tier becomes dedicated and the window closes
// in one change. A failure closes the window and leaves the tier shared
// (the parts already loaded stay in the dedicated databases: a new move
// refuses them until they are emptied).
func (h *Handler) serveMove(w http.ResponseWriter, r *http.Request) {
	res, err := h.move(r.Context(), r.PathValue("id"))
	if err != nil {
		kitx.WriteProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

// move does serveMove's work.
func (h *Handler) move(ctx context.Context, id string) (MoveResult, error) {
	t, err := h.cfg.Tenants.GetTenant(ctx, id)
	if err != nil {
		return MoveResult{}, err
	}
	if t.Tier == identity.TierDedicated {
		return MoveResult{}, ErrAlreadyDedicated
	}
	on, off, dedicated := true, false, identity.TierDedicated
	if _, err := h.cfg.Tenants.UpdateTenant(ctx, id, identity.UpdateTenantRequest{ReadOnly: &on}, nil); err != nil {
		return MoveResult{}, err
	}
	start := time.Now()
	res, err := h.copyParts(ctx, t)
	if err != nil {
		if _, rerr := h.cfg.Tenants.UpdateTenant(context.WithoutCancel(ctx), id, identity.UpdateTenantRequest{ReadOnly: &off}, nil); rerr != nil {
			h.cfg.Logger.Error("tenant move failed and its read-only window stays open", "tenant", id, "error", rerr.Error())
		}
		return MoveResult{}, err
	}
	if res.Tenant, err = h.cfg.Tenants.UpdateTenant(ctx, id, identity.UpdateTenantRequest{ReadOnly: &off, Tier: &dedicated}, nil); err != nil {
		return MoveResult{}, err
	}
	res.ReadOnlyMillis = time.Since(start).Milliseconds()
	h.cfg.Logger.Info("tenant moved to its dedicated deployment", "tenant", id, "moved", res.Moved, "stayed", res.Stayed,
		"read_only_ms", res.ReadOnlyMillis)
	return res, nil
}

// copyParts waits until every replica refuses the tenant's changes, checks
// that each dedicated deployment holds nothing of the tenant, then copies
// each service's part there.
func (h *Handler) copyParts(ctx context.Context, t identity.Tenant) (MoveResult, error) {
	select {
	case <-ctx.Done():
		return MoveResult{}, ctx.Err()
	case <-time.After(h.cfg.Tenants.TenantCacheTTL() + settle):
	}
	res := MoveResult{Moved: []string{}, Stayed: []string{}}
	var pairs [][2]target
	for _, service := range h.cfg.Registry.Domain().Names() {
		dst, ok, err := h.locate(ctx, service, t.Slug, true)
		if err != nil {
			return res, err
		}
		if !ok || dst.shared {
			res.Stayed = append(res.Stayed, service)
			continue
		}
		src, _, err := h.locate(ctx, service, t.Slug, false)
		if err != nil {
			return res, err
		}
		rows, err := h.rows(ctx, dst, t.ID)
		if err != nil {
			return res, err
		}
		for table := range rows {
			return res, tenantdata.ErrNotEmpty.WithDetail("%s's dedicated deployment already holds rows of the tenant (table %s)", service, table)
		}
		pairs = append(pairs, [2]target{src, dst})
	}
	for _, p := range pairs {
		f, _, err := h.fetch(ctx, p[0], t.ID)
		if err != nil {
			return res, err
		}
		_, err = h.put(ctx, p[1], t.ID, f)
		discard(f)
		if err != nil {
			return res, err
		}
		res.Moved = append(res.Moved, p[0].service)
	}
	return res, nil
}
