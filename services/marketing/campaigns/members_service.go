package campaigns

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/marketing/audience"
	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// MemberPage is a page of a campaign's members; NextCursor, when set,
// reads the next.
type MemberPage struct {
	Items      []Member `json:"items"`
	NextCursor string   `json:"nextCursor,omitempty"`
}

// Added says how many of the contacts a request added became members
// (the others were already).
type Added struct {
	Added int `json:"added"`
}

// inCampaign runs fn in a transaction of the caller's tenant once the
// campaign id is known to exist.
func (s *Service) inCampaign(ctx context.Context, id string, fn func(p auth.Principal, tx *outbox.Tx) error) error {
	if !ids.Valid(id) {
		return ErrNotFound
	}
	return s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		ok, err := campaignExists(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		return fn(p, tx)
	})
}

// Members returns a page of up to limit members of the campaign id with
// status ("" for any), by contact id, after cursor.
func (s *Service) Members(ctx context.Context, id, status, cursor string, limit int) (MemberPage, error) {
	items, next, err := kitx.Paged(s.cursors, cursor, limit, func(after string, n int) (out []Member, err error) {
		err = s.inCampaign(ctx, id, func(_ auth.Principal, tx *outbox.Tx) error {
			out, err = listMembers(ctx, tx, id, status, after, n)
			return err
		})
		return out, err
	}, func(m Member) string { return m.ContactID })
	for i := range items {
		items[i].AddedAt, items[i].UpdatedAt = items[i].AddedAt.UTC(), items[i].UpdatedAt.UTC()
	}
	if items == nil {
		items = []Member{}
	}
	return MemberPage{Items: items, NextCursor: next}, err
}

// AddMembers makes the audience's contacts contactIDs members of the
// campaign id (status added; those already members keep theirs) and
// publishes campaign_member.added for each new one. A contact the
// audience does not have is a 400 naming it.
func (s *Service) AddMembers(ctx context.Context, id string, contactIDs []string) (out Added, err error) {
	v := errs.NewValidator()
	v.Check(len(contactIDs) >= 1 && len(contactIDs) <= maxAdd, "contactIds", fmt.Sprintf("must list 1 to %d contacts", maxAdd))
	for i, c := range contactIDs {
		v.Check(ids.Valid(c), fmt.Sprintf("contactIds/%d", i), "must be a contact's id")
	}
	if err := v.Err(); err != nil {
		return out, err
	}
	contactIDs = slices.Compact(slices.Sorted(slices.Values(contactIDs)))
	err = s.inCampaign(ctx, id, func(_ auth.Principal, tx *outbox.Tx) error {
		missing, err := missingContacts(ctx, tx, contactIDs)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			fe := make([]errs.FieldError, len(missing))
			for i, m := range missing {
				fe[i] = errs.FieldError{Field: "contactIds", Reason: "contact " + m + " is not in the audience"}
			}
			return errs.Invalidf(fe, "%d of the contacts are not in the audience", len(missing))
		}
		at := s.now()
		for _, c := range contactIDs {
			added, err := raise(ctx, tx, id, c, StatusAdded, SourceManual, at)
			if err != nil {
				return err
			}
			if added {
				out.Added++
			}
		}
		return nil
	})
	return out, err
}

// History returns the statuses the contact took as a member of the
// campaign id, in the order it took them.
func (s *Service) History(ctx context.Context, id, contactID string) (out []HistoryEntry, err error) {
	if !ids.Valid(contactID) {
		return nil, ErrMemberNotFound
	}
	err = s.inCampaign(ctx, id, func(_ auth.Principal, tx *outbox.Tx) error {
		if _, err := getMember(ctx, tx, id, contactID); err != nil {
			return err
		}
		out, err = memberHistory(ctx, tx, id, contactID)
		return err
	})
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, err
}

// SetStatus raises the member's status by hand (a status at or below its
// own is ErrStatusFalls) and publishes campaign_member.status_changed;
// responded also publishes campaign.responded with the contact as the
// audience knows them, which the sales service makes a lead of.
func (s *Service) SetStatus(ctx context.Context, id, contactID, status string) (out Member, err error) {
	if !ids.Valid(contactID) {
		return out, ErrMemberNotFound
	}
	if status == StatusAdded || rank(status) < 0 {
		return out, errs.Invalidf([]errs.FieldError{{Field: "status", Reason: "must be one of sent, opened, clicked, responded, converted"}},
			"status %q is no member status", status)
	}
	err = s.inCampaign(ctx, id, func(_ auth.Principal, tx *outbox.Tx) error {
		cur, err := getMember(ctx, tx, id, contactID)
		if err != nil {
			return err
		}
		if rank(status) <= rank(cur.Status) {
			e := ErrStatusFalls.WithDetail("the member is %s already; its status only rises", cur.Status)
			e.Fields = []errs.FieldError{{Field: "status", Reason: "must be above " + cur.Status}}
			return e
		}
		at := s.now()
		if _, err := raise(ctx, tx, id, contactID, status, SourceManual, at); err != nil {
			return err
		}
		if status == StatusResponded {
			if err := responded(ctx, tx, id, contactID, at); err != nil {
				return err
			}
		}
		out, err = getMember(ctx, tx, id, contactID)
		return err
	})
	out.AddedAt, out.UpdatedAt = out.AddedAt.UTC(), out.UpdatedAt.UTC()
	return out, err
}

// responded publishes campaign.responded for the contact, named as the
// audience knows them (a contact it no longer has goes by its id alone).
func responded(ctx context.Context, tx *outbox.Tx, campaignID, contactID string, at time.Time) error {
	c, err := audience.LoadContact(ctx, tx.SQL(), contactID)
	if err != nil && errs.KindOf(err) != errs.NotFound {
		return err
	}
	ev := respondedEvent{CampaignID: campaignID, ContactID: contactID, Email: c.Email, FirstName: c.FirstName, LastName: c.LastName,
		Phone: c.Phone, Title: c.JobTitle, RespondedAt: pg.Timestamp(at).UTC()}
	return tx.Emit(ctx, marketingdb.EntityCampaign, marketingdb.VerbResponded, campaignID, ev, nil)
}
