package kb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// categoryRow is a row of kb_categories.
type categoryRow struct {
	ID        string    `db:"id"`
	ParentID  *string   `db:"parent_id"`
	Names     []byte    `db:"names"`
	Position  int       `db:"position"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
	Version   int64     `db:"version"`
}

const categoryColumns = "id, parent_id, names, position, created_at, updated_at, version"

// category is the Category of r.
func (r categoryRow) category() (Category, error) {
	c := Category{ID: r.ID, ParentID: pgrecord.Deref(r.ParentID), Position: r.Position, CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	return c, json.Unmarshal(r.Names, &c.Names)
}

// CreateCategory stores a new category and publishes it.
func (s *Store) CreateCategory(ctx context.Context, tenant string, c *Category) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if err := saveCategory(ctx, tx, c, true); err != nil {
			return err
		}
		return tx.Emit(ctx, supportdb.EntityKBCategory, supportdb.VerbCreated, c.ID, c, nil)
	})
}

// saveCategory inserts or updates c's row; a parent that does not exist,
// or is c or under it, is errParentRef.
func saveCategory(ctx context.Context, tx *outbox.Tx, c *Category, insert bool) error {
	names, err := json.Marshal(c.Names)
	if err != nil {
		return err
	}
	if !insert && c.ParentID != "" {
		var cycle bool
		if err := tx.SQL().GetContext(ctx, &cycle, `WITH RECURSIVE up(id, parent_id) AS (
				SELECT id, parent_id FROM kb_categories WHERE id = $1
				UNION SELECT k.id, k.parent_id FROM kb_categories k JOIN up ON k.id = up.parent_id)
			SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)`, c.ParentID, c.ID); err != nil {
			return fmt.Errorf("check category tree: %w", pg.MapError(err))
		}
		if cycle {
			return errParentRef
		}
	}
	q := `UPDATE kb_categories SET parent_id = $2, names = $3, position = $4, created_at = $5, updated_at = $6, version = $7 WHERE id = $1`
	if insert {
		q = `INSERT INTO kb_categories (tenant_id, ` + categoryColumns + `) VALUES (` + pgrecord.CurrentTenant + `, $1, $2, $3, $4, $5, $6, $7)`
	}
	if _, err := tx.SQL().ExecContext(ctx, q, c.ID, pgrecord.OrNull(c.ParentID), names, c.Position, c.CreatedAt, c.UpdatedAt, c.Version); err != nil {
		if errors.Is(pg.MapError(err), pg.ErrReference) {
			return errParentRef
		}
		return fmt.Errorf("save category: %w", pg.MapError(err))
	}
	return nil
}

// Category reads a category.
func (s *Store) Category(ctx context.Context, tenant, id string) (c *Category, err error) {
	return c, s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		c, err = getCategory(ctx, tx, id, false)
		return err
	})
}

// getCategory reads the category id, locking it for update when lock.
func getCategory(ctx context.Context, tx *outbox.Tx, id string, lock bool) (*Category, error) {
	var r categoryRow
	if err := pgrecord.GetRow(ctx, tx, &r, "kb_categories", categoryColumns, id, lock, ErrCategoryNotFound, "category"); err != nil {
		return nil, err
	}
	c, err := r.category()
	return &c, err
}

// Categories returns every category, by position then creation.
func (s *Store) Categories(ctx context.Context, tenant string) (out []Category, err error) {
	return out, s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		var rows []categoryRow
		if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+categoryColumns+" FROM kb_categories ORDER BY position, id"); err != nil {
			return fmt.Errorf("list categories: %w", pg.MapError(err))
		}
		out = make([]Category, len(rows))
		for i, r := range rows {
			if out[i], err = r.category(); err != nil {
				return err
			}
		}
		return nil
	})
}

// categoryRows is how pgrecord.Update reads, writes and deletes
// categories.
var categoryRows = pgrecord.Rows[*Category]{
	Entity: supportdb.EntityKBCategory,
	Lock: func(ctx context.Context, tx *outbox.Tx, id string) (*Category, error) {
		return getCategory(ctx, tx, id, true)
	},
	Write: func(ctx context.Context, tx *outbox.Tx, _, next *Category) error {
		return saveCategory(ctx, tx, next, false)
	},
	Delete: deleteCategory,
}

// UpdateCategory changes, or deletes, the category id in a transaction of
// tenant (pgrecord.Update).
func (s *Store) UpdateCategory(ctx context.Context, tenant, id string, change func(current *Category) (*Category, pgrecord.Change, error)) (*Category, pgrecord.Change, error) {
	return pgrecord.Update(ctx, s.db, tenant, id, categoryRows, change)
}

// deleteCategory deletes the category id unless categories or articles are
// filed under it: then it is ErrCategoryInUse saying how many.
func deleteCategory(ctx context.Context, tx *outbox.Tx, id string) error {
	var n struct {
		Children int `db:"children"`
		Articles int `db:"articles"`
	}
	if err := tx.SQL().GetContext(ctx, &n, `SELECT (SELECT count(*) FROM kb_categories WHERE parent_id = $1) AS children,
		(SELECT count(*) FROM kb_articles WHERE category_id = $1) AS articles`, id); err != nil {
		return fmt.Errorf("count the category's contents: %w", pg.MapError(err))
	}
	if n.Children > 0 || n.Articles > 0 {
		return ErrCategoryInUse.WithDetail("%d subcategories and %d articles are filed under the category; move them first", n.Children, n.Articles)
	}
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM kb_categories WHERE id = $1", id); err != nil {
		if errors.Is(pg.MapError(err), pg.ErrReference) {
			return ErrCategoryInUse
		}
		return fmt.Errorf("delete category: %w", pg.MapError(err))
	}
	return nil
}
