package cases

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// ErrAttachment is an attachment id that is not a file of the case.
var ErrAttachment = errs.New(errs.Unprocessable, "case-attachment", "the attachment is not a file of this case; upload it to the case first")

// maxMerged bounds the merges followed from a case to the one its thread
// went to.
const maxMerged = 16

// EntryPage is a page of a case's thread, oldest first; NextCursor, when
// set, reads the next.
type EntryPage struct {
	Items      []Entry `json:"items"`
	NextCursor string  `json:"nextCursor,omitempty"`
}

// Reply adds the caller's public reply to the case id (an agent's): a new
// case becomes open, and with e.Status the case moves to that status (as
// a PATCH would). A closed case takes no reply (ErrClosed).
func (s *Service) Reply(ctx context.Context, id string, e NewEntry) (out Entry, err error) {
	e.Kind, e.Public = KindReply, true
	return s.entry(ctx, id, e)
}

// Note adds the caller's internal note to the case id.
func (s *Service) Note(ctx context.Context, id string, e NewEntry) (out Entry, err error) {
	e.Kind, e.Public, e.Status = KindNote, false, ""
	return s.entry(ctx, id, e)
}

// entry adds the caller's entry e to the case id.
func (s *Service) entry(ctx context.Context, id string, e NewEntry) (out Entry, err error) {
	if !ids.Valid(id) {
		return out, ErrNotFound
	}
	e.AuthorType, e.AuthorEmail, e.AuthorName, e.MessageID, e.Channel, e.Attachments = AuthorAgent, "", "", "", "", nil
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		e.AuthorID = p.UserID
		out, err = s.appendIn(ctx, tx, id, e, p.UserID)
		return err
	})
	return out, err
}

// Entries returns a page of up to limit entries of the case id's thread,
// oldest first, after cursor ("" from the first).
func (s *Service) Entries(ctx context.Context, id, cur string, limit int) (page EntryPage, err error) {
	if !ids.Valid(id) {
		return page, ErrNotFound
	}
	var after int64
	if cur != "" {
		if err := s.cursors.DecodeCursor(cur, &after); err != nil {
			return page, err
		}
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		if _, err := getIn(ctx, tx, id, false); err != nil {
			return err
		}
		q := &pgrecord.Query{}
		q.Add("case_id = ?", id)
		q.Add("seq > ?", after)
		items, seqs, err := entriesWhere(ctx, tx, q, limit+1)
		if err != nil {
			return err
		}
		page.Items = items
		if len(items) > limit {
			page.Items, page.NextCursor = items[:limit], s.cursors.EncodeCursor(seqs[limit-1])
		}
		return nil
	})
	return page, err
}

// Entry returns the entry entryID of the case id's thread.
func (s *Service) Entry(ctx context.Context, id, entryID string) (out Entry, err error) {
	if !ids.Valid(id) {
		return out, ErrNotFound
	}
	if !ids.Valid(entryID) {
		return out, ErrEntryNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		if _, err := getIn(ctx, tx, id, false); err != nil {
			return err
		}
		e, err := entryIn(ctx, tx, id, entryID)
		if err == nil {
			out = *e
		}
		return err
	})
	return out, err
}

