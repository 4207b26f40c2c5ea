package contacts

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
)

type service struct {
	db      *pgstore.DB
	cursors *kitx.Cursors
	now     func() time.Time
	batches *batcher // creates (service_create.go)
}

// NewService returns the Service on db, signing list cursors with cursors.
func NewService(db *pgstore.DB, cursors *kitx.Cursors) Service {
	s := &service{db: db, cursors: cursors, now: time.Now}
	s.batches = newBatcher(s.runBatch)
	return s
}

// principal returns the caller of ctx.
func principal(ctx context.Context) (auth.Principal, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return auth.Principal{}, auth.ErrUnauthenticated
	}
	return p, nil
}

// callerOf returns the caller of a request naming record id, or notFound
// when id cannot name a record (it is not a UUID).
func callerOf(ctx context.Context, id string, notFound error) (auth.Principal, error) {
	p, err := principal(ctx)
	if err != nil {
		return p, err
	}
	if !validID(id) {
		return p, notFound
	}
	return p, nil
}

// timestamp is the current time as PostgreSQL stores it.
func (s *service) timestamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// newID returns a fresh UUIDv7.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// validID reports whether id is a UUID; other ids are simply not found.
func validID(id string) bool {
	_, err := uuid.Parse(id)
	return err == nil
}

// prepare normalises and validates rec before it is written by p, resolves
// its tag names (creating unknown ones) and folds its custom fields into the
// stored ones, keeping the hidden values of old. It returns the custom field
// definitions it checked against, for presentWith.
func (s *service) prepare(ctx context.Context, tx *pgstore.Tx, k *pgstore.Table, p auth.Principal, rec customer.Record, old customer.JSONMap) (map[string]customer.CustomField, error) {
	region, defs, err := catalog.WriteRules(ctx, tx, k.Entity)
	if err != nil {
		return nil, err
	}
	if err := admit(ctx, tx, p, rec, region, defs); err != nil {
		return nil, err
	}
	return defs, s.resolve(ctx, tx, p, rec, defs, old)
}

// admit normalises and validates rec against the tenant's default phone
// region and the custom field definitions defs, checks its references and
// that p may see it once written. It writes nothing.
func admit(ctx context.Context, tx *pgstore.Tx, p auth.Principal, rec customer.Record, region string, defs map[string]customer.CustomField) error {
	v := errs.NewValidator()
	m := rec.Base()
	m.NormalizeOwnership(v, p.UserID)
	switch r := rec.(type) {
	case *customer.Contact:
		r.Normalize(v, region)
	case *customer.Account:
		r.Normalize(v)
	}
	m.Tags = customer.CheckTagNames(v, "tags", m.Tags)
	if m.CustomFields == nil {
		m.CustomFields = map[string]any{}
	}
	customer.CheckCustomFields(v, defs, m.CustomFields, region)
	if err := v.Err(); err != nil {
		return err
	}
	if err := checkReferences(ctx, tx, rec); err != nil {
		return err
	}
	if !customer.InScope(p, m) {
		return customer.ErrOutOfScope
	}
	return nil
}

// resolve turns the tag names of rec, admitted, into ids (creating unknown
// tags) and folds its custom fields into the stored ones, keeping the
// values of old that defs hide.
func (s *service) resolve(ctx context.Context, tx *pgstore.Tx, p auth.Principal, rec customer.Record, defs map[string]customer.CustomField, old customer.JSONMap) error {
	m := rec.Base()
	ids, err := catalog.ResolveTags(ctx, tx, m.Tags, true, m.UpdatedAt)
	if err != nil {
		return err
	}
	m.SetTagIDs(ids)
	visible := customer.VisibleCustomFields(defs, old, "")
	m.StoredFields = customer.JSONMap{}
	for key, val := range old {
		if _, shown := visible[key]; !shown {
			m.StoredFields[key] = val
		}
	}
	for key, val := range m.CustomFields {
		m.StoredFields[key] = val
	}
	return nil
}

