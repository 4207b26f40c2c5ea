package search

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/filter"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// maxViewName bounds a saved view's name, in characters.
const maxViewName = 100

// viewReadOnlyFields are the fields of a saved view a request may not set.
var viewReadOnlyFields = []string{"id", "ownerId", "builtin", "createdAt", "updatedAt", "version"}

// checkView validates v against its entity's vocabulary (fields.go): the
// filter compiles, q parses, the sort names sortable fields and the columns
// any field.
func checkView(ctx context.Context, tx *pgstore.Tx, v *SavedView) error {
	val := errs.NewValidator()
	v.Name = strings.TrimSpace(v.Name)
	val.Check(v.Entity == customer.EntityContact || v.Entity == customer.EntityAccount, "entity", "must be contact or account")
	val.Check(v.Name != "" && utf8.RuneCountInString(v.Name) <= maxViewName, "name", fmt.Sprintf("must be 1 to %d characters", maxViewName))
	val.Check(v.Visibility == VisibilityPrivate || v.Visibility == VisibilityShared, "visibility", "must be private or shared")
	val.Check(len(v.Columns) <= MaxViewColumns, "columns", fmt.Sprintf("must list at most %d fields", MaxViewColumns))
	if err := val.Err(); err != nil {
		return err
	}
	v.Filter = canonicalFilter(v.Filter)
	k := pgstore.TableOf(v.Entity)
	defs, err := catalog.CustomFieldDefs(ctx, tx, k.Entity)
	if err != nil {
		return err
	}
	schema := schemaFor(k, defs)
	if node, err := parseFilter(v.Filter); err != nil {
		return err
	} else if node != nil {
		if _, _, err := filter.Compile(node, schema, 1); err != nil {
			return err
		}
	}
	if _, err := parseText(v.Q); err != nil {
		return err
	}
	if _, err := filter.ParseSort(v.Sort, schema); err != nil {
		return err
	}
	if v.Columns == nil {
		v.Columns = []string{}
	}
	for i, c := range v.Columns {
		val.Check(knownName(k, defs, c), fmt.Sprintf("columns/%d", i), fmt.Sprintf("unknown field %q of %ss", c, k.Entity))
	}
	return val.Err()
}

// mayChange reports whether p may change or delete v.
func mayChange(p auth.Principal, v *SavedView) bool {
	return !v.Builtin && (v.OwnerID == p.UserID || v.Visibility == VisibilityShared && p.Can(customer.PermAdmin))
}

// CreateView implements Service: the caller owns the new view.
func (s *service) CreateView(ctx context.Context, v SavedView) (*SavedView, error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return nil, err
	}
	now := s.timestamp()
	v.ID, v.OwnerID, v.Builtin, v.CreatedAt, v.UpdatedAt, v.Version = ids.New(), p.UserID, false, now, now, 1
	if v.Visibility == "" {
		v.Visibility = VisibilityPrivate
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		if err := checkView(ctx, tx, &v); err != nil {
			return err
		}
		return insertView(ctx, tx, &v)
	})
	return &v, err
}

// GetView implements Service.
func (s *service) GetView(ctx context.Context, id string) (v *SavedView, err error) {
	p, err := customer.CallerOf(ctx, id, ErrViewNotFound)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		if err := ensureBuiltinViews(ctx, tx, p.TenantID); err != nil {
			return err
		}
		v, err = getView(ctx, tx, id, p.UserID, false)
		return err
	})
	return v, err
}

// UpdateView implements Service. A patch that changes nothing keeps the
// version and publishes nothing.
func (s *service) UpdateView(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*SavedView, error) {
	p, err := customer.CallerOf(ctx, id, ErrViewNotFound)
	if err != nil {
		return nil, err
	}
	if ifMatch == 0 {
		return nil, customer.ErrIfMatchRequired
	}
	return updateView(ctx, s.db, p, id, func(tx *pgstore.Tx, old *SavedView) (*SavedView, pgstore.Change, error) {
		if !mayChange(p, old) {
			return nil, pgstore.Change{}, ErrViewReadOnly
		}
		if old.Version != ifMatch {
			return nil, pgstore.Change{}, customer.ErrVersionMismatch
		}
		v := &SavedView{}
		if err := mergepatch.Apply(old, patch, append([]string{"entity"}, viewReadOnlyFields...), v); err != nil {
			return nil, pgstore.Change{}, err
		}
		v.ID, v.Entity, v.OwnerID, v.CreatedAt = old.ID, old.Entity, old.OwnerID, old.CreatedAt
		v.UpdatedAt, v.Version = s.timestamp(), old.Version+1
		if err := checkView(ctx, tx, v); err != nil {
			return nil, pgstore.Change{}, err
		}
		return pgstore.Updated(old, v)
	})
}

// DeleteView implements Service.
func (s *service) DeleteView(ctx context.Context, id string) error {
	p, err := customer.CallerOf(ctx, id, ErrViewNotFound)
	if err != nil {
		return err
	}
	_, err = updateView(ctx, s.db, p, id, func(tx *pgstore.Tx, v *SavedView) (*SavedView, pgstore.Change, error) {
		if !mayChange(p, v) {
			return nil, pgstore.Change{}, ErrViewReadOnly
		}
		return pgstore.Deleted(tx, v)
	})
	return err
}

// ListViews implements Service.
func (s *service) ListViews(ctx context.Context, entity string) (out []SavedView, err error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		if err := ensureBuiltinViews(ctx, tx, p.TenantID); err != nil {
			return err
		}
		out, err = listViews(ctx, tx, entity, p.UserID)
		return err
	})
	return out, err
}

// applyView fills q's empty search, filter and sort from its saved view.
func (s *service) applyView(ctx context.Context, tx *pgstore.Tx, k *pgstore.Table, p auth.Principal, q *ListQuery) error {
	if q.View == "" {
		return nil
	}
	notFound := func() error {
		e := ErrViewNotFound.WithDetail("saved view %q not found", q.View)
		e.Fields = []errs.FieldError{{Field: "view", Reason: "no such saved view"}}
		return e
	}
	if !ids.Valid(q.View) {
		return notFound()
	}
	if err := ensureBuiltinViews(ctx, tx, p.TenantID); err != nil {
		return err
	}
	v, err := getView(ctx, tx, q.View, p.UserID, false)
	if err == ErrViewNotFound {
		return notFound()
	} else if err != nil {
		return err
	}
	if v.Entity != k.Entity {
		e := ErrViewEntity.WithDetail("saved view %q lists %ss", v.ID, v.Entity)
		e.Fields = []errs.FieldError{{Field: "view", Reason: "lists " + v.Entity + "s"}}
		return e
	}
	if len(q.Filter) == 0 {
		q.Filter = v.Filter
	}
	q.Q = cmp.Or(q.Q, v.Q)
	q.Sort = cmp.Or(q.Sort, v.Sort)
	return nil
}
