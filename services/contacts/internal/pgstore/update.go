package pgstore

import (
	"context"

	"github.com/rapport-crm/rapport/libs/events"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// Change is what a change of a row did: the verb of its event
// (customer.VerbUpdated, …; "" when nothing changed, so that nothing is
// written or published) and, for an update, the fields it changed.
type Change struct {
	Verb   string
	Fields []string
}

// Rows says how Update reads, writes and publishes one kind of row.
type Rows[T any] struct {
	// Entity is the entity of the row's events.
	Entity string
	// Lock reads the row id and locks it for the transaction.
	Lock func(ctx context.Context, tx *Tx, id string) (T, error)
	// Write stores v as the change left it; verb is the change's
	// (customer.VerbDeleted removes a row that is not soft-deleted).
	Write func(ctx context.Context, tx *Tx, v T, verb string) error
}

// Update changes the row id of rows in a transaction of tenant, the one way
// an update, a delete or a restore is written (wild-workouts' repository
// Update): it locks and reads the row, change returns what the row becomes
// and what happened, and unless nothing did, the row is written and the
// event of the change — its state after, and the fields an update changed —
// goes to the outbox in the same transaction. It returns the row as change
// left it.
func Update[T any](ctx context.Context, db *DB, tenant, id string, rows Rows[T],
	change func(tx *Tx, current T) (T, Change, error)) (T, error) {
	var out T
	err := db.InTx(ctx, tenant, func(tx *Tx) error {
		current, err := rows.Lock(ctx, tx, id)
		if err != nil {
			return err
		}
		next, ch, err := change(tx, current)
		if err != nil {
			return err
		}
		out = next
		if ch.Verb == "" {
			return nil
		}
		if err := rows.Write(ctx, tx, next, ch.Verb); err != nil {
			return err
		}
		return tx.Emit(ctx, rows.Entity, ch.Verb, id, next, ch.Fields)
	})
	return out, err
}

// Updated is the change of an update from old to next (the fields
// events.ChangedFields names): next and VerbUpdated, or old and no change
// when no field but the bookkeeping changed.
func Updated[T any](old, next T) (T, Change, error) {
	changed, err := events.ChangedFields(old, next)
	if err != nil || len(changed) == 0 {
		return old, Change{}, err
	}
	return next, Change{Verb: customer.VerbUpdated, Fields: changed}, nil
}

// Deleted is the change of a delete of v, for Update.
func Deleted[T any](_ *Tx, v T) (T, Change, error) { return v, Change{Verb: customer.VerbDeleted}, nil }
