package quotes

import (
	"context"

	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// Names is the contacts service as quotes ask it for the names they print
// (internal/contactsapi's Client): the name of an account and the display
// name of a contact, with the caller's authority from ctx; "" for a record
// that is not live or not the caller's to see.
type Names interface {
	AccountName(ctx context.Context, id string) (string, error)
	ContactName(ctx context.Context, id string) (string, error)
}

// recordNames are the names contacts gave for an opportunity's account and
// primary contact, each with the id it was asked for.
type recordNames struct {
	accountID, account, contactID, contact string
}

// namesOf asks contacts the names of the account and the primary contact
// of the opportunity id, before the quote's transaction (a call to
// contacts is no work to hold the quote number's lock over). A name is
// what a quote prints, never a reason to refuse one: with no contacts
// configured, an opportunity that cannot be read (the transaction then
// says why), contacts failing, or a record the caller may not see there,
// that name is left out.
func (s *service) namesOf(ctx context.Context, tenant, opportunityID string) recordNames {
	var n recordNames
	if s.names == nil {
		return n
	}
	var err error
	if n.accountID, n.contactID, err = s.store.records(ctx, tenant, opportunityID); err != nil {
		return recordNames{}
	}
	if n.accountID != "" {
		n.account, _ = s.names.AccountName(ctx, n.accountID)
	}
	if n.contactID != "" {
		n.contact, _ = s.names.ContactName(ctx, n.contactID)
	}
	return n
}

// apply sets q's names from n where n's ids are still q's (the
// opportunity may have changed since they were asked for).
func (n recordNames) apply(q *Quote) {
	q.AccountName, q.ContactName = "", ""
	if q.AccountID != "" && q.AccountID == n.accountID {
		q.AccountName = n.account
	}
	if q.ContactID != "" && q.ContactID == n.contactID {
		q.ContactName = n.contact
	}
}

// records reads the account and the primary contact of the opportunity
// id.
func (s *Store) records(ctx context.Context, tenant, opportunityID string) (account, contact string, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		o, err := deals.OpportunityIn(ctx, tx, opportunityID, false)
		if err != nil {
			return err
		}
		account, contact = o.AccountID, o.PrimaryContactID
		return nil
	})
	return account, contact, err
}
