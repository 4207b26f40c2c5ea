package ingest

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// contactsHandlers apply the events of rapport.contacts.v1, by type:
// contacts (with their lifecycle stages, merges and erasure), accounts
// (with their merges) and activities.
var contactsHandlers = map[string]apply{
	typeContactCreated:    applyContact,
	typeContactUpdated:    applyContact,
	typeContactDeleted:    applyContact,
	typeContactRestored:   applyContact,
	typeContactMerged:     applyContactMerged,
	typeContactErased:     applyContactErased,
	typeAccountCreated:    applyAccount,
	typeAccountUpdated:    applyAccount,
	typeAccountDeleted:    applyAccount,
	typeAccountRestored:   applyAccount,
	typeAccountMerged:     applyAccountMerged,
	typeActivityCreated:   applyActivity,
	typeActivityUpdated:   applyActivity,
	typeActivityCompleted: applyActivity,
	typeActivityDeleted:   applyActivity,
}

// applyContact upserts the contact a contact.* event carries unless a
// newer version is stored (contact.deleted wins over the same version),
// and records its lifecycle stage at that version.
var applyContact = applyState(typeContactDeleted, saveContact)

// applyContactMerged upserts contact.merged's winner and records the
// loser as merged into it.
var applyContactMerged = applyMerged(kindContact, saveContact)

// applyContactErased erases the contact's name for good, whether or not
// (or whenever) its other events arrive.
func applyContactErased(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
	var p contactErasedPayload
	if err := decodePayload(ev, &p); err != nil {
		return err
	}
	if err := requireIDs(ev, "id", p.ID); err != nil {
		return err
	}
	return eraseContact(ctx, tx, gen, p.ID, p.ErasedAt)
}

// applyAccount upserts the account an account.* event carries unless a
// newer version is stored (account.deleted wins over the same version).
var applyAccount = applyState(typeAccountDeleted, saveAccount)

// applyAccountMerged upserts account.merged's winner and records the
// loser as merged into it.
var applyAccountMerged = applyMerged(kindAccount, saveAccount)

// applyActivity upserts the activity an activity.* event carries unless
// a newer version is stored (activity.deleted wins over the same
// version).
var applyActivity = applyState(typeActivityDeleted, saveActivity)
