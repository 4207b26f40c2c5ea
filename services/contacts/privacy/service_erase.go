package privacy

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/importjob"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/activities"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/duplicates"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/timeline"
)

// Erase implements Service. In one transaction of the tenant it locks the
// contact and those merged into it, then the duplicate checks' keys of
// what they were (so no concurrent write or import matches them halfway),
// and then:
//   - refuses while an import that wrote one of them has not ended (its
//     file holds the row), and blanks the person in those imports' error
//     reports;
//   - redacts the activities naming the person (person.redact), each
//     published as activity.updated;
//   - anonymises the contacts (erasedContact), which takes their match keys
//     and search keys with them;
//   - blanks the sources of their consent history, the titles other
//     services' events gave their timeline entries, and their pairs in
//     duplicate scans;
//   - records the erasure and publishes contact.erased for each contact.
func (s *service) Erase(ctx context.Context, id string, ifMatch int64, req EraseRequest) (*Erasure, error) {
	p, err := customer.CallerOf(ctx, id, customer.ErrContactNotFound)
	if err != nil {
		return nil, err
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	var out *Erasure
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		c, merges, losers, err := readPerson(ctx, tx, p, id, true)
		if err != nil {
			return err
		}
		if c.ErasedAt != nil {
			return customer.ErrContactErased.WithDetail("the contact's personal data was erased at %s; it is kept only for reports and cannot be changed",
				c.ErasedAt.Format(time.RFC3339))
		}
		if ifMatch != 0 && c.Version != ifMatch {
			return customer.ErrVersionMismatch
		}
		all := append([]*customer.Contact{c}, losers...)
		if err := duplicates.LockContactKeys(ctx, tx, p, all); err != nil {
			return err
		}
		now := pg.Timestamp(s.now()).UTC()
		out = &Erasure{ContactID: c.ID, ErasedAt: now, ErasedBy: p.UserID, Reason: req.Reason, MergedIDs: []string{}}
		for _, m := range merges {
			out.MergedIDs = append(out.MergedIDs, m.ID)
		}
		if out.Activities, err = s.erase(ctx, tx, all, now); err != nil {
			return err
		}
		if err := insertErasure(ctx, tx, out); err != nil {
			return err
		}
		return publishErased(ctx, tx, p, all, now)
	})
	if err != nil {
		return nil, s.followMerge(ctx, p, id, "/erase", err)
	}
	return out, nil
}

// erase anonymises the contacts all (a contact and those merged into it,
// locked) and what names them at now, and returns how many activities it
// redacted.
func (s *service) erase(ctx context.Context, tx *pgstore.Tx, all []*customer.Contact, now time.Time) (int, error) {
	who := personOf(all)
	provenance, err := importjob.ProvenanceOf(ctx, tx.SQL(), who.contacts)
	if err != nil {
		return 0, err
	}
	if _, err := importjob.EraseRows(ctx, tx.SQL(), provenance, who.words()); err != nil {
		return 0, err
	}
	redacted, err := redactActivities(ctx, tx, who, now)
	if err != nil {
		return 0, err
	}
	for _, c := range all {
		if err := pgstore.UpdateRecord(ctx, tx, pgstore.Contacts, erasedContact(c, now)); err != nil {
			return 0, err
		}
	}
	if _, err := eraseConsentSources(ctx, tx, who.contacts); err != nil {
		return 0, err
	}
	if _, err := timeline.RedactForeign(ctx, tx, who.contacts); err != nil {
		return 0, err
	}
	return redacted, duplicates.ForgetPairs(ctx, tx, who.contacts)
}

// redactActivities redacts the activities naming who (person.redact),
// publishing each one it changes as activity.updated, and returns how many
// it changed.
func redactActivities(ctx context.Context, tx *pgstore.Tx, who person, now time.Time) (int, error) {
	acts, err := activities.Naming(ctx, tx, who.contacts, who.emails, who.phones, true)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range acts {
		old := &acts[i]
		next, changed := who.redact(*old)
		if !changed {
			continue
		}
		next.UpdatedAt, next.Version = now, old.Version+1
		fields, err := events.ChangedFields(old, &next)
		if err != nil {
			return 0, err
		}
		if err := activities.Rewrite(ctx, tx, old, &next); err != nil {
			return 0, err
		}
		if err := tx.Emit(ctx, customer.EventActivity, customer.VerbUpdated, next.ID, &next, fields); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// erasedContact returns c anonymised at now: placeholder names, no emails,
// phones, address, job title or custom field values, consent without its
// sources (the statuses and their times stay); its id, owner, team,
// account, lifecycle stage, source, tags, dates and last activity stay for
// reports.
func erasedContact(c *customer.Contact, now time.Time) *customer.Contact {
	e := *c
	e.FirstName, e.LastName, e.DisplayName, e.DisplayNameManual = "", "", customer.ErasedName, true
	e.Emails, e.Phones, e.JobTitle, e.Address = customer.Emails{}, customer.Phones{}, "", nil
	e.StoredFields, e.CustomFields = customer.JSONMap{}, map[string]any{}
	if c.Consent != nil {
		consent := customer.Consent{}
		for _, ch := range []struct{ from, to **customer.ChannelConsent }{
			{&c.Consent.Email, &consent.Email}, {&c.Consent.SMS, &consent.SMS}, {&c.Consent.Phone, &consent.Phone}} {
			if *ch.from != nil {
				*ch.to = &customer.ChannelConsent{Status: (*ch.from).Status, At: (*ch.from).At}
			}
		}
		e.Consent = &consent
	}
	e.ErasedAt = &customer.UTCTime{Time: now}
	e.UpdatedAt, e.Version = now, c.Version+1
	return &e
}

// publishErased adds contact.erased of each of cs, erased by p at now, to
// the outbox (and, as a change of the record, to its timeline).
func publishErased(ctx context.Context, tx *pgstore.Tx, p auth.Principal, cs []*customer.Contact, now time.Time) error {
	subjects, states := make([]string, len(cs)), make([]any, len(cs))
	for i, c := range cs {
		subjects[i], states[i] = c.ID, erased{ID: c.ID, Tenant: p.TenantID, ErasedAt: now, ErasedBy: p.UserID}
	}
	return tx.EmitEach(ctx, customer.EntityContact, customer.VerbErased, subjects, states)
}
