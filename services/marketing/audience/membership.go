package audience

import (
	"context"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
)

// Membership is a contact entering or leaving a segment or list: the
// payload of segment.entered and segment.left, and a row of its history.
type Membership struct {
	SegmentID string    `json:"segmentId"`
	ContactID string    `json:"contactId"`
	At        time.Time `json:"at"`
}

// reevaluate puts the contact id into the tenant's dynamic segments whose
// filter it now meets and out of those it no longer does, in one query
// over its row (none: it leaves them all). Segments change in the order of
// their ids, so that concurrent re-evaluations lock their counts in one
// order.
func reevaluate(ctx context.Context, tx *outbox.Tx, id string, at time.Time) error {
	segs, err := dynamicSegments(ctx, tx)
	if err != nil {
		return err
	}
	matching, err := matchingSegments(ctx, tx, id, segs)
	if err != nil {
		return err
	}
	current, err := dynamicMemberships(ctx, tx, id)
	if err != nil {
		return err
	}
	moved := slices.Concat(matching, current)
	slices.Sort(moved)
	for _, s := range slices.Compact(moved) {
		in, was := slices.Contains(matching, s), slices.Contains(current, s)
		switch {
		case in && !was:
			err = enter(ctx, tx, s, []string{id}, at)
		case was && !in:
			err = leave(ctx, tx, s, []string{id}, at)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// leaveAll takes the contact id out of every segment and list it is in.
func leaveAll(ctx context.Context, tx *outbox.Tx, id string, at time.Time) error {
	segs, err := memberships(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, s := range segs {
		if err := leave(ctx, tx, s, []string{id}, at); err != nil {
			return err
		}
	}
	return nil
}

// moveStatic puts winner into every static list loser is in.
func moveStatic(ctx context.Context, tx *outbox.Tx, loser, winner string, at time.Time) error {
	lists, err := staticMemberships(ctx, tx, loser)
	if err != nil {
		return err
	}
	for _, s := range lists {
		if err := enter(ctx, tx, s, []string{winner}, at); err != nil {
			return err
		}
	}
	return nil
}

// enter adds contacts to the segment, those not in it already entering
// it: their history, the count and segment.entered for each.
func enter(ctx context.Context, tx *outbox.Tx, segment string, contacts []string, at time.Time) error {
	added, err := insertMembers(ctx, tx, segment, contacts, at)
	if err != nil || len(added) == 0 {
		return err
	}
	return record(ctx, tx, segment, actionEntered, added, at)
}

// leave removes contacts from the segment, those in it leaving it.
func leave(ctx context.Context, tx *outbox.Tx, segment string, contacts []string, at time.Time) error {
	removed, err := deleteMembers(ctx, tx, segment, contacts)
	if err != nil || len(removed) == 0 {
		return err
	}
	return record(ctx, tx, segment, actionLeft, removed, at)
}

// compute makes the dynamic segment's members those contacts meeting its
// filter now, from scratch (one INSERT..SELECT and one DELETE, diffed
// against the current members), with the history, count and events of
// those who entered or left.
func compute(ctx context.Context, tx *outbox.Tx, s Segment, at time.Time) error {
	f, err := parseFilter(s.Filter)
	if err != nil {
		return err
	}
	entered, left, err := recompute(ctx, tx, s.ID, f, at)
	if err != nil {
		return err
	}
	if err := record(ctx, tx, s.ID, actionEntered, entered, at); err != nil {
		return err
	}
	return record(ctx, tx, s.ID, actionLeft, left, at)
}

// The actions of a membership's history.
const (
	actionEntered = "entered"
	actionLeft    = "left"
)

// record writes what contacts did in the segment (entered or left) at
// at: its history, the member count and an event each.
func record(ctx context.Context, tx *outbox.Tx, segment, action string, contacts []string, at time.Time) error {
	if len(contacts) == 0 {
		return nil
	}
	if err := addHistory(ctx, tx, segment, action, contacts, at); err != nil {
		return err
	}
	delta := int64(len(contacts))
	if action == actionLeft {
		delta = -delta
	}
	if err := addCount(ctx, tx, segment, delta); err != nil {
		return err
	}
	return emitMemberships(ctx, tx, segment, action, contacts, at)
}
