package journeys

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
	"github.com/rapport-crm/rapport/services/marketing/messaging"
)

// The fields of a Journey the service sets.
var readOnly = []string{"id", "createdBy", "createdAt", "updatedAt", "version"}

// Page is a page of journeys; NextCursor, when set, reads the next.
type Page struct {
	Items      []Journey `json:"items"`
	NextCursor string    `json:"nextCursor,omitempty"`
}

// EnrolmentPage is a page of a journey's enrolments.
type EnrolmentPage struct {
	Items      []Enrolment `json:"items"`
	NextCursor string      `json:"nextCursor,omitempty"`
}

// Service is the API of journeys: CRUD, each change published
// (journey.created|updated|deleted, and activated or paused when its
// status becomes so), and a journey's enrolments.
type Service struct {
	db      *outbox.DB
	cursors *kitx.Cursors
	now     func() time.Time
}

// NewService returns the Service on db, paging lists with cursors.
func NewService(db *outbox.DB, cursors *kitx.Cursors) *Service {
	return &Service{db: db, cursors: cursors, now: time.Now}
}

// List returns a page of up to limit journeys, newest first, after cursor.
func (s *Service) List(ctx context.Context, cursor string, limit int) (Page, error) {
	items, next, err := kitx.Paged(s.cursors, cursor, limit, func(after string, n int) (out []Journey, err error) {
		err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
			out, err = listJourneys(ctx, tx, after, n)
			return err
		})
		return out, err
	}, func(j Journey) string { return j.ID })
	if items == nil {
		items = []Journey{}
	}
	return Page{Items: items, NextCursor: next}, err
}

// Get returns the journey id.
func (s *Service) Get(ctx context.Context, id string) (out Journey, err error) {
	if !ids.Valid(id) {
		return out, ErrNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		out, err = getJourney(ctx, tx, id, false)
		return err
	})
	return out, err
}

// Create stores a new journey made by the caller and publishes
// journey.created (and journey.activated when it is created active).
func (s *Service) Create(ctx context.Context, in Journey) (Journey, error) {
	if err := in.normalize(); err != nil {
		return in, err
	}
	return in, s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		if err := refs(ctx, tx, in); err != nil {
			return err
		}
		now := pg.Timestamp(s.now()).UTC()
		in.ID, in.CreatedBy, in.CreatedAt, in.UpdatedAt, in.Version = ids.New(), p.UserID, now, now, 1
		if err := saveJourney(ctx, tx, in, true); err != nil {
			return err
		}
		if err := tx.Emit(ctx, marketingdb.EntityJourney, marketingdb.VerbCreated, in.ID, in, nil); err != nil {
			return err
		}
		return s.moved(ctx, tx, Journey{Status: StatusDraft}, in, now)
	})
}

