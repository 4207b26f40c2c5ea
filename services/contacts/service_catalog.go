package contacts

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/services/contacts/customer"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/mergepatch"
)

var colourPattern = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// maxDescription bounds a tag's description, in characters.
const maxDescription = 500

// normalize validates a tag and fills its default colour.
func (t *Tag) normalize() error {
	v := errs.NewValidator()
	t.Name, t.Description = strings.TrimSpace(t.Name), strings.TrimSpace(t.Description)
	v.Check(t.Name != "" && utf8.RuneCountInString(t.Name) <= customer.MaxLabel, "name", fmt.Sprintf("must be 1 to %d characters", customer.MaxLabel))
	if t.Colour == "" {
		t.Colour = DefaultTagColour
	}
	t.Colour = strings.ToUpper(t.Colour)
	v.Check(colourPattern.MatchString(t.Colour), "colour", "must be a colour such as #1E88E5")
	customer.CheckLen(v, "description", t.Description, maxDescription)
	return v.Err()
}

// CreateTag implements Service.
func (s *service) CreateTag(ctx context.Context, t Tag) (*Tag, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.normalize(); err != nil {
		return nil, err
	}
	now := s.timestamp()
	t.ID, t.CreatedAt, t.UpdatedAt, t.Version = newID(), now, now, 1
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		if err := saveTag(ctx, tx, &t, true); err != nil {
			return err
		}
		return s.emit(ctx, tx, p.TenantID, "tag", customer.VerbCreated, t.ID, t, nil)
	})
	return &t, err
}

// GetTag implements Service.
func (s *service) GetTag(ctx context.Context, id string) (t *Tag, err error) {
	p, err := callerOf(ctx, id, ErrTagNotFound)
	if err != nil {
		return nil, err
	}
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		t, err = getTag(ctx, tx, id, false)
		return err
	})
	return t, err
}

// UpdateTag implements Service: a rename keeps every assignment.
func (s *service) UpdateTag(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (t *Tag, err error) {
	p, err := callerOf(ctx, id, ErrTagNotFound)
	if err != nil {
		return nil, err
	}
	if ifMatch == 0 {
		return nil, customer.ErrIfMatchRequired
	}
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		old, err := getTag(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if old.Version != ifMatch {
			return customer.ErrVersionMismatch
		}
		t = &Tag{}
		if err := mergepatch.Apply(old, patch, customer.ReadOnlyFields, t); err != nil {
			return err
		}
		if err := t.normalize(); err != nil {
			return err
		}
		t.ID, t.CreatedAt, t.UpdatedAt, t.Version = old.ID, old.CreatedAt, s.timestamp(), old.Version+1
		changed, err := customer.ChangedFields(old, t)
		if err != nil || len(changed) == 0 {
			t = old
			return err
		}
		if err := saveTag(ctx, tx, t, false); err != nil {
			return err
		}
		return s.emit(ctx, tx, p.TenantID, "tag", customer.VerbUpdated, id, t, changed)
	})
	return t, err
}

// DeleteTag implements Service: the tag leaves the catalogue, and so every
// record's tags, at once; its id leaves the rows afterwards
// (StripDeletedTags).
func (s *service) DeleteTag(ctx context.Context, id string) error {
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	if !validID(id) {
		return ErrTagNotFound
	}
	return s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		t, err := getTag(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := deleteTag(ctx, tx, id, s.timestamp()); err != nil {
			return err
		}
		return s.emit(ctx, tx, p.TenantID, "tag", customer.VerbDeleted, id, t, nil)
	})
}

// ListTags implements Service.
func (s *service) ListTags(ctx context.Context) (tags []Tag, err error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		tags, err = listTags(ctx, tx)
		return err
	})
	return tags, err
}

// CreateCustomField implements Service.
func (s *service) CreateCustomField(ctx context.Context, d customer.CustomField) (*customer.CustomField, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := d.Validate(nil); err != nil {
		return nil, err
	}
	now := s.timestamp()
	d.ID, d.CreatedAt, d.UpdatedAt, d.Version = newID(), now, now, 1
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		if err := saveCustomField(ctx, tx, &d, true); err != nil {
			return err
		}
		return s.emit(ctx, tx, p.TenantID, customer.EventCustomField, customer.VerbCreated, d.ID, d, nil)
	})
	return &d, err
}

// GetCustomField implements Service.
func (s *service) GetCustomField(ctx context.Context, id string) (d *customer.CustomField, err error) {
	p, err := callerOf(ctx, id, ErrCustomFieldNotFound)
	if err != nil {
		return nil, err
	}
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		d, err = getCustomField(ctx, tx, id, false)
		return err
	})
	return d, err
}

// UpdateCustomField implements Service: the label, the required flag and
// (extending only) the options can change; no record is touched. A patch
// that changes nothing keeps the version and publishes nothing.
func (s *service) UpdateCustomField(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (d *customer.CustomField, err error) {
	p, err := callerOf(ctx, id, ErrCustomFieldNotFound)
	if err != nil {
		return nil, err
	}
	if ifMatch == 0 {
		return nil, customer.ErrIfMatchRequired
	}
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		old, err := getCustomField(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if old.Version != ifMatch {
			return customer.ErrVersionMismatch
		}
		d = &customer.CustomField{}
		if err := mergepatch.Apply(old, patch, customer.ReadOnlyFields, d); err != nil {
			return err
		}
		if err := d.Validate(old); err != nil {
			return err
		}
		d.ID, d.CreatedAt, d.UpdatedAt, d.Version = old.ID, old.CreatedAt, s.timestamp(), old.Version+1
		changed, err := customer.ChangedFields(old, d)
		if err != nil || len(changed) == 0 {
			d = old
			return err
		}
		if err := saveCustomField(ctx, tx, d, false); err != nil {
			return err
		}
		return s.emit(ctx, tx, p.TenantID, customer.EventCustomField, customer.VerbUpdated, id, d, changed)
	})
	return d, err
}

// DeleteCustomField implements Service: values stay in the records, hidden.
func (s *service) DeleteCustomField(ctx context.Context, id string) error {
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	if !validID(id) {
		return ErrCustomFieldNotFound
	}
	return s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		d, err := getCustomField(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := deleteCustomField(ctx, tx, id); err != nil {
			return err
		}
		return s.emit(ctx, tx, p.TenantID, customer.EventCustomField, customer.VerbDeleted, id, d, nil)
	})
}

// ListCustomFields implements Service; entity "" lists both entities.
func (s *service) ListCustomFields(ctx context.Context, entity string) (defs []customer.CustomField, err error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	v := errs.NewValidator()
	v.Check(entity == "" || entity == customer.EntityContact || entity == customer.EntityAccount, "entity", "must be contact or account")
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		defs, err = listCustomFields(ctx, tx, entity)
		return err
	})
	return defs, err
}

// GetSettings implements Service.
func (s *service) GetSettings(ctx context.Context) (st *Settings, err error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		st, err = getSettings(ctx, tx)
		return err
	})
	return st, err
}

// PutSettings implements Service.
func (s *service) PutSettings(ctx context.Context, st Settings) (*Settings, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	v := errs.NewValidator()
	v.Check(customer.ValidPhoneRegion(st.DefaultRegion), "defaultRegion", "must be one of "+strings.Join(customer.PhoneRegions, ", "))
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error { return putSettings(ctx, tx, &st) })
	return &st, err
}
