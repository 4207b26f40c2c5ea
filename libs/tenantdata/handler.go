package tenantdata

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// PathPrefix is where a service serves its tenant data: GET
// PathPrefix+"{tenant}" answers the tenant's part, GET
// PathPrefix+"{tenant}/rows" the tables holding rows of the tenant, PUT
// PathPrefix+"{tenant}" loads a part into an empty tenant.
const PathPrefix = "/internal/tenantdata/"

// PartType is the media type of a part.
const PartType = "application/x-tar"

// ErrWrongTenant refuses a token minted for another tenant than the path's.
var ErrWrongTenant = errs.New(errs.Forbidden, "tenant-data-forbidden", "the token is not for this tenant's data")

// Audience is the audience of the tokens that reach service's tenant data:
// a distinct one, which the gateway mints only in the platform's export and
// import (with the platform token), never for a user, an API key or a
// service, so no tenant's permission (a tenant admin's "*" included)
// reaches these routes.
func Audience(service string) string { return service + ".tenantdata" }

// Rows are the tables of a service holding rows of a tenant, with their
// counts (GET …/rows).
type Rows struct {
	Service string           `json:"service"`
	Tables  map[string]int64 `json:"tables"`
}

// Handler serves service's tenant data of db behind verifier, which must
// verify tokens for Audience(service); the token's tenant must be the
// path's.
func Handler(db *sql.DB, service string, verifier *auth.Verifier, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+PathPrefix+"{tenant}", forTenant(func(w http.ResponseWriter, r *http.Request, tenant string) {
		w.Header().Set("Content-Type", PartType)
		if _, err := Export(r.Context(), db, service, tenant, w); err != nil {
			// Once the part has started, the client sees a cut stream.
			logger.Error("tenant export failed", "tenant", tenant, "error", err.Error())
			kitx.WriteProblem(w, r, err)
		}
	}))
	mux.Handle("GET "+PathPrefix+"{tenant}/rows", forTenant(func(w http.ResponseWriter, r *http.Request, tenant string) {
		rows, err := CountRows(r.Context(), db, service, tenant)
		if err != nil {
			kitx.WriteProblem(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(rows)
	}))
	mux.Handle("PUT "+PathPrefix+"{tenant}", forTenant(func(w http.ResponseWriter, r *http.Request, tenant string) {
		p, err := Import(r.Context(), db, tenant, r.Body, ImportOptions{})
		if err != nil {
			kitx.WriteProblem(w, r, err)
			return
		}
		logger.Info("tenant data imported", "tenant", tenant, "from", p.Tenant, "tables", len(p.Tables))
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(p)
	}))
	return auth.Middleware(verifier)(mux)
}

// forTenant runs h for the path's tenant when the token is for it.
func forTenant(h func(w http.ResponseWriter, r *http.Request, tenant string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.PrincipalFrom(r.Context())
		if !ok || p.TenantID != r.PathValue("tenant") {
			kitx.WriteProblem(w, r, ErrWrongTenant)
			return
		}
		h(w, r, p.TenantID)
	})
}

// CountRows returns the tables of db holding rows of tenant.
func CountRows(ctx context.Context, db *sql.DB, service, tenant string) (Rows, error) {
	if !ids.Valid(tenant) {
		return Rows{}, ErrTenant
	}
	out := Rows{Service: service, Tables: map[string]int64{}}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Rows{}, fmt.Errorf("tenantdata: count: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	if _, err := tx.ExecContext(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenant); err != nil {
		return Rows{}, fmt.Errorf("tenantdata: count: %w", err)
	}
	tables, err := Tables(ctx, tx)
	if err != nil {
		return Rows{}, err
	}
	for _, t := range tables {
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM public.`+pq.QuoteIdentifier(t.Name)+` WHERE tenant_id = $1`, tenant).Scan(&n); err != nil {
			return Rows{}, fmt.Errorf("tenantdata: count %s: %w", t.Name, err)
		}
		if n > 0 {
			out.Tables[t.Name] = n
		}
	}
	return out, nil
}
