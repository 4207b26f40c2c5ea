package search

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

const viewColumns = "id, entity, name, filter, q, columns, sort, visibility, owner_id, builtin, created_at, updated_at, version"

// viewSelect reads viewColumns; a view without a filter (stored as NULL,
// see viewRow) reads as JSON null, which SavedView.read makes no filter.
const viewSelect = "id, entity, name, COALESCE(filter, 'null') AS filter, q, columns, sort, visibility, owner_id, builtin, created_at, updated_at, version"

// viewNamespace derives the ids of built-in views from the tenant.
var viewNamespace = uuid.MustParse("6f1d3c52-3d4e-4b7a-9a57-1c0a55a7e0b1")

// builtinViewID is the id of the i-th built-in view of tenant.
func builtinViewID(tenant string, i int) string {
	return uuid.NewSHA1(viewNamespace, fmt.Appendf(nil, "%s/%d", tenant, i)).String()
}

// ensureBuiltinViews creates the tenant's built-in views if missing.
func ensureBuiltinViews(ctx context.Context, tx *pgstore.Tx, tenant string) error {
	for i, v := range builtinViews {
		v.ID, v.Version = builtinViewID(tenant, i), 1
		_, err := tx.SQL().NamedExecContext(ctx, `INSERT INTO saved_views (tenant_id, `+viewColumns+`) VALUES (`+pgstore.CurrentTenant+
			`, :id, :entity, :name, :filter, :q, :columns, :sort, :visibility, :owner_id, :builtin, now(), now(), :version)
			ON CONFLICT (tenant_id, id) DO NOTHING`, viewRow(v))
		if err != nil {
			return fmt.Errorf("seed saved views: %w", pg.MapError(err))
		}
	}
	return nil
}

// viewRow is v with an empty filter as SQL NULL.
func viewRow(v SavedView) map[string]any {
	var f any
	if len(v.Filter) > 0 {
		f = []byte(v.Filter)
	}
	return map[string]any{"id": v.ID, "entity": v.Entity, "name": v.Name, "filter": f, "q": v.Q, "columns": v.Columns,
		"sort": v.Sort, "visibility": v.Visibility, "owner_id": v.OwnerID, "builtin": v.Builtin,
		"created_at": v.CreatedAt, "updated_at": v.UpdatedAt, "version": v.Version}
}

// getView reads a view user may see (its own or a shared one), locking it
// when forUpdate.
func getView(ctx context.Context, tx *pgstore.Tx, id, user string, forUpdate bool) (*SavedView, error) {
	q := "SELECT " + viewSelect + " FROM saved_views WHERE id = $1 AND (visibility = 'shared' OR owner_id = $2)"
	if forUpdate {
		q += " FOR UPDATE"
	}
	var v SavedView
	if err := tx.SQL().GetContext(ctx, &v, q, id, user); err != nil {
		if errs.KindOf(pg.MapError(err)) == errs.NotFound {
			return nil, ErrViewNotFound
		}
		return nil, fmt.Errorf("get saved view: %w", pg.MapError(err))
	}
	v.read()
	return &v, nil
}

// listViews returns the views of entity ("" for all) user may see, by name.
func listViews(ctx context.Context, tx *pgstore.Tx, entity, user string) ([]SavedView, error) {
	out := []SavedView{}
	err := tx.SQL().SelectContext(ctx, &out, "SELECT "+viewSelect+` FROM saved_views
		WHERE ($1 = '' OR entity = $1) AND (visibility = 'shared' OR owner_id = $2) ORDER BY lower(name), id`, entity, user)
	if err != nil {
		return nil, fmt.Errorf("list saved views: %w", pg.MapError(err))
	}
	for i := range out {
		out[i].read()
	}
	return out, nil
}

// viewRows is how Update changes the views user may see.
func viewRows(user string) pgstore.Rows[*SavedView] {
	return pgstore.Rows[*SavedView]{
		Entity: customer.EventSavedView,
		Lock: func(ctx context.Context, tx *pgstore.Tx, id string) (*SavedView, error) {
			return getView(ctx, tx, id, user, true)
		},
		Write: func(ctx context.Context, tx *pgstore.Tx, v *SavedView, verb string) error {
			if verb == customer.VerbDeleted {
				return deleteView(ctx, tx, v.ID)
			}
			return saveView(ctx, tx, v, false)
		},
	}
}

// updateView changes, or deletes, the view id p may see as change says
// (pgstore.Update).
func updateView(ctx context.Context, db *pgstore.DB, p auth.Principal, id string,
	change func(*pgstore.Tx, *SavedView) (*SavedView, pgstore.Change, error)) (*SavedView, error) {
	return pgstore.Update(ctx, db, p.TenantID, id, viewRows(p.UserID), change)
}

// insertView stores a new view and publishes it.
func insertView(ctx context.Context, tx *pgstore.Tx, v *SavedView) error {
	if err := saveView(ctx, tx, v, true); err != nil {
		return err
	}
	return tx.Emit(ctx, customer.EventSavedView, customer.VerbCreated, v.ID, v, nil)
}

// saveView inserts or updates v.
func saveView(ctx context.Context, tx *pgstore.Tx, v *SavedView, insert bool) error {
	q := `UPDATE saved_views SET name = :name, filter = :filter, q = :q, columns = :columns, sort = :sort,
		visibility = :visibility, updated_at = :updated_at, version = :version WHERE tenant_id = ` + pgstore.CurrentTenant + ` AND id = :id`
	if insert {
		q = `INSERT INTO saved_views (tenant_id, ` + viewColumns + `) VALUES (` + pgstore.CurrentTenant +
			`, :id, :entity, :name, :filter, :q, :columns, :sort, :visibility, :owner_id, :builtin, :created_at, :updated_at, :version)`
	}
	if _, err := tx.SQL().NamedExecContext(ctx, q, viewRow(*v)); err != nil {
		return fmt.Errorf("save saved view: %w", pg.MapError(err))
	}
	return nil
}

// deleteView removes a view.
func deleteView(ctx context.Context, tx *pgstore.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM saved_views WHERE id = $1", id); err != nil {
		return fmt.Errorf("delete saved view: %w", pg.MapError(err))
	}
	return nil
}
