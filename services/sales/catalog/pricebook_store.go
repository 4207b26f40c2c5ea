package catalog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
	"github.com/rapport-crm/rapport/services/sales/money"
)

// priceBookRow is a row of price_books.
type priceBookRow struct {
	ID         string    `db:"id"`
	Name       string    `db:"name"`
	Currency   string    `db:"currency"`
	Segment    string    `db:"segment"`
	ValidFrom  *string   `db:"valid_from"`
	ValidTo    *string   `db:"valid_to"`
	Active     bool      `db:"active"`
	IsStandard bool      `db:"is_standard"`
	CreatedAt  time.Time `db:"created_at"`
	UpdatedAt  time.Time `db:"updated_at"`
	Version    int64     `db:"version"`
}

const priceBookColumns = `id, name, currency, segment, valid_from::text AS valid_from, valid_to::text AS valid_to, active, is_standard,
	created_at, updated_at, version`

// priceBook is the PriceBook of r.
func (r priceBookRow) priceBook() PriceBook {
	active := r.Active
	exp, _ := money.Exponent(r.Currency)
	b := PriceBook{ID: r.ID, Name: r.Name, Currency: r.Currency, Exponent: exp, Segment: r.Segment, Active: &active, IsStandard: r.IsStandard,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if r.ValidFrom != nil {
		b.ValidFrom = *r.ValidFrom
	}
	if r.ValidTo != nil {
		b.ValidTo = *r.ValidTo
	}
	return b
}

// CreatePriceBook stores a new price book and publishes it.
func (s *Store) CreatePriceBook(ctx context.Context, tenant string, b *PriceBook) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if err := savePriceBook(ctx, tx, b, true); err != nil {
			return err
		}
		return tx.Emit(ctx, pgstore.EntityPriceBook, pgstore.VerbCreated, b.ID, b, nil)
	})
}

// savePriceBook inserts or updates b's row.
func savePriceBook(ctx context.Context, tx *outbox.Tx, b *PriceBook, insert bool) error {
	args := []any{b.ID, b.Name, b.Currency, b.Segment, pgrecord.OrNull(b.ValidFrom), pgrecord.OrNull(b.ValidTo), *b.Active, b.IsStandard, b.CreatedAt, b.UpdatedAt, b.Version}
	q := `UPDATE price_books SET name = $2, currency = $3, segment = $4, valid_from = $5, valid_to = $6, active = $7, is_standard = $8,
		created_at = $9, updated_at = $10, version = $11 WHERE id = $1`
	if insert {
		q = `INSERT INTO price_books (tenant_id, id, name, currency, segment, valid_from, valid_to, active, is_standard, created_at, updated_at, version)
			VALUES (` + pgrecord.CurrentTenant + `, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`
	}
	if _, err := tx.SQL().ExecContext(ctx, q, args...); err != nil {
		switch {
		case pg.IsUniqueViolation(err, "price_books_name"):
			return ErrPriceBookExists.WithDetail("a price book named %q already exists", b.Name)
		case pg.IsUniqueViolation(err, "price_books_standard"):
			return ErrStandardExists.WithDetail("the tenant has a standard price book in %s already", b.Currency)
		}
		return fmt.Errorf("save price book: %w", pg.MapError(err))
	}
	return nil
}

// PriceBook reads a price book.
func (s *Store) PriceBook(ctx context.Context, tenant, id string) (b *PriceBook, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		b, err = getPriceBook(ctx, tx, id, "")
		return err
	})
	return b, err
}

// getPriceBook reads the price book id with lock ("", "FOR SHARE" or
// "FOR UPDATE").
func getPriceBook(ctx context.Context, tx *outbox.Tx, id, lock string) (*PriceBook, error) {
	var r priceBookRow
	if err := tx.SQL().GetContext(ctx, &r, "SELECT "+priceBookColumns+" FROM price_books WHERE id = $1 "+lock, id); err != nil {
		if err = pg.MapError(err); errs.KindOf(err) == errs.NotFound {
			return nil, ErrPriceBookNotFound
		}
		return nil, fmt.Errorf("read price book: %w", err)
	}
	b := r.priceBook()
	return &b, nil
}

// PriceBooks returns the tenant's price books (a handful: not paged) by
// currency, the standard one first, then by name; currency selects one
// currency's when set.
func (s *Store) PriceBooks(ctx context.Context, tenant, currency string) (out []PriceBook, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		var rows []priceBookRow
		if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+priceBookColumns+" FROM price_books WHERE $1 = '' OR currency = $1"+
			" ORDER BY currency, is_standard DESC, lower(name), id", currency); err != nil {
			return fmt.Errorf("list price books: %w", pg.MapError(err))
		}
		out = make([]PriceBook, len(rows))
		for i, r := range rows {
			out[i] = r.priceBook()
		}
		return nil
	})
	return out, err
}

// priceBookRows is how pgrecord.Update reads, writes and deletes price
// books (a book's entries go with it).
var priceBookRows = pgrecord.Rows[*PriceBook]{
	Entity: pgstore.EntityPriceBook,
	Lock: func(ctx context.Context, tx *outbox.Tx, id string) (*PriceBook, error) {
		return getPriceBook(ctx, tx, id, "FOR UPDATE")
	},
	Write: func(ctx context.Context, tx *outbox.Tx, _, next *PriceBook) error {
		return savePriceBook(ctx, tx, next, false)
	},
	Delete: func(ctx context.Context, tx *outbox.Tx, id string) error {
		if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM price_books WHERE id = $1", id); err != nil {
			return fmt.Errorf("delete price book: %w", pg.MapError(err))
		}
		return nil
	},
}

