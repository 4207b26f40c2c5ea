package starter

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/tenantdata"
)

// mountTenantData serves the service's tenant export and import
// (libs/tenantdata) on mux under tenantdata.PathPrefix, behind a verifier of
// its own for tenantdata.Audience: the gateway mints such tokens only in the
// platform's flow, so no user, API key or tenant admin reaches these routes.
func mountTenantData(ctx context.Context, mux *http.ServeMux, cfg Config, db *sqlx.DB, logger *slog.Logger) error {
	v, err := auth.NewVerifier(ctx, cfg.JWKSURL, tenantdata.Audience(cfg.Name))
	if err != nil {
		return err
	}
	mux.Handle(tenantdata.PathPrefix, tenantdata.Handler(db.DB, cfg.Name, v, logger))
	return nil
}
