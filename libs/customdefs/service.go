// Package customdefs is the custom field definitions of a service's
// records, one Service per entity ("lead", "case"): libs/customfields'
// definitions kept in the service's own table (customfields.Store, with
// row-level security), listed with the module's read permission and
// changed with its admin permission, each change published as
// custom_field.created, .updated or .deleted (EntityCustomField). The
// packages of the records check their values against Defs in their
// writes' transactions. Sales (leads, opportunities) and support (cases)
// share it.
package customdefs

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// EntityCustomField is the entity of the definitions' events; a service
// using this package lists it in its catalogue with VerbCreated,
// events.VerbUpdated and events.VerbDeleted.
const EntityCustomField = "custom_field"

// VerbCreated is the verb of a new definition's event.
const VerbCreated = "created"

// Fields are the tenant's custom field definitions of one entity by key.
type Fields = map[string]customfields.Field

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
	store  customfields.Store
	entity string
	now    func() time.Time
	rows   pgrecord.Rows[*customfields.Field]
}

// NewService returns the Service of the definitions of entity in store's
// table on db.
func NewService(db *outbox.DB, store customfields.Store, entity string) Service {
	s := &service{db: db, store: store, entity: entity, now: time.Now}
	s.rows = pgrecord.Rows[*customfields.Field]{
		Entity: EntityCustomField,
		Lock: func(ctx context.Context, tx *outbox.Tx, id string) (*customfields.Field, error) {
			d, err := store.Get(ctx, tx.SQL(), id, true)
			if err == nil && d.Entity != entity {
				return nil, customfields.ErrNotFound
			}
			return d, err
		},
		Write: func(ctx context.Context, tx *outbox.Tx, _, next *customfields.Field) error {
			return store.Save(ctx, tx.SQL(), next, false)
		},
		Delete: func(ctx context.Context, tx *outbox.Tx, id string) error { return store.Delete(ctx, tx.SQL(), id) },
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
		out, err = s.store.List(ctx, tx.SQL(), s.entity)
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
		if err := s.store.Save(ctx, tx.SQL(), &d, true); err != nil {
			return err
		}
		return tx.Emit(ctx, EntityCustomField, VerbCreated, d.ID, &d, nil)
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
		return old, pgrecord.Change{Verb: events.VerbDeleted}, nil
	})
	return err
}
