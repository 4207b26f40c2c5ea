package catalog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// Store reads and writes the catalogue; every write publishes its event
// through the outbox in its transaction.
type Store struct {
	db *outbox.DB
}

// NewStore returns the Store on db.
func NewStore(db *outbox.DB) *Store { return &Store{db: db} }

// productRow is a row of products.
type productRow struct {
	ID          string    `db:"id"`
	SKU         string    `db:"sku"`
	Name        string    `db:"name"`
	Family      string    `db:"family"`
	Unit        string    `db:"unit"`
	Description string    `db:"description"`
	Active      bool      `db:"active"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
	Version     int64     `db:"version"`
}

const productColumns = "id, sku, name, family, unit, description, active, created_at, updated_at, version"

// product is the Product of r.
func (r productRow) product() Product {
	active := r.Active
	return Product{ID: r.ID, SKU: r.SKU, Name: r.Name, Family: r.Family, Unit: r.Unit, Description: r.Description, Active: &active,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

// productRowOf is the row of p.
func productRowOf(p *Product) productRow {
	return productRow{ID: p.ID, SKU: p.SKU, Name: p.Name, Family: p.Family, Unit: p.Unit, Description: p.Description, Active: *p.Active,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
}

// ProductFilter selects products: Query is a prefix of the SKU or the
// name (regardless of case), Family equal (regardless of case), Active
// the state when set.
type ProductFilter struct {
	Query, Family string
	Active        *bool
}

// likePrefix is s as a LIKE pattern of the strings that start with it.
func likePrefix(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(s)) + "%"
}

// CreateProduct stores a new product and publishes it.
func (s *Store) CreateProduct(ctx context.Context, tenant string, p *Product) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if err := saveProduct(ctx, tx, p, true); err != nil {
			return err
		}
		return tx.Emit(ctx, pgstore.EntityProduct, pgstore.VerbCreated, p.ID, p, nil)
	})
}

// saveProduct inserts or updates p's row.
func saveProduct(ctx context.Context, tx *outbox.Tx, p *Product, insert bool) error {
	q := `UPDATE products SET sku = :sku, name = :name, family = :family, unit = :unit, description = :description, active = :active,
		updated_at = :updated_at, version = :version WHERE tenant_id = ` + pgrecord.CurrentTenant + ` AND id = :id`
	if insert {
		q = `INSERT INTO products (tenant_id, ` + productColumns + `) VALUES (` + pgrecord.CurrentTenant +
			`, :id, :sku, :name, :family, :unit, :description, :active, :created_at, :updated_at, :version)`
	}
	if _, err := tx.SQL().NamedExecContext(ctx, q, productRowOf(p)); err != nil {
		if pg.IsUniqueViolation(err, "products_sku") {
			return ErrSKUExists.WithDetail("a product with the SKU %q already exists", p.SKU)
		}
		return fmt.Errorf("save product: %w", pg.MapError(err))
	}
	return nil
}

// Product reads a product.
func (s *Store) Product(ctx context.Context, tenant, id string) (p *Product, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		p, err = getProduct(ctx, tx, id, false)
		return err
	})
	return p, err
}

// getProduct reads the product id, locking it for update when lock.
func getProduct(ctx context.Context, tx *outbox.Tx, id string, lock bool) (*Product, error) {
	var r productRow
	if err := pgrecord.GetRow(ctx, tx, &r, "products", productColumns, id, lock, ErrProductNotFound, "product"); err != nil {
		return nil, err
	}
	p := r.product()
	return &p, nil
}

// Products returns up to limit products f selects in the order of their
// SKUs regardless of case, after the SKU after ("" from the first).
func (s *Store) Products(ctx context.Context, tenant string, f ProductFilter, after string, limit int) (out []Product, err error) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	add("lower(sku) > lower(?)", after)
	if f.Query != "" {
		add("(lower(sku) LIKE ? OR lower(name) LIKE ?)", likePrefix(f.Query))
	}
	if f.Family != "" {
		add("lower(family) = lower(?)", f.Family)
	}
	if f.Active != nil {
		add("active = ?", *f.Active)
	}
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		var rows []productRow
		if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+productColumns+" FROM products WHERE "+strings.Join(conds, " AND ")+
			" ORDER BY lower(sku) LIMIT "+strconv.Itoa(limit), args...); err != nil {
			return fmt.Errorf("list products: %w", pg.MapError(err))
		}
		out = make([]Product, len(rows))
		for i, r := range rows {
			out[i] = r.product()
		}
		return nil
	})
	return out, err
}

// productRows is how pgrecord.Update reads, writes and deletes products.
var productRows = pgrecord.Rows[*Product]{
	Entity: pgstore.EntityProduct,
	Lock: func(ctx context.Context, tx *outbox.Tx, id string) (*Product, error) {
		return getProduct(ctx, tx, id, true)
	},
	Write: func(ctx context.Context, tx *outbox.Tx, _, next *Product) error {
		return saveProduct(ctx, tx, next, false)
	},
	Delete: deleteProduct,
}

// UpdateProduct changes, or deletes, the product id in a transaction of
// tenant (pgrecord.Update): it locks and reads the product, change returns
// what it becomes and what happened, and unless nothing did, the product
// is written (or deleted, refused while a price book lists it) and the
// event goes to the outbox in the same transaction.
func (s *Store) UpdateProduct(ctx context.Context, tenant, id string, change func(current *Product) (*Product, pgrecord.Change, error)) (*Product, pgrecord.Change, error) {
	return pgrecord.Update(ctx, s.db, tenant, id, productRows, change)
}

// deleteProduct deletes the product id unless price books list it: then
// it is ErrProductInUse saying how many. The foreign key of the entries is
// the backstop.
func deleteProduct(ctx context.Context, tx *outbox.Tx, id string) error {
	var n int
	if err := tx.SQL().GetContext(ctx, &n, "SELECT count(*) FROM price_book_entries WHERE product_id = $1", id); err != nil {
		return fmt.Errorf("count the product's prices: %w", pg.MapError(err))
	}
	if n > 0 {
		return ErrProductInUse.WithDetail("%d price books list the product; deactivate it instead, or remove its prices first", n)
	}
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM products WHERE id = $1", id); err != nil {
		if errors.Is(pg.MapError(err), pg.ErrReference) {
			return ErrProductInUse
		}
		return fmt.Errorf("delete product: %w", pg.MapError(err))
	}
	return nil
}
