// Package tenantdata serves the platform's tenant export and import
// (POST /admin/v1/tenants/{id}/export and /import, with the platform
// token) and the move of a tenant from the shared deployment to its
// dedicated one (POST /admin/v1/tenants/{id}/move), over every service's
// internal tenant-data routes (libs/tenantdata) and the gateway's own
// database.
package tenantdata

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/discovery"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/tenantdata"
	"github.com/rapport-crm/rapport/services/gateway/identity"
)

// ArchiveType is the media type of an archive.
const ArchiveType = "application/x-tar+gzip"

// MaxArchive bounds an archive an import reads.
const MaxArchive = 8 << 30

// gatewaySkipped are the gateway's tenant-owned tables an archive leaves
// out: credentials (refresh tokens, invitations, the revocations of
// sessions), the audit log (the history of the tenant where it was), and
// queues of work in flight (webhook deliveries and their attempts, mail of
// notifications), which would run again at the new place.
var gatewaySkipped = []string{"refresh_tokens", "invitations", "revocations", "audit_log",
	"webhook_deliveries", "webhook_attempts", "notification_emails"}

// ErrNotDeployed refuses an import of a part whose service is not deployed
// where the tenant's data goes.
var ErrNotDeployed = errs.New(errs.Unprocessable, "service-not-deployed", "a service of the archive is not deployed here")

// ErrTenantJoined refuses an import of the gateway's rows (users, roles,
// keys…) into a tenant whose users have started using it.
var ErrTenantJoined = errs.New(errs.Conflict, "tenant-not-empty", "the tenant already holds data")

// Tenants is what the handler needs of identity.
type Tenants interface {
	GetTenant(ctx context.Context, id string) (identity.Tenant, error)
	UpdateTenant(ctx context.Context, id string, req identity.UpdateTenantRequest, ifMatch *int64) (identity.Tenant, error)
	TenantCacheTTL() time.Duration
	RequirePlatform(next http.Handler) http.Handler
}

// Config is what the handler works with.
type Config struct {
	DB       *sqlx.DB           // the gateway's database (the application role)
	Tenants  Tenants            // the tenants (identity)
	Resolver discovery.Resolver // where each service of a tenant runs
	Signer   *auth.Signer       // mints the tokens of the platform's flow
	Registry registry.Registry  // the services; registry.Default() when empty
	Client   *http.Client       // to the services; http.DefaultClient when nil
	Logger   *slog.Logger
}

// Handler serves the routes.
type Handler struct{ cfg Config }

// New returns the handler of cfg.
func New(cfg Config) *Handler {
	if cfg.Registry == nil {
		cfg.Registry = registry.Default()
	}
	if cfg.Client == nil {
		cfg.Client = http.DefaultClient
	}
	return &Handler{cfg: cfg}
}

// Mount registers the routes on mux behind the platform token.
func (h *Handler) Mount(mux *http.ServeMux) {
	platform := h.cfg.Tenants.RequirePlatform
	mux.Handle("POST /admin/v1/tenants/{id}/export", platform(http.HandlerFunc(h.serveExport)))
	mux.Handle("POST /admin/v1/tenants/{id}/import", platform(http.HandlerFunc(h.serveImport)))
	mux.Handle("POST /admin/v1/tenants/{id}/move", platform(http.HandlerFunc(h.serveMove)))
}

// serveExport answers the tenant's archive.
func (h *Handler) serveExport(w http.ResponseWriter, r *http.Request) {
	t, err := h.cfg.Tenants.GetTenant(r.Context(), r.PathValue("id"))
	if err != nil {
		kitx.WriteProblem(w, r, err)
		return
	}
	files, m, err := h.export(r.Context(), t, t.Tier == identity.TierDedicated)
	defer func() {
		for _, f := range files {
			discard(f)
		}
	}()
	if err != nil {
		kitx.WriteProblem(w, r, err)
		return
	}
	readers := make([]io.Reader, len(files))
	for i, f := range files {
		readers[i] = f
	}
	w.Header().Set("Content-Type", ArchiveType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+t.Slug+`.tar.gz"`)
	if err := tenantdata.WriteArchive(w, m, readers); err != nil {
		h.cfg.Logger.Error("tenant archive cut", "tenant", t.ID, "error", err.Error())
	}
}

// export fetches every part of t from the deployment named and the
// gateway's own, into temporary files the caller removes.
func (h *Handler) export(ctx context.Context, t identity.Tenant, dedicated bool) ([]*os.File, tenantdata.Manifest, error) {
	m := tenantdata.Manifest{Tenant: t.ID, Slug: t.Slug, CreatedAt: time.Now().UTC()}
	var files []*os.File
	for _, service := range h.cfg.Registry.Domain().Names() {
		tg, ok, err := h.locate(ctx, service, t.Slug, dedicated)
		if err != nil {
			return files, m, err
		}
		if !ok {
			continue
		}
		f, p, err := h.fetch(ctx, tg, t.ID)
		if err != nil {
			return files, m, err
		}
		files = append(files, f)
		m.Parts = append(m.Parts, p)
	}
	f, err := os.CreateTemp("", "tenantdata-gateway-*.tar")
	if err != nil {
		return files, m, err
	}
	files = append(files, f)
	if _, err := tenantdata.Export(ctx, h.cfg.DB.DB, registry.Gateway, t.ID, f, gatewaySkipped...); err != nil {
		return files, m, err
	}
	p, err := rewind(f)
	if err != nil {
		return files, m, err
	}
	m.Parts = append(m.Parts, p)
	return files, m, nil
}

