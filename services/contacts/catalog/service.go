package catalog

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/phone"
	"github.com/rapport-crm/rapport/libs/tags"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// Service manages the tenant's catalogue. Patches are JSON merge patches
// (RFC 7396); ifMatch is the version the caller last saw (0: none).
type Service interface {
	CreateTag(ctx context.Context, t tags.Tag) (*tags.Tag, error)
	GetTag(ctx context.Context, id string) (*tags.Tag, error)
	// UpdateTag renames or recolours a tag; every assignment stays.
	UpdateTag(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*tags.Tag, error)
	// DeleteTag removes a tag from the catalogue, and so from every
	// record's tags, at once; its id leaves the rows afterwards
	// (Store.StripDeletedTags).
	DeleteTag(ctx context.Context, id string) error
	ListTags(ctx context.Context) ([]tags.Tag, error)

	CreateCustomField(ctx context.Context, d customfields.Field) (*customfields.Field, error)
	GetCustomField(ctx context.Context, id string) (*customfields.Field, error)
	// UpdateCustomField changes the label, the required flag and (extending
	// only) the options; no record is touched.
	UpdateCustomField(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*customfields.Field, error)
	// DeleteCustomField removes a definition; the values stay in the
	// records, hidden.
	DeleteCustomField(ctx context.Context, id string) error
	// ListCustomFields lists the definitions of entity ("" for both).
	ListCustomFields(ctx context.Context, entity string) ([]customfields.Field, error)

	GetSettings(ctx context.Context) (*Settings, error)
	PutSettings(ctx context.Context, s Settings) (*Settings, error)
}

type service struct {
	store *Store
	now   func() time.Time
}

// NewService returns the Service on store.
func NewService(store *Store) Service { return &service{store: store, now: time.Now} }

// timestamp is the current time as PostgreSQL stores it.
func (s *service) timestamp() time.Time { return pg.Timestamp(s.now()) }

// unchanged is the Change of a write that changed nothing.
var unchanged = pgstore.Change{}

// CreateTag implements Service.
func (s *service) CreateTag(ctx context.Context, t tags.Tag) (*tags.Tag, error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.Normalize(); err != nil {
		return nil, err
	}
	now := s.timestamp()
	t.ID, t.CreatedAt, t.UpdatedAt, t.Version = ids.New(), now, now, 1
	return &t, s.store.CreateTag(ctx, p.TenantID, &t)
}

// GetTag implements Service.
func (s *service) GetTag(ctx context.Context, id string) (*tags.Tag, error) {
	p, err := customer.CallerOf(ctx, id, ErrTagNotFound)
	if err != nil {
		return nil, err
	}
	return s.store.Tag(ctx, p.TenantID, id)
}

// UpdateTag implements Service. A patch that changes nothing keeps the
// version and publishes nothing.
func (s *service) UpdateTag(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*tags.Tag, error) {
	p, err := customer.CallerOf(ctx, id, ErrTagNotFound)
	if err != nil {
		return nil, err
	}
	if ifMatch == 0 {
		return nil, customer.ErrIfMatchRequired
	}
	return s.store.UpdateTag(ctx, p.TenantID, id, func(_ *pgstore.Tx, old *tags.Tag) (*tags.Tag, pgstore.Change, error) {
		if old.Version != ifMatch {
			return nil, unchanged, customer.ErrVersionMismatch
		}
		t := &tags.Tag{}
		if err := mergepatch.Apply(old, patch, customer.ReadOnlyFields, t); err != nil {
			return nil, unchanged, err
		}
		if err := t.Normalize(); err != nil {
			return nil, unchanged, err
		}
		t.ID, t.CreatedAt, t.UpdatedAt, t.Version = old.ID, old.CreatedAt, s.timestamp(), old.Version+1
		return pgstore.Updated(old, t)
	})
}

// DeleteTag implements Service.
func (s *service) DeleteTag(ctx context.Context, id string) error {
	p, err := customer.CallerOf(ctx, id, ErrTagNotFound)
	if err != nil {
		return err
	}
	_, err = s.store.UpdateTag(ctx, p.TenantID, id, pgstore.Deleted[*tags.Tag])
	return err
}

// ListTags implements Service.
func (s *service) ListTags(ctx context.Context) ([]tags.Tag, error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return nil, err
	}
	return s.store.Tags(ctx, p.TenantID)
}

// CreateCustomField implements Service.
func (s *service) CreateCustomField(ctx context.Context, d customfields.Field) (*customfields.Field, error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := d.Validate(nil, entities...); err != nil {
		return nil, err
	}
	now := s.timestamp()
	d.ID, d.CreatedAt, d.UpdatedAt, d.Version = ids.New(), now, now, 1
	return &d, s.store.CreateCustomField(ctx, p.TenantID, &d)
}

// GetCustomField implements Service.
func (s *service) GetCustomField(ctx context.Context, id string) (*customfields.Field, error) {
	p, err := customer.CallerOf(ctx, id, customfields.ErrNotFound)
	if err != nil {
		return nil, err
	}
	return s.store.CustomField(ctx, p.TenantID, id)
}

// UpdateCustomField implements Service. A patch that changes nothing keeps
// the version and publishes nothing.
func (s *service) UpdateCustomField(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*customfields.Field, error) {
	p, err := customer.CallerOf(ctx, id, customfields.ErrNotFound)
	if err != nil {
		return nil, err
	}
	if ifMatch == 0 {
		return nil, customer.ErrIfMatchRequired
	}
	return s.store.UpdateCustomField(ctx, p.TenantID, id, func(_ *pgstore.Tx, old *customfields.Field) (*customfields.Field, pgstore.Change, error) {
		if old.Version != ifMatch {
			return nil, unchanged, customer.ErrVersionMismatch
		}
		d := &customfields.Field{}
		if err := mergepatch.Apply(old, patch, customer.ReadOnlyFields, d); err != nil {
			return nil, unchanged, err
		}
		if err := d.Validate(old, entities...); err != nil {
			return nil, unchanged, err
		}
		d.ID, d.CreatedAt, d.UpdatedAt, d.Version = old.ID, old.CreatedAt, s.timestamp(), old.Version+1
		return pgstore.Updated(old, d)
	})
}

// DeleteCustomField implements Service.
func (s *service) DeleteCustomField(ctx context.Context, id string) error {
	p, err := customer.CallerOf(ctx, id, customfields.ErrNotFound)
	if err != nil {
		return err
	}
	_, err = s.store.UpdateCustomField(ctx, p.TenantID, id, pgstore.Deleted[*customfields.Field])
	return err
}

// ListCustomFields implements Service.
func (s *service) ListCustomFields(ctx context.Context, entity string) ([]customfields.Field, error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return nil, err
	}
	v := errs.NewValidator()
	v.Check(entity == "" || slices.Contains(entities, entity), "entity", "must be "+strings.Join(entities, " or "))
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.store.CustomFields(ctx, p.TenantID, entity)
}

// GetSettings implements Service.
func (s *service) GetSettings(ctx context.Context) (*Settings, error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return nil, err
	}
	return s.store.Settings(ctx, p.TenantID)
}

// PutSettings implements Service.
func (s *service) PutSettings(ctx context.Context, st Settings) (*Settings, error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return nil, err
	}
	v := errs.NewValidator()
	v.Check(phone.ValidRegion(st.DefaultRegion), "defaultRegion", "must be one of "+strings.Join(phone.Regions, ", "))
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &st, s.store.PutSettings(ctx, p.TenantID, &st)
}
