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
func applyContact(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
	var p contactPayload
	if err := decodePayload(ev, &p); err != nil {
		return err
	}
	if err := p.check(ev); err != nil {
		return err
	}
	return saveContact(ctx, tx, gen, p, ev.Type == typeContactDeleted)
}

// applyContactMerged upserts the merge's winner and records the loser as
// merged into the winner (rm_merges, the loser's merged_into), the winner
// final whatever order a chain of merges arrives in.
func applyContactMerged(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
	var p contactMergedPayload
	if err := decodePayload(ev, &p); err != nil {
		return err
	}
	if err := p.Winner.check(ev); err != nil {
		return err
	}
	if err := requireIDs(ev, "loserId", p.LoserID); err != nil {
		return err
	}
	if err := saveContact(ctx, tx, gen, p.Winner, false); err != nil {
		return err
	}
	return mergeRecord(ctx, tx, gen, kindContact, p.LoserID, p.Winner.ID, p.Winner.UpdatedAt)
}

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
func applyAccount(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
	var p accountPayload
	if err := decodePayload(ev, &p); err != nil {
		return err
	}
	if err := p.check(ev); err != nil {
		return err
	}
	return saveAccount(ctx, tx, gen, p, ev.Type == typeAccountDeleted)
}

// applyAccountMerged upserts the merge's winner and records the loser as
// merged into it, like applyContactMerged.
func applyAccountMerged(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
	var p accountMergedPayload
	if err := decodePayload(ev, &p); err != nil {
		return err
	}
	if err := p.Winner.check(ev); err != nil {
		return err
	}
	if err := requireIDs(ev, "loserId", p.LoserID); err != nil {
		return err
	}
	if err := saveAccount(ctx, tx, gen, p.Winner, false); err != nil {
		return err
	}
	return mergeRecord(ctx, tx, gen, kindAccount, p.LoserID, p.Winner.ID, p.Winner.UpdatedAt)
}

// applyActivity upserts the activity an activity.* event carries unless
// a newer version is stored (activity.deleted wins over the same
// version).
func applyActivity(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
	var p activityPayload
	if err := decodePayload(ev, &p); err != nil {
		return err
	}
	if err := p.check(ev); err != nil {
		return err
	}
	return saveActivity(ctx, tx, gen, p, ev.Type == typeActivityDeleted)
}
