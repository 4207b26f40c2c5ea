package imports

import (
	"errors"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/importjob"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/records"
)

// create stores the new contacts ts make, with their consent history, and
// adds their created events to the outbox, all in one statement each.
func (m *merger) create(ts []*target) error {
	if len(ts) == 0 {
		return nil
	}
	recs, cs, rows := make([]customer.Record, len(ts)), make([]*customer.Contact, len(ts)), make([]int64, len(ts))
	var mergedIDs []string
	var mergedRows []int64
	for i, t := range ts {
		c := &t.create.contact
		c.ID, c.CreatedAt, c.UpdatedAt, c.Version, c.DeletedAt = ids.New(), m.b.Now, m.b.Now, 1, nil
		recs[i], cs[i], rows[i] = c, c, t.create.row.No
		for _, d := range t.merged {
			mergedIDs, mergedRows = append(mergedIDs, c.ID), append(mergedRows, d.row.No)
		}
	}
	if err := records.ResolveNew(m.ctx, m.tx, recs, m.b.Now); err != nil {
		return err
	}
	if err := insertContacts(m.ctx, m.tx, m.b.Job.Tenant, m.b.Job.ID, cs, rows, m.b.Now); err != nil {
		return err
	}
	if err := importjob.NoteRecords(m.ctx, m.tx.SQL(), m.b.Job.ID, mergedIDs, mergedRows, customer.VerbUpdated, m.b.Now); err != nil {
		return err
	}
	for _, c := range cs {
		if err := records.RecordConsent(m.ctx, m.tx, m.b.Job.Principal, nil, c, records.ConsentCreated); err != nil {
			return err
		}
	}
	if err := catalog.PresentWith(m.ctx, m.tx, m.defs, recs...); err != nil {
		return err
	}
	m.b.Created(len(ts))
	m.b.Updated(len(mergedIDs))
	return m.tx.EmitAll(m.ctx, customer.EntityContact, customer.VerbCreated, recs, nil)
}

// update writes the rows of each of ts over the existing contact it
// matches, in the file's order, through the write path of every update
// (records.Prepare): a row that would make the contact invalid fails alone;
// a contact the rows do not change is left as it is (its rows skipped).
func (m *merger) update(ts []*target) error {
	p := m.b.Job.Principal
	for _, t := range ts {
		rec, err := pgstore.GetRecord(m.ctx, m.tx, pgstore.Contacts, t.id, true, pgstore.LiveConds(p)...)
		if errors.Is(err, customer.ErrContactNotFound) {
			for _, d := range t.rows {
				m.b.Fail(importjob.RowError{Row: d.row.No, Reason: "the contact it matches was deleted or merged while the file was imported"})
			}
			continue
		}
		if err != nil {
			return err
		}
		old := rec.(*customer.Contact)
		if err := catalog.PresentWith(m.ctx, m.tx, m.defs, old); err != nil {
			return err
		}
		next, applied := old, []*draft(nil)
		for _, d := range t.rows {
			trial := cloneContact(next)
			applyRow(trial, d)
			if err := records.Admit(p, trial, m.region, m.defs); err != nil {
				if err := m.refuse(d, err); err != nil {
					return err
				}
				continue
			}
			next, applied = trial, append(applied, d)
		}
		if len(applied) == 0 {
			continue
		}
		if err := m.write(old, next, applied); err != nil {
			return err
		}
	}
	return nil
}

// write stores next, old changed by the rows applied, as an update does:
// records.Prepare, the changed fields, the row, the consent history, the
// updated event; and notes the rows as the import's. Rows that change
// nothing are skipped.
func (m *merger) write(old, next *customer.Contact, applied []*draft) error {
	next.UpdatedAt, next.Version = m.b.Now, old.Version+1
	defs, err := records.Prepare(m.ctx, m.tx, pgstore.Contacts, m.b.Job.Principal, next, old.StoredFields)
	if err != nil {
		for _, d := range applied {
			if err := m.refuse(d, err); err != nil {
				return err
			}
		}
		return nil
	}
	if err := catalog.PresentWith(m.ctx, m.tx, defs, next); err != nil {
		return err
	}
	next, change, err := pgstore.Updated(old, next)
	if err != nil {
		return err
	}
	if change.Verb == "" {
		m.b.Skipped(len(applied))
		return nil
	}
	if err := pgstore.UpdateRecord(m.ctx, m.tx, pgstore.Contacts, next); err != nil {
		return err
	}
	if err := records.RecordConsent(m.ctx, m.tx, m.b.Job.Principal, old, next, records.ConsentUpdated); err != nil {
		return err
	}
	ids, rows := make([]string, len(applied)), make([]int64, len(applied))
	for i, d := range applied {
		ids[i], rows[i] = next.ID, d.row.No
	}
	if err := importjob.NoteRecords(m.ctx, m.tx.SQL(), m.b.Job.ID, ids, rows, customer.VerbUpdated, m.b.Now); err != nil {
		return err
	}
	m.b.Updated(len(applied))
	return m.tx.Emit(m.ctx, customer.EntityContact, customer.VerbUpdated, next.ID, next, change.Fields)
}