// UpdatePriceBook changes, or deletes (with its entries), the price book
// id in a transaction of tenant, as UpdateProduct does products.
func (s *Store) UpdatePriceBook(ctx context.Context, tenant, id string, change func(current *PriceBook) (*PriceBook, pgrecord.Change, error)) (*PriceBook, pgrecord.Change, error) {
	return pgrecord.Update(ctx, s.db, tenant, id, priceBookRows, change)
}

// entryRow is a row of price_book_entries.
type entryRow struct {
	PriceBookID string    `db:"price_book_id"`
	ProductID   string    `db:"product_id"`
	UnitPrice   int64     `db:"unit_price_minor"`
	Currency    string    `db:"currency"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
}

const entryColumns = "e.price_book_id, e.product_id, e.unit_price_minor, b.currency, e.created_at, e.updated_at"

// entry is the Entry of r.
func (r entryRow) entry() Entry {
	exp, _ := money.Exponent(r.Currency)
	return Entry{PriceBookID: r.PriceBookID, ProductID: r.ProductID, UnitPrice: money.Money{Minor: r.UnitPrice, Currency: r.Currency, Exponent: &exp},
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// getEntry reads the entry of product in book, ErrEntryNotFound if none.
func getEntry(ctx context.Context, tx *outbox.Tx, book, product string) (*Entry, error) {
	var r entryRow
	err := tx.SQL().GetContext(ctx, &r, "SELECT "+entryColumns+` FROM price_book_entries e JOIN price_books b ON b.id = e.price_book_id
		WHERE e.price_book_id = $1 AND e.product_id = $2`, book, product)
	if err != nil {
		if err = pg.MapError(err); errs.KindOf(err) == errs.NotFound {
			return nil, ErrEntryNotFound
		}
		return nil, fmt.Errorf("read entry: %w", err)
	}
	e := r.entry()
	return &e, nil
}

// Entries returns up to limit entries of the price book id by product id,
// after the product id after ("" from the first); a book of no entries is
// an empty list, a missing book ErrPriceBookNotFound.
func (s *Store) Entries(ctx context.Context, tenant, id, after string, limit int) (out []Entry, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if _, err := getPriceBook(ctx, tx, id, ""); err != nil {
			return err
		}
		if after == "" {
			after = uuid.Nil.String()
		}
		var rows []entryRow
		q := "SELECT " + entryColumns + ` FROM price_book_entries e JOIN price_books b ON b.id = e.price_book_id
			WHERE e.price_book_id = $1 AND e.product_id > $2 ORDER BY e.product_id LIMIT ` + strconv.Itoa(limit)
		if err := tx.SQL().SelectContext(ctx, &rows, q, id, after); err != nil {
			return fmt.Errorf("list entries: %w", pg.MapError(err))
		}
		out = make([]Entry, len(rows))
		for i, r := range rows {
			out[i] = r.entry()
		}
		return nil
	})
	return out, err
}

// SetEntry sets the price of product in the price book id: set validates
// the price against the book and the product (as they are, both locked
// against changes for the transaction) and the entry as it was (nil for a
// new one), and returns the entry to store. Unless it is unchanged, the
// entry is stored and pricebook.entry_set published. It returns the entry
// and whether it was new.
func (s *Store) SetEntry(ctx context.Context, tenant, id, product string, set func(b *PriceBook, p *Product, old *Entry) (*Entry, error)) (out *Entry, created bool, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		b, err := getPriceBook(ctx, tx, id, "FOR SHARE")
		if err != nil {
			return err
		}
		p, err := getProduct(ctx, tx, product, false)
		if err != nil {
			return err
		}
		old, err := getEntry(ctx, tx, id, product)
		if err != nil && !errors.Is(err, ErrEntryNotFound) {
			return err
		}
		if out, err = set(b, p, old); err != nil {
			return err
		}
		created = old == nil
		if old != nil && old.UnitPrice.Minor == out.UnitPrice.Minor {
			out = old
			return nil
		}
		if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO price_book_entries (tenant_id, price_book_id, product_id, unit_price_minor, created_at, updated_at)
			VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5)
			ON CONFLICT (tenant_id, price_book_id, product_id) DO UPDATE SET unit_price_minor = EXCLUDED.unit_price_minor, updated_at = EXCLUDED.updated_at`,
			id, product, out.UnitPrice.Minor, out.CreatedAt, out.UpdatedAt); err != nil {
			if errors.Is(pg.MapError(err), pg.ErrReference) {
				return ErrProductNotFound
			}
			return fmt.Errorf("save entry: %w", pg.MapError(err))
		}
		return tx.Emit(ctx, pgstore.EntityPriceBook, pgstore.VerbEntrySet, id, out, nil)
	})
	return out, created, err
}

// DeleteEntry removes the price of product from the price book id and
// publishes pricebook.entry_deleted with the entry as it was.
func (s *Store) DeleteEntry(ctx context.Context, tenant, id, product string) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if _, err := getPriceBook(ctx, tx, id, "FOR SHARE"); err != nil {
			return err
		}
		old, err := getEntry(ctx, tx, id, product)
		if err != nil {
			return err
		}
		if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM price_book_entries WHERE price_book_id = $1 AND product_id = $2", id, product); err != nil {
			return fmt.Errorf("delete entry: %w", pg.MapError(err))
		}
		return tx.Emit(ctx, pgstore.EntityPriceBook, pgstore.VerbEntryDeleted, id, old, nil)
	})
}
