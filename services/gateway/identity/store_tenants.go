package identity

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
)

// tenantRow is a tenants row with its domains as a PostgreSQL array.
type tenantRow struct {
	Tenant
	DomainsArr pq.StringArray `db:"domains"`
}

func (r tenantRow) tenant() Tenant {
	t := r.Tenant
	t.Domains = append([]string{}, r.DomainsArr...)
	return t
}

const tenantCols = `id, slug, name, domains, tier, status, created_at, updated_at, version, read_only`

// tenantBySlug reads a tenant by slug from the platform-level table.
func tenantBySlug(ctx context.Context, q sqlx.QueryerContext, slug string) (Tenant, error) {
	var r tenantRow
	err := sqlx.GetContext(ctx, q, &r, `SELECT `+tenantCols+` FROM tenants WHERE slug = $1`, slug)
	if err != nil {
		return Tenant{}, notFound(err, ErrTenantNotFound)
	}
	return r.tenant(), nil
}

// tenantByRef reads the tenant a sign-in names: by slug, or by one of its
// domains when no slug matches or the name holds a dot (slugs never do). A
// domain two tenants both claim names neither: ErrTenantNotFound.
func tenantByRef(ctx context.Context, q sqlx.QueryerContext, ref string) (Tenant, error) {
	if !strings.Contains(ref, ".") {
		t, err := tenantBySlug(ctx, q, ref)
		if !isErr(err, ErrTenantNotFound) {
			return t, err
		}
	}
	return tenantByDomain(ctx, q, ref)
}

// tenantByDomain reads the tenant one of whose domains is domain; a domain
// two tenants both claim names neither: ErrTenantNotFound.
func tenantByDomain(ctx context.Context, q sqlx.QueryerContext, domain string) (Tenant, error) {
	var rows []tenantRow
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT `+tenantCols+` FROM tenants
		WHERE domains @> ARRAY[$1]::text[] LIMIT 2`, normaliseDomain(domain))
	if err != nil {
		return Tenant{}, pg.MapError(err)
	}
	if len(rows) != 1 {
		return Tenant{}, ErrTenantNotFound
	}
	return rows[0].tenant(), nil
}

// normaliseDomain is a domain as tenants store it: trimmed and lower-case.
func normaliseDomain(d string) string { return strings.ToLower(strings.TrimSpace(d)) }

// normaliseDomains normalises each domain and drops empty and repeated ones.
func normaliseDomains(ds []string) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		if d = normaliseDomain(d); d != "" {
			out = append(out, d)
		}
	}
	return uniq(out)
}

// tenantByID reads a tenant by id.
func tenantByID(ctx context.Context, q sqlx.QueryerContext, id string) (Tenant, error) {
	if !ids.Valid(id) {
		return Tenant{}, ErrTenantNotFound
	}
	var r tenantRow
	err := sqlx.GetContext(ctx, q, &r, `SELECT `+tenantCols+` FROM tenants WHERE id = $1`, id)
	if err != nil {
		return Tenant{}, notFound(err, ErrTenantNotFound)
	}
	return r.tenant(), nil
}

// listTenants returns up to limit tenants with ids after the cursor id.
func listTenants(ctx context.Context, q sqlx.QueryerContext, after string, limit int) ([]Tenant, error) {
	var rows []tenantRow
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT `+tenantCols+` FROM tenants
		WHERE ($1 = '' OR id > $1::uuid) ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, pg.MapError(err)
	}
	out := make([]Tenant, len(rows))
	for i, r := range rows {
		out[i] = r.tenant()
	}
	return out, nil
}

func insertTenant(ctx context.Context, tx *sqlx.Tx, t Tenant) error {
	// A tenant is never made read-only (read_only takes its default): the
	// insert names only the columns a tenant has had from the start.
	_, err := tx.ExecContext(ctx, `INSERT INTO tenants (id, slug, name, domains, tier, status, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		t.ID, t.Slug, t.Name, pq.StringArray(t.Domains), t.Tier, t.Status, t.CreatedAt, t.UpdatedAt, t.Version)
	if pg.IsUniqueViolation(err, "tenants_slug") {
		return ErrSlugTaken
	}
	return pg.MapError(err)
}

func updateTenant(ctx context.Context, tx *sqlx.Tx, t Tenant) error {
	_, err := tx.ExecContext(ctx, `UPDATE tenants SET name = $2, domains = $3, tier = $4, status = $5,
		updated_at = $6, version = $7, read_only = $8 WHERE id = $1`,
		t.ID, t.Name, pq.StringArray(t.Domains), t.Tier, t.Status, t.UpdatedAt, t.Version, t.ReadOnly)
	return pg.MapError(err)
}
