package pgrecord

import (
	"context"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// Change is what a change of a record did: the verb of its event ("" when
// nothing changed, so that nothing is written or published) and, for an
// update, the fields it changed.
type Change struct {
	Verb   string
	Fields []string
}

// Rows says how Update reads, writes and deletes one kind of record.
type Rows[T any] struct {
	// Entity is the entity of the record's events.
	Entity string
	// Lock reads the record id and locks it for the transaction.
	Lock func(ctx context.Context, tx *outbox.Tx, id string) (T, error)
	// Write stores next, what the change made of current.
	Write func(ctx context.Context, tx *outbox.Tx, current, next T) error
	// Delete removes the record id, or refuses to.
	Delete func(ctx context.Context, tx *outbox.Tx, id string) error
}

// Update changes, or deletes, the record id of rows in a transaction of
// tenant, the one way either is written: it locks and reads the record,
// change returns what it becomes and what happened, and unless nothing
// did, the record is written (or deleted, on VerbDeleted) and the event of
// the change — the record as change left it, and the fields an update
// changed — goes to the outbox in the same transaction. It returns the
// record as change left it and the change.
func Update[T any](ctx context.Context, db *outbox.DB, tenant, id string, rows Rows[T],
	change func(current T) (T, Change, error)) (out T, ch Change, err error) {
	err = db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		out, ch, err = UpdateIn(ctx, tx, id, rows, change)
		return err
	})
	return out, ch, err
}

// UpdateIn is Update in tx, a transaction of the record's tenant its
// caller opened (a CSV import's chunk of rows, say).
func UpdateIn[T any](ctx context.Context, tx *outbox.Tx, id string, rows Rows[T],
	change func(current T) (T, Change, error)) (T, Change, error) {
	var none T
	current, err := rows.Lock(ctx, tx, id)
	if err != nil {
		return none, Change{}, err
	}
	next, ch, err := change(current)
	if err != nil {
		return none, Change{}, err
	}
	switch ch.Verb {
	case "":
		return next, ch, nil
	case events.VerbDeleted:
		err = rows.Delete(ctx, tx, id)
	default:
		err = rows.Write(ctx, tx, current, next)
	}
	if err != nil {
		return next, ch, err
	}
	return next, ch, tx.Emit(ctx, rows.Entity, ch.Verb, id, next, ch.Fields)
}

// Updated is the change of an update from old to next (the fields
// events.ChangedFields names): next and VerbUpdated, or old and no change
// when no field but the bookkeeping changed.
func Updated[T any](old, next T) (T, Change, error) {
	changed, err := events.ChangedFields(old, next)
	if err != nil || len(changed) == 0 {
		return old, Change{}, err
	}
	return next, Change{Verb: events.VerbUpdated, Fields: changed}, nil
}