// Update applies a merge patch to the journey id at version ifMatch and
// publishes journey.updated with the fields it changed (nothing when none
// did); a change of status publishes journey.activated or paused, and
// archiving exits its active enrolments and completes its sends (an
// archived journey stays so: ErrArchived).
func (s *Service) Update(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (out Journey, changed []string, err error) {
	if !ids.Valid(id) {
		return out, nil, ErrNotFound
	}
	if ifMatch == 0 {
		return out, nil, ErrIfMatchRequired
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		cur, err := getJourney(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if cur.Version != ifMatch {
			return ErrVersionMismatch
		}
		var next Journey
		if err := mergepatch.Apply(cur, patch, readOnly, &next); err != nil {
			return err
		}
		if err := next.normalize(); err != nil {
			return err
		}
		if cur.Status == StatusArchived && next.Status != StatusArchived {
			return ErrArchived
		}
		if err := refs(ctx, tx, next); err != nil {
			return err
		}
		next.ID, next.CreatedBy, next.CreatedAt, next.UpdatedAt, next.Version = cur.ID, cur.CreatedBy, cur.CreatedAt, cur.UpdatedAt, cur.Version
		next, ch, err := pgrecord.Updated(cur, next)
		if err != nil || ch.Verb == "" {
			out = next
			return err
		}
		now := pg.Timestamp(s.now()).UTC()
		next.UpdatedAt, next.Version = now, cur.Version+1
		out, changed = next, ch.Fields
		if err := saveJourney(ctx, tx, next, false); err != nil {
			return err
		}
		if err := tx.Emit(ctx, marketingdb.EntityJourney, marketingdb.VerbUpdated, id, next, ch.Fields); err != nil {
			return err
		}
		return s.moved(ctx, tx, cur, next, now)
	})
	return out, changed, err
}

// moved publishes what a change of status from cur to next does:
// journey.activated or paused; archiving exits the active enrolments and
// completes the journey's sends.
func (s *Service) moved(ctx context.Context, tx *outbox.Tx, cur, next Journey, now time.Time) error {
	if cur.Status == next.Status {
		return nil
	}
	switch next.Status {
	case StatusActive:
		return tx.Emit(ctx, marketingdb.EntityJourney, marketingdb.VerbActivated, next.ID, next, nil)
	case StatusPaused:
		return tx.Emit(ctx, marketingdb.EntityJourney, marketingdb.VerbPaused, next.ID, next, nil)
	case StatusArchived:
		es, err := activeEnrolments(ctx, tx, next.ID, "")
		if err != nil {
			return err
		}
		for _, e := range es {
			if err := end(ctx, tx, e, EnrolmentExited, "journey archived", now); err != nil {
				return err
			}
		}
		return messaging.EndJourneySends(ctx, tx, next.ID, now)
	}
	return nil
}

// Delete removes the journey id with its enrolments, at version ifMatch
// when given, completes its sends and publishes journey.deleted with its
// last state.
func (s *Service) Delete(ctx context.Context, id string, ifMatch int64) error {
	if !ids.Valid(id) {
		return ErrNotFound
	}
	return s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		cur, err := getJourney(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if ifMatch != 0 && cur.Version != ifMatch {
			return ErrVersionMismatch
		}
		if err := deleteJourney(ctx, tx, id); err != nil {
			return err
		}
		if err := messaging.EndJourneySends(ctx, tx, id, s.now()); err != nil {
			return err
		}
		return tx.Emit(ctx, marketingdb.EntityJourney, marketingdb.VerbDeleted, id, cur, nil)
	})
}

// Enrolments returns a page of up to limit enrolments of the journey id,
// newest first, after cursor.
func (s *Service) Enrolments(ctx context.Context, id, cursor string, limit int) (EnrolmentPage, error) {
	if !ids.Valid(id) {
		return EnrolmentPage{}, ErrNotFound
	}
	items, next, err := kitx.Paged(s.cursors, cursor, limit, func(after string, n int) (out []Enrolment, err error) {
		err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
			if _, err := getJourney(ctx, tx, id, false); err != nil {
				return err
			}
			out, err = listEnrolments(ctx, tx, id, after, n)
			return err
		})
		return out, err
	}, func(e Enrolment) string { return e.ID })
	if items == nil {
		items = []Enrolment{}
	}
	return EnrolmentPage{Items: items, NextCursor: next}, err
}

// refs checks that what j names is the tenant's: its campaigns, the
// trigger's segment or form, the goal's segment and each send step's
// template (of the step's channel).
func refs(ctx context.Context, tx *outbox.Tx, j Journey) error {
	type ref struct{ field, table, id, channel string }
	list := []ref{{"campaignId", "campaigns", j.CampaignID, ""}, {"trigger/campaignId", "campaigns", j.Trigger.CampaignID, ""},
		{"trigger/segmentId", "segments", j.Trigger.SegmentID, ""}, {"trigger/formId", "forms", j.Trigger.FormID, ""}}
	if j.Goal != nil {
		list = append(list, ref{"goal/segmentId", "segments", j.Goal.SegmentID, ""})
	}
	for i, st := range j.Steps {
		if st.Type == StepSend {
			list = append(list, ref{fmt.Sprintf("steps/%d/templateId", i), "templates", st.TemplateID, st.Channel})
		}
	}
	v := errs.NewValidator()
	for _, r := range list {
		if r.id == "" {
			continue
		}
		ok, err := exists(ctx, tx, r.table, r.id, r.channel)
		if err != nil {
			return err
		}
		what := map[string]string{"campaigns": "campaigns", "segments": "segments or lists", "forms": "forms"}[r.table]
		if r.channel != "" {
			what = r.channel + " templates"
		}
		v.Check(ok, r.field, "must be one of the tenant's "+what)
	}
	return v.Err()
}