// checkReferences checks that a contact's account and an account's parent
// exist in the tenant, and that an account's parents form no cycle.
func checkReferences(ctx context.Context, tx *pgstore.Tx, rec customer.Record) error {
	v := errs.NewValidator()
	switch r := rec.(type) {
	case *customer.Contact:
		if r.AccountID != nil {
			_, err := pgstore.GetRecord(ctx, tx, pgstore.Accounts, *r.AccountID, false, pgstore.Cond{SQL: "deleted_at IS NULL"})
			if err != nil && err != customer.ErrAccountNotFound {
				return err
			}
			v.Check(err == nil, "accountId", "no such account")
		}
	case *customer.Account:
		if r.ParentAccountID != nil {
			_, err := pgstore.GetRecord(ctx, tx, pgstore.Accounts, *r.ParentAccountID, false, pgstore.Cond{SQL: "deleted_at IS NULL"})
			if err != nil && err != customer.ErrAccountNotFound {
				return err
			}
			v.Check(err == nil, "parentAccountId", "no such account")
			if err == nil {
				cycle, err := parentChainHas(ctx, tx, *r.ParentAccountID, r.ID)
				if err != nil {
					return err
				}
				v.Check(!cycle, "parentAccountId", "would make the account its own ancestor")
			}
		}
	}
	return v.Err()
}

// get reads a live record the caller may see.
func (s *service) get(ctx context.Context, k *pgstore.Table, id string) (rec customer.Record, err error) {
	p, err := callerOf(ctx, id, k.NotFound)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		if rec, err = pgstore.GetRecord(ctx, tx, k, id, false, pgstore.LiveConds(p)...); err != nil {
			return err
		}
		return catalog.Present(ctx, tx, k.Entity, rec)
	})
	return rec, err
}

// update applies a merge patch to a live record at version ifMatch and
// returns the record and the top-level fields it changed (changedFields, as
// its event says); unless opts.AllowDuplicate, a patch that changes what
// identifies the record (changesIdentity) is refused when the result has
// duplicates.
func (s *service) update(ctx context.Context, k *pgstore.Table, id string, ifMatch int64, patch json.RawMessage, opts CreateOptions) (rec customer.Record, changed []string, err error) {
	p, err := callerOf(ctx, id, k.NotFound)
	if err != nil {
		return nil, nil, err
	}
	if ifMatch == 0 {
		return nil, nil, customer.ErrIfMatchRequired
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		old, err := pgstore.GetRecord(ctx, tx, k, id, true, pgstore.LiveConds(p)...)
		if err != nil {
			return err
		}
		if old.Base().Version != ifMatch {
			return customer.ErrVersionMismatch
		}
		if err := catalog.Present(ctx, tx, k.Entity, old); err != nil {
			return err
		}
		rec = k.New()
		if err := mergepatch.Apply(old, patch, customer.ReadOnlyFields, rec); err != nil {
			return err
		}
		m, om := rec.Base(), old.Base()
		m.ID, m.CreatedAt, m.UpdatedAt, m.Version = om.ID, om.CreatedAt, s.timestamp(), om.Version+1
		if c, ok := rec.(*customer.Contact); ok {
			c.DisplayNameManual = patchedDisplayName(patch, old.(*customer.Contact))
		}
		defs, err := s.prepare(ctx, tx, k, p, rec, om.StoredFields)
		if err != nil {
			return err
		}
		if err := catalog.PresentWith(ctx, tx, defs, rec); err != nil {
			return err
		}
		changed, err = customer.ChangedFields(old, rec)
		if err != nil || len(changed) == 0 {
			rec = old
			return err
		}
		if !opts.AllowDuplicate && changesIdentity(changed) {
			refused, err := checkDuplicates(ctx, tx.Prepared(), k, p, []customer.Record{rec}, nil)
			if err != nil {
				return err
			}
			if refused[0] != nil {
				return refused[0]
			}
		}
		if err := pgstore.UpdateRecord(ctx, tx, k, rec); err != nil {
			return err
		}
		if err := recordConsent(ctx, tx, p, old, rec, ConsentUpdated); err != nil {
			return err
		}
		return tx.Emit(ctx, k.Entity, customer.VerbUpdated, id, rec, changed)
	})
	return rec, changed, err
}

// patchedDisplayName tells whether the display name is set by hand after
// patch: the patch sets it (true) or nulls it (false), else it stays as in old.
func patchedDisplayName(patch json.RawMessage, old *customer.Contact) bool {
	var p map[string]json.RawMessage
	_ = json.Unmarshal(patch, &p) // applyPatch has already rejected a malformed patch
	raw, ok := p["displayName"]
	if !ok {
		return old.DisplayNameManual
	}
	var name *string
	return json.Unmarshal(raw, &name) == nil && name != nil && strings.TrimSpace(*name) != ""
}

