package cases

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/support/attachments"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// refuseMerge is ErrMerge naming intoCaseId, for reason.
func refuseMerge(reason string) error {
	e := ErrMerge.WithDetail("%s", reason)
	e.Fields = []errs.FieldError{{Field: "intoCaseId", Reason: reason}}
	return e
}

// Merge merges the case id into the case into, a duplicate into the case
// kept: the source's entries and attachments move to the target, the
// source is closed with mergedInto (case.updated, case.status_changed,
// then case.merged) and the target links it (case.updated). Merging a case
// into itself, into a closed or merged case, or a closed case, is
// ErrMerge (422 naming intoCaseId). It returns the target.
func (s *Service) Merge(ctx context.Context, id, into string) (out Case, err error) {
	if !ids.Valid(id) {
		return out, ErrNotFound
	}
	switch {
	case !ids.Valid(into):
		return out, errs.Invalidf([]errs.FieldError{{Field: "intoCaseId", Reason: "must be a UUID"}}, "intoCaseId must be a case's id")
	case id == into:
		return out, refuseMerge("a case cannot be merged into itself")
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		// Lock both in the order of their ids: two merges of the same pair
		// queue instead of deadlocking.
		cs := map[string]*Case{}
		for _, cid := range []string{min(id, into), max(id, into)} {
			c, err := getIn(ctx, tx, cid, true)
			if err != nil && errs.KindOf(err) != errs.NotFound {
				return err
			}
			cs[cid] = c
		}
		source, target := cs[id], cs[into]
		switch {
		case source == nil:
			return ErrNotFound
		case source.Status == StatusClosed:
			return ErrClosed.WithDetail("a closed case cannot be merged")
		case target == nil:
			return refuseMerge("no such case")
		case target.MergedInto != "":
			return refuseMerge("that case is merged into another")
		case target.Status == StatusClosed:
			return refuseMerge("that case is closed")
		}
		if err := moveEntries(ctx, tx, id, into, ""); err != nil {
			return err
		}
		if err := s.store.Move(ctx, tx, id, into); err != nil {
			return err
		}
		merged, err := ChangeIn(ctx, tx, id, func(c *Case) error {
			c.Status, c.MergedInto = StatusClosed, into
			return nil
		})
		if err != nil {
			return err
		}
		if err := tx.Emit(ctx, supportdb.EntityCase, supportdb.VerbMerged, id, &merged, nil); err != nil {
			return err
		}
		out, err = ChangeIn(ctx, tx, into, func(c *Case) error {
			c.addLink(Link{Type: "case", ID: id})
			return nil
		})
		return err
	})
	return out, err
}

// Split moves the entry entryID of the case id to a new case (subject, or
// "Split from #<number>"), which takes the source's contact, account,
// channel, priority, queue and language; the two link each other. The
// entry's attachments are copied to the new case (the source keeps its
// files). Publishes case.created, case_entry.created (the entry in its new
// case) and case.updated (the source's links). It returns the new case.
func (s *Service) Split(ctx context.Context, id, entryID, subject string) (out Case, err error) {
	if !ids.Valid(id) {
		return out, ErrNotFound
	}
	if !ids.Valid(entryID) {
		return out, ErrEntryNotFound
	}
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		source, err := getIn(ctx, tx, id, true)
		if err != nil {
			return err
		}
		e, err := entryIn(ctx, tx, id, entryID)
		if err != nil {
			return err
		}
		if strings.TrimSpace(subject) == "" {
			subject = fmt.Sprintf("Split from #%d", source.Number)
		}
		out, err = s.createIn(ctx, tx, Case{Subject: subject, ContactID: source.ContactID, AccountID: source.AccountID, Channel: source.Channel,
			Priority: source.Priority, QueueID: source.QueueID, Language: source.Language, Links: []Link{{Type: "case", ID: id}}}, p.UserID)
		if err != nil {
			return err
		}
		if err := moveEntries(ctx, tx, id, out.ID, entryID); err != nil {
			return err
		}
		e.CaseID = out.ID
		if err := s.copyFiles(ctx, tx, e); err != nil {
			return err
		}
		if err := setEntryAttachments(ctx, tx, e.ID, e.Attachments); err != nil {
			return err
		}
		if err := tx.Emit(ctx, supportdb.EntityCaseEntry, supportdb.VerbCreated, e.ID, e, nil); err != nil {
			return err
		}
		_, err = ChangeIn(ctx, tx, id, func(c *Case) error {
			c.addLink(Link{Type: "case", ID: out.ID})
			return nil
		})
		return err
	})
	return out, err
}

// copyFiles copies the attachments of the entry e to its case, e.CaseID,
// making e's attachments the copies.
func (s *Service) copyFiles(ctx context.Context, tx *outbox.Tx, e *Entry) error {
	copies := make([]Attachment, 0, len(e.Attachments))
	for _, a := range e.Attachments {
		c, err := s.copyFile(ctx, tx, a.ID, e.CaseID)
		if err != nil {
			return err
		}
		copies = append(copies, c)
	}
	e.Attachments = copies
	return nil
}

// copyFile stores a copy of the attachment id as a file of the case to.
func (s *Service) copyFile(ctx context.Context, tx *outbox.Tx, id, to string) (Attachment, error) {
	m, data, err := s.store.Open(ctx, tx, id)
	if err != nil {
		return Attachment{}, err
	}
	defer data.Close()
	b, err := io.ReadAll(data)
	if err != nil {
		return Attachment{}, fmt.Errorf("read attachment %s: %w", id, err)
	}
	copied, err := s.store.Put(ctx, tx, to, attachments.Upload{Name: m.Name, ContentType: m.ContentType, Data: b})
	return attachmentOf(copied), err
}
