package deals

import (
	"context"
	"fmt"
	"slices"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// Records tells which of the contacts service's records the caller of the
// request may see (package contactsapi, with the caller's authority): an
// opportunity's account, primary contact and contact roles are checked
// when a create or a patch names them.
type Records interface {
	// VisibleAccounts and VisibleContacts return which of ids are live
	// accounts (contacts) the caller may see, in one call each.
	VisibleAccounts(ctx context.Context, ids []string) (map[string]bool, error)
	VisibleContacts(ctx context.Context, ids []string) (map[string]bool, error)
}

// Creator creates opportunities within another context's change (a lead's
// conversion): PrepareOpportunity checks one as POST /v1/opportunities
// does, but for its account and contacts, which the caller vouches for,
// and CreateOpportunityIn stores it, entering its stage and publishing
// opportunity.created, in the caller's transaction of the tenant.
type Creator interface {
	PrepareOpportunity(ctx context.Context, in *Opportunity) error
	CreateOpportunityIn(ctx context.Context, tx *outbox.Tx, in *Opportunity) error
}

// ErrUnknownRecord is an account or contact an opportunity names that
// contacts does not have or the caller may not see there.
var ErrUnknownRecord = errs.New(errs.Unprocessable, "unknown-record", "the opportunity names an account or contact that does not exist or that you may not see")

// reference is a record an opportunity names, by the field naming it.
type reference struct {
	field, id string
	account   bool
}

// references are the well-formed ids o names that old (nil for a create)
// did not name in the same place.
func references(old, o *Opportunity) []reference {
	var out []reference
	if o.AccountID != "" && ids.Valid(o.AccountID) && (old == nil || old.AccountID != o.AccountID) {
		out = append(out, reference{field: "accountId", id: o.AccountID, account: true})
	}
	if o.PrimaryContactID != "" && ids.Valid(o.PrimaryContactID) && (old == nil || old.PrimaryContactID != o.PrimaryContactID) {
		out = append(out, reference{field: "primaryContactId", id: o.PrimaryContactID})
	}
	for i, r := range o.ContactRoles {
		if ids.Valid(r.ContactID) && (old == nil || !slices.ContainsFunc(old.ContactRoles, func(x ContactRole) bool { return x.ContactID == r.ContactID })) {
			out = append(out, reference{field: fmt.Sprintf("contactRoles/%d/contactId", i), id: r.ContactID})
		}
	}
	return out
}

// checkReferences checks that the accounts and contacts o names and old
// did not exist in contacts and the caller may see them: one call for the
// accounts and one for the contacts, each distinct id asked once. Each
// missing one is a 422 naming its field; contacts down is
// svcclient.ErrUnavailable (503). Without records, nothing is checked.
func checkReferences(ctx context.Context, records Records, old, o *Opportunity) error {
	refs := references(old, o)
	if records == nil || len(refs) == 0 {
		return nil
	}
	var accounts, contacts []string
	for _, r := range refs {
		if r.account {
			accounts = append(accounts, r.id)
		} else {
			contacts = append(contacts, r.id)
		}
	}
	seen := map[bool]map[string]bool{}
	for _, k := range []struct {
		account bool
		ids     []string
		visible func(context.Context, []string) (map[string]bool, error)
	}{{true, accounts, records.VisibleAccounts}, {false, contacts, records.VisibleContacts}} {
		if len(k.ids) == 0 {
			continue
		}
		found, err := k.visible(ctx, k.ids)
		if err != nil {
			return err
		}
		seen[k.account] = found
	}
	var fields []errs.FieldError
	for _, r := range refs {
		if !seen[r.account][r.id] {
			what := "a contact"
			if r.account {
				what = "an account"
			}
			fields = append(fields, errs.FieldError{Field: r.field, Reason: "must be " + what + " of contacts that you may see"})
		}
	}
	if len(fields) == 0 {
		return nil
	}
	e := ErrUnknownRecord.WithDetail("%d of the records the opportunity names are not in contacts, or not for you to see", len(fields))
	e.Fields = fields
	return e
}

// checkPatchReferences checks the records that patch, applied to old as
// the caller read it, names anew (checkReferences). A patch that does not
// apply is left to the update to refuse.
func (s *opportunityService) checkPatchReferences(ctx context.Context, old *Opportunity, patch []byte) error {
	next := &Opportunity{}
	if err := mergepatch.Apply(old, patch, opportunityReadOnly, next); err != nil {
		return nil
	}
	return checkReferences(ctx, s.records, old, next)
}
