package ingest

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// statePayload is a record's full state as an event carries it, which
// checks itself against the event (ErrBadPayload when unusable).
type statePayload interface {
	check(ev events.Event) error
}

// saveState upserts a record's state P unless a newer version is stored;
// deleted marks it deleted.
type saveState[P statePayload] func(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, p P, deleted bool) error

// applyState returns the handler of a record's state events: it decodes
// the payload into P, checks it and saves it, deleted when the event is
// of type deletedType.
func applyState[P statePayload](deletedType string, save saveState[P]) apply {
	return func(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
		var p P
		if err := decodePayload(ev, &p); err != nil {
			return err
		}
		if err := p.check(ev); err != nil {
			return err
		}
		return save(ctx, tx, gen, p, ev.Type == deletedType)
	}
}

// mergeablePayload is the state of a record that can be merged: it names
// its record and the time of its version.
type mergeablePayload interface {
	statePayload
	versionOf() (id string, at time.Time)
}

// mergedPayload is a *.merged event: the winner's state after the merge
// and the record merged away into it.
type mergedPayload[P mergeablePayload] struct {
	Winner  P      `json:"winner"`
	LoserID string `json:"loserId"`
}

// applyMerged returns the handler of the merges of records of kind: it
// upserts the merge's winner and records the loser as merged into the
// winner (rm_merges, the loser's merged_into), the winner final whatever
// order a chain of merges arrives in.
func applyMerged[P mergeablePayload](kind string, save saveState[P]) apply {
	return func(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
		var p mergedPayload[P]
		if err := decodePayload(ev, &p); err != nil {
			return err
		}
		if err := p.Winner.check(ev); err != nil {
			return err
		}
		if err := requireIDs(ev, "loserId", p.LoserID); err != nil {
			return err
		}
		if err := save(ctx, tx, gen, p.Winner, false); err != nil {
			return err
		}
		winner, at := p.Winner.versionOf()
		return mergeRecord(ctx, tx, gen, kind, p.LoserID, winner, at)
	}
}