// ImportResult is the answer of an import: the parts loaded and those left
// out.
type ImportResult struct {
	Tenant  string            `json:"tenant"`
	From    string            `json:"from"`
	Loaded  []tenantdata.Part `json:"loaded"`
	Skipped []string          `json:"skipped"`
}

// serveImport loads an archive into the tenant: ?deployment=dedicated or
// shared names where the services' parts go (default: the tenant's tier).
func (h *Handler) serveImport(w http.ResponseWriter, r *http.Request) {
	t, err := h.cfg.Tenants.GetTenant(r.Context(), r.PathValue("id"))
	if err != nil {
		kitx.WriteProblem(w, r, err)
		return
	}
	dedicated := t.Tier == identity.TierDedicated
	switch r.URL.Query().Get("deployment") {
	case "":
	case "dedicated":
		dedicated = true
	case "shared":
		dedicated = false
	default:
		v := errs.NewValidator()
		v.Check(false, "deployment", "dedicated or shared")
		kitx.WriteProblem(w, r, v.Err())
		return
	}
	u, err := tenantdata.ReadArchive(http.MaxBytesReader(w, r.Body, MaxArchive))
	if err != nil {
		kitx.WriteProblem(w, r, err)
		return
	}
	defer u.Close()
	res, err := h.load(r.Context(), t, u, dedicated)
	if err != nil {
		kitx.WriteProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

// load checks that every part can go where it should, then loads each.
// The gateway's rows are loaded, replacing what CreateTenant made, only
// when the archive is of another tenant id: for the same id they are in
// the gateway's database already (one gateway serves both tiers).
func (h *Handler) load(ctx context.Context, t identity.Tenant, u *tenantdata.Unpacked, dedicated bool) (ImportResult, error) {
	res := ImportResult{Tenant: t.ID, From: u.Manifest.Tenant, Skipped: []string{}}
	targets := make([]target, len(u.Manifest.Parts))
	for i, p := range u.Manifest.Parts {
		if p.Service == registry.Gateway {
			continue
		}
		tg, ok, err := h.locate(ctx, p.Service, t.Slug, dedicated)
		if err != nil {
			return res, err
		}
		if !ok {
			return res, ErrNotDeployed.WithDetail("%s is not deployed here", p.Service)
		}
		rows, err := h.rows(ctx, tg, t.ID)
		if err != nil {
			return res, err
		}
		for table := range rows {
			return res, tenantdata.ErrNotEmpty.WithDetail("%s already holds rows of the tenant (table %s)", p.Service, table)
		}
		targets[i] = tg
	}
	withGateway := u.Manifest.Tenant != t.ID
	if withGateway {
		if err := h.checkFresh(ctx, t.ID); err != nil {
			return res, err
		}
	}
	for i, p := range u.Manifest.Parts {
		var err error
		if p.Service == registry.Gateway {
			if !withGateway {
				res.Skipped = append(res.Skipped, p.Service)
				continue
			}
			o := tenantdata.ImportOptions{Replace: true, Keep: []string{"audit_log"}}
			if _, err := h.cfg.Tenants.GetTenant(ctx, u.Manifest.Tenant); err == nil {
				// API key prefixes are unique on the platform: while the
				// archive's tenant is here its keys stay its own.
				o.Skip = []string{"api_keys"}
				res.Skipped = append(res.Skipped, registry.Gateway+"/api_keys")
			}
			if p, err = tenantdata.Import(ctx, h.cfg.DB.DB, t.ID, u.Files[i], o); err != nil {
				return res, err
			}
		} else if p, err = h.put(ctx, targets[i], t.ID, u.Files[i]); err != nil {
			return res, err
		}
		res.Loaded = append(res.Loaded, p)
		h.cfg.Logger.Info("tenant part imported", "tenant", t.ID, "service", p.Service, "tables", len(p.Tables))
	}
	return res, nil
}

// checkFresh refuses to replace the gateway's rows of a tenant unless they
// are what CreateTenant made: the built-in roles and an administrator who
// has not joined.
func (h *Handler) checkFresh(ctx context.Context, tenant string) error {
	rows, err := tenantdata.CountRows(ctx, h.cfg.DB.DB, registry.Gateway, tenant)
	if err != nil {
		return err
	}
	for table := range rows.Tables {
		if !slices.Contains([]string{"roles", "users", "user_roles", "invitations", "audit_log"}, table) {
			return ErrTenantJoined.WithDetail("gateway already holds rows of the tenant (table %s)", table)
		}
	}
	joined := false
	err = pg.WithTenantTx(ctx, h.cfg.DB, tenant, func(tx *sqlx.Tx) error {
		return tx.QueryRowxContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE status <> $1)`, identity.UserInvited).Scan(&joined)
	})
	if err != nil {
		return err
	}
	if joined {
		return ErrTenantJoined.WithDetail("gateway: a user of the tenant has joined (table users)")
	}
	return nil
}
