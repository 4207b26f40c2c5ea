package audience

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// previewSample is how many contacts a preview shows.
const previewSample = 10

// maxAddIDs bounds the contact ids one add names.
const maxAddIDs = 10000

// Count is a segment's member count, or a filter's match count.
type Count struct {
	Count int64 `json:"count"`
}

// Preview is what a filter would select now: how many contacts, and a
// sample of them.
type Preview struct {
	Count  int64             `json:"count"`
	Sample []AudienceContact `json:"sample"`
}

// AddMembers names the contacts to add to a static list: by id, or those
// meeting a filter now (exactly one of the two).
type AddMembers struct {
	ContactIDs []string        `json:"contactIds,omitempty"`
	Filter     json.RawMessage `json:"filter,omitempty"`
}

// Added is the outcome of adding contacts to a list: how many entered it,
// how many were in it already, and the ids of those the audience does not
// hold (not added).
type Added struct {
	Added          int      `json:"added"`
	AlreadyMembers int      `json:"alreadyMembers"`
	Unknown        []string `json:"unknown"`
}

// check validates a.
func (a AddMembers) check() error {
	v := errs.NewValidator()
	v.Check((a.ContactIDs != nil) != (a.Filter != nil), "contactIds", "give either contactIds or filter")
	v.Check(len(a.ContactIDs) <= maxAddIDs, "contactIds", "names more than 10000 contacts")
	for i, id := range a.ContactIDs {
		v.Check(ids.Valid(id), "contactIds/"+strconv.Itoa(i), "is not a UUID")
	}
	return v.Err()
}

// segmentTx runs fn in a transaction of the caller's tenant with the
// segment id (locked when lock).
func (s *Service) segmentTx(ctx context.Context, id string, lock bool, fn func(tx *outbox.Tx, seg Segment) error) error {
	if !ids.Valid(id) {
		return ErrSegmentNotFound
	}
	return s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		seg, err := getSegment(ctx, tx, id, lock)
		if err != nil {
			return err
		}
		return fn(tx, seg)
	})
}

// Members returns a page of the segment id's members, by contact id.
func (s *Service) Members(ctx context.Context, id, cursor string, limit int) (out Page[AudienceContact], err error) {
	err = s.segmentTx(ctx, id, false, func(tx *outbox.Tx, _ Segment) error {
		out.Items, out.NextCursor, err = kitx.Paged(s.cursors, cursor, limit, func(after string, n int) ([]AudienceContact, error) {
			return listMembers(ctx, tx, id, after, n)
		}, func(c AudienceContact) string { return c.ID })
		return err
	})
	return out, err
}

// Count counts the segment id's members now.
func (s *Service) Count(ctx context.Context, id string) (out Count, err error) {
	err = s.segmentTx(ctx, id, false, func(tx *outbox.Tx, _ Segment) error {
		out.Count, err = liveCount(ctx, tx, id)
		return err
	})
	return out, err
}

// Preview counts and samples the contacts meeting raw, a filter, without
// saving anything.
func (s *Service) Preview(ctx context.Context, raw json.RawMessage) (out Preview, err error) {
	f, err := parseFilter(raw)
	if err != nil {
		return out, err
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		if out.Count, err = countAudience(ctx, tx, f); err != nil {
			return err
		}
		out.Sample, err = listAudience(ctx, tx, f, "", previewSample)
		return err
	})
	return out, err
}

// Add adds contacts to the static list id.
func (s *Service) Add(ctx context.Context, id string, in AddMembers) (out Added, err error) {
	if err := in.check(); err != nil {
		return out, err
	}
	var f compiled
	if in.Filter != nil {
		if f, err = parseFilter(in.Filter); err != nil {
			return out, err
		}
	}
	err = s.segmentTx(ctx, id, true, func(tx *outbox.Tx, seg Segment) error {
		if seg.Kind != KindStatic {
			return ErrNotStatic
		}
		want := in.ContactIDs
		if in.Filter != nil {
			if want, err = matchingContacts(ctx, tx, f); err != nil {
				return err
			}
		}
		out, err = s.addKnown(ctx, tx, id, want)
		return err
	})
	return out, err
}

// addKnown adds those of contacts the audience holds to the list id.
func (s *Service) addKnown(ctx context.Context, tx *outbox.Tx, id string, contacts []string) (Added, error) {
	out := Added{Unknown: []string{}}
	known, err := existingContacts(ctx, tx, contacts)
	if err != nil {
		return out, err
	}
	for _, c := range contacts {
		if !slices.Contains(known, c) && !slices.Contains(out.Unknown, c) {
			out.Unknown = append(out.Unknown, c)
		}
	}
	added, err := insertMembers(ctx, tx, id, known, s.now().UTC())
	if err != nil {
		return out, err
	}
	out.Added, out.AlreadyMembers = len(added), len(known)-len(added)
	return out, record(ctx, tx, id, actionEntered, added, s.now().UTC())
}

// Remove takes the contact out of the static list id.
func (s *Service) Remove(ctx context.Context, id, contact string) error {
	if !ids.Valid(contact) {
		return ErrContactNotFound
	}
	return s.segmentTx(ctx, id, true, func(tx *outbox.Tx, seg Segment) error {
		if seg.Kind != KindStatic {
			return ErrNotStatic
		}
		removed, err := deleteMembers(ctx, tx, id, []string{contact})
		if err != nil {
			return err
		}
		if len(removed) == 0 {
			return ErrContactNotFound
		}
		return record(ctx, tx, id, actionLeft, removed, s.now().UTC())
	})
}

// History returns a page of the segment id's membership history, latest
// first.
func (s *Service) History(ctx context.Context, id, cursor string, limit int) (out Page[HistoryEntry], err error) {
	err = s.segmentTx(ctx, id, false, func(tx *outbox.Tx, _ Segment) error {
		out.Items, out.NextCursor, err = kitx.Paged(s.cursors, cursor, limit, func(after string, n int) ([]HistoryEntry, error) {
			return listHistory(ctx, tx, id, after, n)
		}, func(h HistoryEntry) string { return h.ID })
		return err
	})
	return out, err
}

// Contacts returns a page of the audience meeting raw, a filter (none:
// everyone), by id.
func (s *Service) Contacts(ctx context.Context, raw json.RawMessage, cursor string, limit int) (out Page[AudienceContact], err error) {
	var f compiled
	if len(raw) > 0 {
		if f, err = parseFilter(raw); err != nil {
			return out, err
		}
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		out.Items, out.NextCursor, err = kitx.Paged(s.cursors, cursor, limit, func(after string, n int) ([]AudienceContact, error) {
			return listAudience(ctx, tx, f, after, n)
		}, func(c AudienceContact) string { return c.ID })
		return err
	})
	return out, err
}

// Contact returns the audience's contact id.
func (s *Service) Contact(ctx context.Context, id string) (out AudienceContact, err error) {
	if !ids.Valid(id) {
		return out, ErrContactNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		out, err = getAudienceContact(ctx, tx, id)
		return err
	})
	return out, err
}