// remove soft-deletes a live record, checking ifMatch when it is not 0.
func (s *service) remove(ctx context.Context, k *pgstore.Table, id string, ifMatch int64) error {
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	if !validID(id) {
		return k.NotFound
	}
	return s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		rec, err := pgstore.GetRecord(ctx, tx, k, id, true, pgstore.LiveConds(p)...)
		if err != nil {
			return err
		}
		m := rec.Base()
		if ifMatch != 0 && m.Version != ifMatch {
			return customer.ErrVersionMismatch
		}
		now := s.timestamp()
		m.DeletedAt, m.UpdatedAt, m.Version = &now, now, m.Version+1
		if err := pgstore.UpdateRecord(ctx, tx, k, rec); err != nil {
			return err
		}
		if err := catalog.Present(ctx, tx, k.Entity, rec); err != nil {
			return err
		}
		return tx.Emit(ctx, k.Entity, customer.VerbDeleted, id, rec, nil)
	})
}

// restore undeletes a soft-deleted record.
func (s *service) restore(ctx context.Context, k *pgstore.Table, id string) (rec customer.Record, err error) {
	p, err := callerOf(ctx, id, k.NotFound)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		conds := append(pgstore.LiveConds(p)[1:], pgstore.Cond{SQL: "merged_into IS NULL"}) // a merged tombstone stays deleted
		if rec, err = pgstore.GetRecord(ctx, tx, k, id, true, conds...); err != nil {
			return err
		}
		m := rec.Base()
		if m.DeletedAt == nil {
			return customer.ErrNotDeleted
		}
		m.DeletedAt, m.UpdatedAt, m.Version = nil, s.timestamp(), m.Version+1
		if err := pgstore.UpdateRecord(ctx, tx, k, rec); err != nil {
			return err
		}
		if err := catalog.Present(ctx, tx, k.Entity, rec); err != nil {
			return err
		}
		return tx.Emit(ctx, k.Entity, customer.VerbRestored, id, rec, nil)
	})
	return rec, err
}

// list (service_search.go) returns a page of the records the caller may see.

// bulkTag adds and removes tags on many live records the caller may see.
func (s *service) bulkTag(ctx context.Context, k *pgstore.Table, req BulkTag) (BulkTagResult, error) {
	p, err := principal(ctx)
	if err != nil {
		return BulkTagResult{}, err
	}
	if len(req.Filter) > 0 || req.Q != "" {
		return s.bulkTagMatching(ctx, k, p, req) // bulktag_filter.go
	}
	v := errs.NewValidator()
	v.Check(len(req.IDs) > 0 && len(req.IDs) <= MaxBulkIDs, "ids", fmt.Sprintf("must name 1 to %d records", MaxBulkIDs))
	for i, id := range req.IDs {
		v.Check(validID(id), fmt.Sprintf("ids/%d", i), "must be a UUID")
	}
	add, remove := customer.CheckTagNames(v, "add", req.Add), customer.CheckTagNames(v, "remove", req.Remove)
	v.Check(len(add)+len(remove) > 0, "add", "add or remove must name at least one tag")
	if err := v.Err(); err != nil {
		return BulkTagResult{}, err
	}
	res := BulkTagResult{NotFound: []string{}}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		scope := pgstore.LiveConds(p)[1:]
		found, err := visibleIDs(ctx, tx, k, req.IDs, scope)
		if err != nil {
			return err
		}
		for _, id := range req.IDs {
			if !found[strings.ToLower(id)] && !found[id] {
				res.NotFound = append(res.NotFound, id)
			}
		}
		now := s.timestamp()
		addIDs, err := catalog.ResolveTags(ctx, tx, add, true, now)
		if err != nil {
			return err
		}
		removeIDs, err := catalog.ResolveTags(ctx, tx, remove, false, now)
		if err != nil {
			return err
		}
		changed, err := retagRecords(ctx, tx, k, req.IDs, addIDs, removeIDs, now, scope)
		if err != nil {
			return err
		}
		if err := catalog.Present(ctx, tx, k.Entity, changed...); err != nil {
			return err
		}
		res.Updated = len(changed)
		return tx.EmitAll(ctx, k.Entity, customer.VerbUpdated, changed, []string{"tags"})
	})
	return res, err
}
