package leads

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

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// EntityLead is the entity of the custom fields of leads.
const EntityLead = "lead"

// Fields are the tenant's custom field definitions of leads by key.
type Fields = map[string]customfields.Field

// fieldStore is the SQL of the definitions, in custom_fields
// (0008_lead_tags_fields.sql).
var fieldStore = customfields.Store{Table: "custom_fields"}

// fieldReadOnly are the fields of a definition the service sets.
var fieldReadOnly = []string{"id", "createdAt", "updatedAt", "version"}

// ErrFieldVersion is a change of a definition at another version.
var ErrFieldVersion = errs.New(errs.PreconditionFailed, "version-mismatch", "the custom field changed since you read it; read it again and retry")

// FieldService manages the tenant's custom field definitions of leads
// (libs/customfields): a definition's key, entity and type are immutable,
// its options can only be added; deleting one hides its values from reads.
type FieldService interface {
	ListFields(ctx context.Context) ([]customfields.Field, error)
	CreateField(ctx context.Context, d customfields.Field) (*customfields.Field, error)
	UpdateField(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*customfields.Field, []string, error)
	DeleteField(ctx context.Context, id string, ifMatch int64) error
}

// NewFieldService returns the FieldService on store.
func NewFieldService(store *Store) FieldService { return &service{store: store, now: time.Now} }

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

// ListFields implements FieldService, by key.
func (s *service) ListFields(ctx context.Context) (out []customfields.Field, err error) {
	t, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	err = s.store.db.InTx(ctx, t, func(tx *outbox.Tx) error {
		out, err = fieldStore.List(ctx, tx.SQL(), EntityLead)
		return err
	})
	for i := range out {
		out[i].UTC()
	}
	return out, err
}

// CreateField implements FieldService: a definition of leads, published
// as custom_field.created.
func (s *service) CreateField(ctx context.Context, d customfields.Field) (*customfields.Field, error) {
	t, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	if d.Entity == "" {
		d.Entity = EntityLead
	}
	if err := d.Validate(nil, EntityLead); err != nil {
		return nil, err
	}
	now := pg.Timestamp(s.now())
	d.ID, d.CreatedAt, d.UpdatedAt, d.Version = ids.New(), now, now, 1
	return &d, s.store.db.InTx(ctx, t, func(tx *outbox.Tx) error {
		if err := fieldStore.Save(ctx, tx.SQL(), &d, true); err != nil {
			return err
		}
		return tx.Emit(ctx, pgstore.EntityCustomField, pgstore.VerbCreated, d.ID, &d, nil)
	})
}

// fieldRows is how pgstore.Update reads, writes and deletes definitions.
var fieldRows = pgstore.Rows[*customfields.Field]{
	Entity: pgstore.EntityCustomField,
	Lock: func(ctx context.Context, tx *outbox.Tx, id string) (*customfields.Field, error) {
		d, err := fieldStore.Get(ctx, tx.SQL(), id, true)
		if err == nil && d.Entity != EntityLead {
			return nil, customfields.ErrNotFound
		}
		return d, err
	},
	Write: func(ctx context.Context, tx *outbox.Tx, _, next *customfields.Field) error {
		return fieldStore.Save(ctx, tx.SQL(), next, false)
	},
	Delete: func(ctx context.Context, tx *outbox.Tx, id string) error { return fieldStore.Delete(ctx, tx.SQL(), id) },
}

// UpdateField implements FieldService. A patch that changes nothing keeps
// the version and publishes nothing.
func (s *service) UpdateField(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*customfields.Field, []string, error) {
	t, err := tenantOf(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	out, ch, err := pgstore.Update(ctx, s.store.db, t, id, fieldRows, func(old *customfields.Field) (*customfields.Field, pgstore.Change, error) {
		if old.Version != ifMatch {
			return nil, pgstore.Change{}, ErrFieldVersion
		}
		next := &customfields.Field{}
		if err := mergepatch.Apply(old, patch, fieldReadOnly, next); err != nil {
			return nil, pgstore.Change{}, err
		}
		if err := next.Validate(old, EntityLead); err != nil {
			return nil, pgstore.Change{}, err
		}
		next.ID, next.CreatedAt, next.UpdatedAt, next.Version = old.ID, old.CreatedAt, pg.Timestamp(s.now()), old.Version+1
		return pgstore.Updated(old, next)
	})
	if out != nil {
		out.UTC()
	}
	return out, ch.Fields, err
}

// DeleteField implements FieldService: the values stay in the leads,
// hidden from reads, until a lead is next written.
func (s *service) DeleteField(ctx context.Context, id string, ifMatch int64) error {
	t, err := tenantOf(ctx, id)
	if err != nil {
		return err
	}
	_, _, err = pgstore.Update(ctx, s.store.db, t, id, fieldRows, func(old *customfields.Field) (*customfields.Field, pgstore.Change, error) {
		if ifMatch != 0 && old.Version != ifMatch {
			return nil, pgstore.Change{}, ErrFieldVersion
		}
		old.UTC()
		return old, pgstore.Change{Verb: pgstore.VerbDeleted}, nil
	})
	return err
}