// appendIn adds e to the thread of the case caseID in tx, by actor, and
// returns it: the one way an entry is written. A case merged into another
// passes the entry on to it. An entry whose MessageID is already in the
// tenant's threads is that entry (a mail received twice), written once.
// A customer's reply reopens a case pending on the customer, or solved
// within the reopen window (Settings.ReopenDays); to a case closed, or
// solved before the window, it opens a new case linked to it (follow-up
// and lands there. An agent's public reply opens a new case, and
// takes no closed one; e.Status moves the case as a PATCH would.
func (s *Service) appendIn(ctx context.Context, tx *outbox.Tx, caseID string, e NewEntry, actor string) (Entry, error) {
	if e.Kind == KindReply {
		e.Public = true
	}
	if err := e.normalize(); err != nil {
		return Entry{}, err
	}
	if e.MessageID != "" {
		known, err := entryByMessageID(ctx, tx, []string{e.MessageID})
		if err != nil {
			return Entry{}, err
		}
		if known != nil {
			return *known, nil
		}
	}
	c, err := followMerges(ctx, tx, caseID)
	if err != nil {
		return Entry{}, err
	}
	st, err := settingsIn(ctx, tx)
	if err != nil {
		return Entry{}, err
	}
	now := s.now()
	target := e.Status
	switch {
	case e.Kind == KindReply && e.AuthorType == AuthorCustomer:
		switch {
		case c.Status == StatusClosed, c.Status == StatusSolved && !c.reopenable(st.ReopenDays, now):
			next, err := s.createIn(ctx, tx, Case{Subject: c.Subject, ContactID: c.ContactID, AccountID: c.AccountID, Channel: channelOf(e, c),
				Priority: c.Priority, QueueID: c.QueueID, Language: c.Language, Links: []Link{{Type: "case", ID: c.ID}}}, actor)
			if err != nil {
				return Entry{}, err
			}
			c = &next
		case c.Status == StatusPendingCustomer, c.Status == StatusSolved:
			target = StatusOpen
		}
	case e.Kind == KindReply && c.Status == StatusClosed:
		return Entry{}, ErrClosed.WithDetail("a closed case takes no reply; a customer's reply opens a new case")
	case e.Kind == KindReply && e.AuthorType == AuthorAgent && c.Status == StatusNew && target == "":
		target = StatusOpen
	}
	if e.Status != "" && e.Status != c.Status {
		check := *c
		check.Status = e.Status
		if err := check.checkStatus(c.Status, st.ReopenDays, now); err != nil {
			return Entry{}, err
		}
	}
	out := Entry{ID: ids.New(), CaseID: c.ID, Kind: e.Kind, Public: e.Public, AuthorType: e.AuthorType, AuthorID: e.AuthorID,
		AuthorEmail: e.AuthorEmail, AuthorName: e.AuthorName, Channel: channelOf(e, c), BodyText: e.BodyText, BodyHTML: e.BodyHTML,
		MessageID: e.MessageID, Attachments: []Attachment{}, CreatedAt: pg.Timestamp(now).UTC()}
	if out.Attachments, err = s.files(ctx, tx, c.ID, e); err != nil {
		return Entry{}, err
	}
	if err := insertEntry(ctx, tx, &out); err != nil {
		return Entry{}, err
	}
	if err := tx.Emit(ctx, supportdb.EntityCaseEntry, supportdb.VerbCreated, out.ID, &out, nil); err != nil {
		return Entry{}, err
	}
	if target != "" && target != c.Status {
		if _, err := ChangeIn(ctx, tx, c.ID, func(c *Case) error { c.Status = target; return nil }); err != nil {
			return Entry{}, err
		}
	}
	return out, nil
}

// channelOf is the channel of the entry e of the case c: its own, or the
// case's.
func channelOf(e NewEntry, c *Case) string {
	if e.Channel != "" {
		return e.Channel
	}
	return c.Channel
}

// followMerges reads the case id, locked, or the case its thread was
// merged into (and so on).
func followMerges(ctx context.Context, tx *outbox.Tx, id string) (*Case, error) {
	for range maxMerged {
		c, err := getIn(ctx, tx, id, true)
		if err != nil || c.MergedInto == "" {
			return c, err
		}
		id = c.MergedInto
	}
	return nil, fmt.Errorf("case %s: more than %d merges to follow", id, maxMerged)
}

// files stores e's uploads as files of the case caseID and checks its
// attachment ids are files of the case (ErrAttachment naming
// attachmentIds/<i>), returning their metadata.
func (s *Service) files(ctx context.Context, tx *outbox.Tx, caseID string, e NewEntry) ([]Attachment, error) {
	out := []Attachment{}
	for _, u := range e.Attachments {
		m, err := s.store.Put(ctx, tx, caseID, u)
		if err != nil {
			return nil, err
		}
		out = append(out, attachmentOf(m))
	}
	for i, id := range e.AttachmentIDs {
		m, data, err := s.store.Open(ctx, tx, id)
		if err == nil {
			err = data.Close()
		}
		if errs.KindOf(err) == errs.NotFound || err == nil && m.CaseID != caseID {
			e := ErrAttachment.WithDetail("attachment %s is not a file of the case", id)
			e.Fields = []errs.FieldError{{Field: fmt.Sprintf("attachmentIds/%d", i), Reason: "must be a file uploaded to this case"}}
			return nil, e
		}
		if err != nil {
			return nil, err
		}
		out = append(out, attachmentOf(m))
	}
	return out, nil
}
