// Package customdefs is the custom field definitions of the sales
// service's records, one Service per entity ("lead", "opportunity"):
// libs/customfields' definitions kept in sales' own custom_fields table
// (0008_lead_tags_fields.sql, row-level security), listed with sales:read
// and changed with sales:admin, each change published as
// custom_field.created, .updated or .deleted. The packages of the records
// check their values against Defs in their writes' transactions.
package customdefs

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// Store is the SQL of the definitions, in custom_fields.
var Store = customfields.Store{Table: "custom_fields"}

// Fields are the tenant's custom field definitions of one entity by key.
type Fields = map[string]customfields.Field

// Defs reads the tenant's definitions of entity in tx, by key.
func Defs(ctx context.Context, tx *outbox.Tx, entity string) (Fields, error) {
	return Store.Defs(ctx, tx.SQL(), entity)
}

// readOnly are the fields of a definition the service sets.
var readOnly = []string{"id", "createdAt", "updatedAt", "version"}

// The errors of the definitions' changes.
var (
	ErrVersion         = errs.New(errs.PreconditionFailed, "version-mismatch", "the custom field changed since you read it; read it again and retry")
	ErrIfMatchRequired = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
)

// Service manages the tenant's custom field definitions of one entity
// (libs/customfields): a definition's key, entity and type are immutable,
// its options can only be added; deleting one hides its values from reads.
type Service interface {
	ListFields(ctx context.Context) ([]customfields.Field, error)
	CreateField(ctx context.Context, d customfields.Field) (*customfields.Field, error)
	UpdateField(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*customfields.Field, []string, error)
	DeleteField(ctx context.Context, id string, ifMatch int64) error
}

// service is the Service of the definitions of entity.
type service struct {
	db     *outbox.DB
	entity string
	now    func() time.Time
	rows   pgrecord.Rows[*customfields.Field]
}

// NewService returns the Service of the definitions of entity on db.
func NewService(db *outbox.DB, entity string) Service {
	s := &service{db: db, entity: entity, now: time.Now}
	s.rows = pgrecord.Rows[*customfields.Field]{
		Entity: pgstore.EntityCustomField,
		Lock: func(ctx context.Context, tx *outbox.Tx, id string) (*customfields.Field, error) {
			d, err := Store.Get(ctx, tx.SQL(), id, true)
			if err == nil && d.Entity != entity {
				return nil, customfields.ErrNotFound
			}
			return d, err
		},
		Write: func(ctx context.Context, tx *outbox.Tx, _, next *customfields.Field) error {
			return Store.Save(ctx, tx.SQL(), next, false)
		},
		Delete: func(ctx context.Context, tx *outbox.Tx, id string) error { return Store.Delete(ctx, tx.SQL(), id) },
	}
	return s
}

// tenantOf returns the caller's tenant; an id that is no UUID (when ids
// are given) is customfields.ErrNotFound.
func tenantOf(ctx context.Context, idList ...string) (string, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return "", auth.ErrUnauthenticated
	}
	for _, id := range idList {
		if !ids.Valid(id) {
			return "", customfields.ErrNotFound
		}
	}
	return p.TenantID, nil
}

// ListFields implements Service, by key.
func (s *service) ListFields(ctx context.Context) (out []customfields.Field, err error) {
	t, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, t, func(tx *outbox.Tx) error {
		out, err = Store.List(ctx, tx.SQL(), s.entity)
		return err
	})
	for i := range out {
		out[i].UTC()
	}
	return out, err
}

// CreateField implements Service: a definition of the service's entity,
// published as custom_field.created.
func (s *service) CreateField(ctx context.Context, d customfields.Field) (*customfields.Field, error) {
	t, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	if d.Entity == "" {
		d.Entity = s.entity
	}
	if err := d.Validate(nil, s.entity); err != nil {
		return nil, err
	}
	now := pg.Timestamp(s.now())
	d.ID, d.CreatedAt, d.UpdatedAt, d.Version = ids.New(), now, now, 1
	return &d, s.db.InTx(ctx, t, func(tx *outbox.Tx) error {
		if err := Store.Save(ctx, tx.SQL(), &d, true); err != nil {
			return err
		}
		return tx.Emit(ctx, pgstore.EntityCustomField, pgstore.VerbCreated, d.ID, &d, nil)
	})
}

// UpdateField implements Service. A patch that changes nothing keeps the
// version and publishes nothing.
func (s *service) UpdateField(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*customfields.Field, []string, error) {
	t, err := tenantOf(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	out, ch, err := pgrecord.Update(ctx, s.db, t, id, s.rows, func(old *customfields.Field) (*customfields.Field, pgrecord.Change, error) {
		if old.Version != ifMatch {
			return nil, pgrecord.Change{}, ErrVersion
		}
		next := &customfields.Field{}
		if err := mergepatch.Apply(old, patch, readOnly, next); err != nil {
			return nil, pgrecord.Change{}, err
		}
		if err := next.Validate(old, s.entity); err != nil {
			return nil, pgrecord.Change{}, err
		}
		next.ID, next.CreatedAt, next.UpdatedAt, next.Version = old.ID, old.CreatedAt, pg.Timestamp(s.now()), old.Version+1
		return pgrecord.Updated(old, next)
	})
	if out != nil {
		out.UTC()
	}
	return out, ch.Fields, err
}

// DeleteField implements Service: the values stay in the records, hidden
// from reads, until a record is next written.
func (s *service) DeleteField(ctx context.Context, id string, ifMatch int64) error {
	t, err := tenantOf(ctx, id)
	if err != nil {
		return err
	}
	_, _, err = pgrecord.Update(ctx, s.db, t, id, s.rows, func(old *customfields.Field) (*customfields.Field, pgrecord.Change, error) {
		if ifMatch != 0 && old.Version != ifMatch {
			return nil, pgrecord.Change{}, ErrVersion
		}
		old.UTC()
		return old, pgrecord.Change{Verb: pgstore.VerbDeleted}, nil
	})
	return err
}
