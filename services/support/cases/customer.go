package cases

import (
	"context"
	"log/slog"

	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/support/customers"
)

// matchCustomer gives in, which a channel opens for the tenant without a
// contact, the contact whose address its customer writes from (package
// customers) and that contact's account unless in names one. An address
// no contact has leaves the case without; one that several share too, and
// is logged, since an agent has to pick the contact.
func matchCustomer(ctx context.Context, tx *outbox.Tx, tenant string, in *NewCase) error {
	address := in.CustomerEmail
	if address == "" && in.First != nil && in.First.AuthorType == AuthorCustomer {
		address = in.First.AuthorEmail
	}
	if in.ContactID != "" || address == "" {
		return nil
	}
	m, err := customers.Find(ctx, tx, address)
	switch {
	case err != nil:
		return err
	case m.Found():
		in.ContactID = m.ContactID
		if in.AccountID == "" {
			in.AccountID = m.AccountID
		}
	case m.Ambiguous():
		slog.Default().WarnContext(ctx, "cases: several contacts have the customer's address; the case opens without a contact",
			"tenant", tenant, "channel", in.Channel, "address", address)
	}
	return nil
}
