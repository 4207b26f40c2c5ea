package contacts

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/mergepatch"
)

var (
	colourPattern = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)
	keyPattern    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
)

// maxDescription bounds a tag's description, in characters.
const maxDescription = 500

// normalize validates a tag and fills its default colour.
func (t *Tag) normalize() error {
	v := errs.NewValidator()
	t.Name, t.Description = strings.TrimSpace(t.Name), strings.TrimSpace(t.Description)
	v.Check(t.Name != "" && utf8.RuneCountInString(t.Name) <= maxLabel, "name", fmt.Sprintf("must be 1 to %d characters", maxLabel))
	if t.Colour == "" {
		t.Colour = DefaultTagColour
	}
	t.Colour = strings.ToUpper(t.Colour)
	v.Check(colourPattern.MatchString(t.Colour), "colour", "must be a colour such as #1E88E5")
	checkLen(v, "description", t.Description, maxDescription)
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
		return s.emit(ctx, tx, p.TenantID, "tag", VerbCreated, t.ID, t, nil)
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
		return nil, ErrIfMatchRequired
	}
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		old, err := getTag(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if old.Version != ifMatch {
			return ErrVersionMismatch
		}
		t = &Tag{}
		if err := mergepatch.Apply(old, patch, readOnlyFields, t); err != nil {
			return err
		}
		if err := t.normalize(); err != nil {
			return err
		}
		t.ID, t.CreatedAt, t.UpdatedAt, t.Version = old.ID, old.CreatedAt, s.timestamp(), old.Version+1
		changed, err := changedFields(old, t)
		if err != nil || len(changed) == 0 {
			t = old
			return err
		}
		if err := saveTag(ctx, tx, t, false); err != nil {
			return err
		}
		return s.emit(ctx, tx, p.TenantID, "tag", VerbUpdated, id, t, changed)
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
		return s.emit(ctx, tx, p.TenantID, "tag", VerbDeleted, id, t, nil)
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

// isSelect reports whether a custom field type has options.
func isSelect(typ string) bool { return typ == "singleSelect" || typ == "multiSelect" }

// validate checks a custom field definition; old is the stored definition
// on updates, whose key, entity and type are immutable and whose options may
// only be extended.
func (d *CustomField) validate(old *CustomField) error {
	v := errs.NewValidator()
	d.Label = strings.TrimSpace(d.Label)
	v.Check(d.Entity == EntityContact || d.Entity == EntityAccount, "entity", "must be contact or account")
	v.Check(keyPattern.MatchString(d.Key), "key", "must match [a-z][a-z0-9_]{0,62}")
	v.Check(d.Label != "" && utf8.RuneCountInString(d.Label) <= maxShort, "label", fmt.Sprintf("must be 1 to %d characters", maxShort))
	v.Check(slices.Contains(CustomFieldTypes, d.Type), "type", "must be one of "+strings.Join(CustomFieldTypes, ", "))
	if isSelect(d.Type) {
		v.Check(len(d.Options) > 0, "options", "a select field needs at least one option")
	} else {
		v.Check(len(d.Options) == 0, "options", "only select fields have options")
	}
	if d.Options == nil {
		d.Options = pq.StringArray{}
	}
	seen := map[string]bool{}
	for i, o := range d.Options {
		v.Check(o != "" && utf8.RuneCountInString(o) <= maxShort && !seen[o], fmt.Sprintf("options/%d", i),
			fmt.Sprintf("must be a distinct option of 1 to %d characters", maxShort))
		seen[o] = true
	}
	if old != nil {
		v.Check(d.Key == old.Key, "key", "is immutable")
		v.Check(d.Entity == old.Entity, "entity", "is immutable")
		v.Check(d.Type == old.Type, "type", "is immutable")
		for _, o := range old.Options {
			v.Check(seen[o], "options", fmt.Sprintf("options can be added but not removed (missing %q)", o))
		}
	}
	return v.Err()
}

// CreateCustomField implements Service.
func (s *service) CreateCustomField(ctx context.Context, d CustomField) (*CustomField, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := d.validate(nil); err != nil {
		return nil, err
	}
	now := s.timestamp()
	d.ID, d.CreatedAt, d.UpdatedAt, d.Version = newID(), now, now, 1
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		if err := saveCustomField(ctx, tx, &d, true); err != nil {
			return err
		}
		return s.emit(ctx, tx, p.TenantID, eventCustomField, VerbCreated, d.ID, d, nil)
	})
	return &d, err
}

// GetCustomField implements Service.
func (s *service) GetCustomField(ctx context.Context, id string) (d *CustomField, err error) {
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
func (s *service) UpdateCustomField(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (d *CustomField, err error) {
	p, err := callerOf(ctx, id, ErrCustomFieldNotFound)
	if err != nil {
		return nil, err
	}
	if ifMatch == 0 {
		return nil, ErrIfMatchRequired
	}
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		old, err := getCustomField(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if old.Version != ifMatch {
			return ErrVersionMismatch
		}
		d = &CustomField{}
		if err := mergepatch.Apply(old, patch, readOnlyFields, d); err != nil {
			return err
		}
		if err := d.validate(old); err != nil {
			return err
		}
		d.ID, d.CreatedAt, d.UpdatedAt, d.Version = old.ID, old.CreatedAt, s.timestamp(), old.Version+1
		changed, err := changedFields(old, d)
		if err != nil || len(changed) == 0 {
			d = old
			return err
		}
		if err := saveCustomField(ctx, tx, d, false); err != nil {
			return err
		}
		return s.emit(ctx, tx, p.TenantID, eventCustomField, VerbUpdated, id, d, changed)
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
		return s.emit(ctx, tx, p.TenantID, eventCustomField, VerbDeleted, id, d, nil)
	})
}

// ListCustomFields implements Service; entity "" lists both entities.
func (s *service) ListCustomFields(ctx context.Context, entity string) (defs []CustomField, err error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	v := errs.NewValidator()
	v.Check(entity == "" || entity == EntityContact || entity == EntityAccount, "entity", "must be contact or account")
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
	v.Check(validPhoneRegion(st.DefaultRegion), "defaultRegion", "must be one of "+strings.Join(PhoneRegions, ", "))
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.store.inTx(ctx, p.TenantID, func(tx *sqlx.Tx) error { return putSettings(ctx, tx, &st) })
	return &st, err
}
