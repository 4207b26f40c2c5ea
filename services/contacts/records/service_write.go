package records

import (
	"context"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/tags"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// Prepare normalises and validates rec, of t, before it is written by p in
// tx, resolves its tag names (creating unknown ones) and folds its custom
// fields into the stored ones, keeping the hidden values of old. It returns
// the custom field definitions it checked against, for
// catalog.PresentWith. Every write of a record goes through it: a create's,
// an update's and a merge's.
func Prepare(ctx context.Context, tx *pgstore.Tx, t *pgstore.Table, p auth.Principal, rec customer.Record, old customer.JSONMap) (map[string]customfields.Field, error) {
	region, defs, err := catalog.WriteRules(ctx, tx, t.Entity)
	if err != nil {
		return nil, err
	}
	if err := admit(ctx, tx, p, rec, region, defs); err != nil {
		return nil, err
	}
	return defs, resolve(ctx, tx, rec, defs, old)
}

// admit normalises and validates rec against the tenant's default phone
// region and the custom field definitions defs (Admit) and checks its
// references. It writes nothing.
func admit(ctx context.Context, tx *pgstore.Tx, p auth.Principal, rec customer.Record, region string, defs map[string]customfields.Field) error {
	if err := Admit(p, rec, region, defs); err != nil {
		return err
	}
	return checkReferences(ctx, tx, rec)
}

// Admit normalises and validates rec, to be written by p, against the
// tenant's default phone region and the custom field definitions defs
// (catalog.WriteRules), and checks that p may see it once written: what
// every write of a record checks but its references (accountId,
// parentAccountId), which a write through Prepare reads in the database and
// an import finds itself. It reads and writes nothing.
func Admit(p auth.Principal, rec customer.Record, region string, defs map[string]customfields.Field) error {
	v := errs.NewValidator()
	m := rec.Base()
	m.NormalizeOwnership(v, p.UserID)
	switch r := rec.(type) {
	case *customer.Contact:
		r.Normalize(v, region)
	case *customer.Account:
		r.Normalize(v)
	}
	m.Tags = tags.Names(v, "tags", m.Tags)
	if m.CustomFields == nil {
		m.CustomFields = map[string]any{}
	}
	customfields.Check(v, defs, m.CustomFields, region)
	if err := v.Err(); err != nil {
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
func resolve(ctx context.Context, tx *pgstore.Tx, rec customer.Record, defs map[string]customfields.Field, old customer.JSONMap) error {
	m := rec.Base()
	ids, err := catalog.ResolveTags(ctx, tx, m.Tags, true, m.UpdatedAt)
	if err != nil {
		return err
	}
	m.SetTagIDs(ids)
	store(rec, defs, old)
	return nil
}

// ResolveNew is resolve for many new records, all admitted (Admit) and
// timestamped now: their tag names are looked up (and unknown tags created)
// once for all, and their custom fields become the stored ones.
func ResolveNew(ctx context.Context, tx *pgstore.Tx, recs []customer.Record, now time.Time) error {
	var names []string
	seen := map[string]bool{}
	for _, rec := range recs {
		for _, n := range rec.Base().Tags {
			if key := strings.ToLower(n); !seen[key] {
				seen[key], names = true, append(names, n)
			}
		}
	}
	ids, err := catalog.ResolveTags(ctx, tx, names, true, now)
	if err != nil {
		return err
	}
	byName := make(map[string]string, len(names))
	for i, n := range names {
		byName[strings.ToLower(n)] = ids[i]
	}
	for _, rec := range recs {
		m := rec.Base()
		tagIDs := make([]string, len(m.Tags))
		for i, n := range m.Tags {
			tagIDs[i] = byName[strings.ToLower(n)]
		}
		m.SetTagIDs(tagIDs)
		store(rec, nil, nil)
	}
	return nil
}

// store folds rec's custom fields into its stored ones, keeping the values
// of old that defs hide.
func store(rec customer.Record, defs map[string]customfields.Field, old customer.JSONMap) {
	m := rec.Base()
	visible := customfields.Visible(defs, old, "")
	m.StoredFields = customer.JSONMap{}
	for key, val := range old {
		if _, shown := visible[key]; !shown {
			m.StoredFields[key] = val
		}
	}
	for key, val := range m.CustomFields {
		m.StoredFields[key] = val
	}
}

// checkReferences checks that a contact's account and an account's parent
// exist in the tenant, and that an account's parents form no cycle.
func checkReferences(ctx context.Context, tx *pgstore.Tx, rec customer.Record) error {
	v := errs.NewValidator()
	switch r := rec.(type) {
	case *customer.Contact:
		if r.AccountID != nil {
			found, err := liveAccountExists(ctx, tx, *r.AccountID)
			if err != nil {
				return err
			}
			v.Check(found, "accountId", "no such account")
		}
	case *customer.Account:
		if r.ParentAccountID != nil {
			found, err := liveAccountExists(ctx, tx, *r.ParentAccountID)
			if err != nil {
				return err
			}
			v.Check(found, "parentAccountId", "no such account")
			if found {
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

// RecordConsent adds to the consent history what a write by p changed in a
// contact's consent, from before (nil for a create) to after. Accounts have
// no consent: for them it does nothing.
func RecordConsent(ctx context.Context, tx *pgstore.Tx, p auth.Principal, before, after customer.Record, cause string) error {
	c, ok := after.(*customer.Contact)
	if !ok {
		return nil
	}
	old, _ := before.(*customer.Contact)
	return insertConsentChanges(ctx, tx, consentChanges(old, c, cause, p.UserID))
}
