package audience

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// Page is a page of a list; NextCursor, when set, reads the next.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// Service is the API of the audience and its segments.
type Service struct {
	db      *outbox.DB
	cursors *kitx.Cursors
	now     func() time.Time
}

// NewService returns the Service on db, signing list cursors with cursors.
func NewService(db *outbox.DB, cursors *kitx.Cursors) *Service {
	return &Service{db: db, cursors: cursors, now: time.Now}
}

// Create stores a new segment or list of the caller's; a dynamic
// segment's members are computed in the same transaction.
func (s *Service) Create(ctx context.Context, in Segment) (Segment, error) {
	relative, err := in.normalize()
	if err != nil {
		return in, err
	}
	now := pg.Timestamp(s.now()).UTC()
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		in.ID, in.CreatedBy, in.CreatedAt, in.UpdatedAt, in.Version, in.MemberCount = ids.New(), p.UserID, now, now, 1, 0
		if err := saveSegment(ctx, tx, in, relative, true); err != nil {
			return err
		}
		if err := tx.Emit(ctx, marketingdb.EntitySegment, marketingdb.VerbCreated, in.ID, in, nil); err != nil {
			return err
		}
		return s.computeIn(ctx, tx, &in)
	})
	return in, err
}

// computeIn computes the dynamic segment seg's members from scratch and
// reads its count back into seg.
func (s *Service) computeIn(ctx context.Context, tx *outbox.Tx, seg *Segment) error {
	if seg.Kind != KindDynamic {
		return nil
	}
	now := s.now().UTC()
	if err := compute(ctx, tx, *seg, now); err != nil {
		return err
	}
	if err := markEvaluated(ctx, tx, seg.ID, now); err != nil {
		return err
	}
	n, err := memberCount(ctx, tx, seg.ID)
	seg.MemberCount = n
	return err
}

// Get returns the segment id.
func (s *Service) Get(ctx context.Context, id string) (out Segment, err error) {
	if !ids.Valid(id) {
		return out, ErrSegmentNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		out, err = getSegment(ctx, tx, id, false)
		return err
	})
	return out, err
}

// List returns a page of the tenant's segments and lists, by id.
func (s *Service) List(ctx context.Context, cursor string, limit int) (out Page[Segment], err error) {
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		out.Items, out.NextCursor, err = kitx.Paged(s.cursors, cursor, limit, func(after string, n int) ([]Segment, error) {
			return listSegments(ctx, tx, after, n)
		}, func(sg Segment) string { return sg.ID })
		return err
	})
	return out, err
}

// Update applies a merge patch to the segment id at version ifMatch; a
// dynamic segment whose filter changed is computed again.
func (s *Service) Update(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (out Segment, changed []string, err error) {
	if !ids.Valid(id) {
		return out, nil, ErrSegmentNotFound
	}
	if ifMatch == 0 {
		return out, nil, ErrIfMatchRequired
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		cur, err := getSegment(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if cur.Version != ifMatch {
			return ErrVersionMismatch
		}
		out = Segment{}
		if err := mergepatch.Apply(cur, patch, patchReadOnly, &out); err != nil {
			return err
		}
		if filter, ok := replacedFilter(patch); ok {
			out.Filter = filter
		}
		relative, err := out.normalize()
		if err != nil {
			return err
		}
		out.ID, out.Kind, out.MemberCount, out.CreatedBy, out.CreatedAt = cur.ID, cur.Kind, cur.MemberCount, cur.CreatedBy, cur.CreatedAt
		out.UpdatedAt, out.Version = cur.UpdatedAt, cur.Version
		if changed, err = events.ChangedFields(cur, out); err != nil || len(changed) == 0 {
			out = cur
			return err
		}
		out.UpdatedAt, out.Version = pg.Timestamp(s.now()).UTC(), cur.Version+1
		if err := saveSegment(ctx, tx, out, relative, false); err != nil {
			return err
		}
		if slices.Contains(changed, "filter") {
			if err := s.computeIn(ctx, tx, &out); err != nil {
				return err
			}
			if out.MemberCount != cur.MemberCount {
				changed = append(changed, "memberCount")
				slices.Sort(changed)
			}
		}
		return tx.Emit(ctx, marketingdb.EntitySegment, marketingdb.VerbUpdated, out.ID, out, changed)
	})
	return out, changed, err
}

// Delete removes the segment id, at version ifMatch when given, with its
// members and history.
func (s *Service) Delete(ctx context.Context, id string, ifMatch int64) error {
	if !ids.Valid(id) {
		return ErrSegmentNotFound
	}
	return s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		cur, err := getSegment(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if ifMatch != 0 && cur.Version != ifMatch {
			return ErrVersionMismatch
		}
		if err := deleteSegment(ctx, tx, id); err != nil {
			return err
		}
		return tx.Emit(ctx, marketingdb.EntitySegment, marketingdb.VerbDeleted, id, cur, nil)
	})
}

// replacedFilter is the filter a merge patch sets, if it names one: a
// filter is replaced as a whole, never merged into the one it replaces.
func replacedFilter(patch json.RawMessage) (json.RawMessage, bool) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(patch, &fields) != nil {
		return nil, false
	}
	f, ok := fields["filter"]
	return f, ok
}
