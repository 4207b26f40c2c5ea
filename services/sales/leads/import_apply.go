package leads

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/importjob"
	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/libs/pgrecord"
	"github.com/rapport-crm/rapport/services/sales/deals"
)

// leadImport imports the rows of one chunk in its transaction.
type leadImport struct {
	ctx    context.Context
	tx     *outbox.Tx
	b      *importjob.Batch
	defs   Fields
	region string // the tenant's default phone region
}

// destination is what a row is imported as: a lead the chunk creates
// (create, with the rows merged into it), or a live lead (id) with the
// rows that update it.
type destination struct {
	create *leadDraft
	merged []*leadDraft
	id     string
	rows   []*leadDraft
}

// run imports the batch's rows in the order of the file: each is admitted
// as the API's create admits a lead, then created, merged, skipped or
// written over the lead it matches as the duplicate policy says.
func (m *leadImport) run() error {
	var drafts []*leadDraft
	for _, r := range m.b.Rows {
		d := newLeadDraft(r, m.b.Job.Plan, m.defs)
		if err := m.admit(&d.lead, ""); err != nil {
			if err := m.b.Refuse(r, d.paths, err); err != nil {
				return err
			}
			continue
		}
		drafts = append(drafts, d)
	}
	creates, updates, err := m.decide(drafts)
	if err != nil {
		return err
	}
	for _, t := range creates {
		if err := m.create(t); err != nil {
			return err
		}
	}
	for _, t := range updates {
		if err := m.update(t); err != nil {
			return err
		}
	}
	return nil
}

// admit normalises and checks l as a write of the API does, from the
// status from ("" for a create): its own fields, its custom fields and
// its status.
func (m *leadImport) admit(l *Lead, from string) error {
	if err := l.normalize(m.b.Job.Principal.UserID, m.region); err != nil {
		return err
	}
	if err := checkFields(l, m.defs, m.region); err != nil {
		return err
	}
	return l.checkStatus(from)
}

// decide goes through drafts in the file's order and says what each does:
// with policy create every row creates a lead; otherwise a row that
// matches no live lead the importer may see, nor an earlier row of the
// file, creates one; one that matches is skipped (skip), or written over
// what it matches (update) — a row matching several leads fails then.
func (m *leadImport) decide(drafts []*leadDraft) (creates, updates []*destination, err error) {
	policy := m.b.Job.DuplicatePolicy
	if policy == importjob.PolicyCreate {
		for _, d := range drafts {
			creates = append(creates, &destination{create: d})
		}
		return creates, nil, nil
	}
	var all []string
	for _, d := range drafts {
		all = append(all, keys(&d.lead)...)
	}
	stored, err := findByKeys(m.ctx, m.tx, m.b.Job.Principal, all)
	if err != nil {
		return nil, nil, err
	}
	byKey, byID := map[string]*destination{}, map[string]*destination{}
	for _, d := range drafts {
		var ds []*destination
		for _, k := range keys(&d.lead) {
			if t := byKey[k]; t != nil {
				ds = appendDestination(ds, t)
				continue
			}
			for _, id := range stored[k] {
				if byID[id] == nil {
					byID[id] = &destination{id: id}
				}
				ds = appendDestination(ds, byID[id])
			}
		}
		switch {
		case len(ds) == 0:
			t := &destination{create: d}
			creates, ds = append(creates, t), []*destination{t}
		case policy == importjob.PolicySkip:
			m.b.Skipped(1)
			continue
		case len(ds) > 1:
			m.b.Fail(importjob.RowError{Row: d.row.No, Reason: fmt.Sprintf("its email and phone are those of %d leads: it cannot update more than one", len(ds))})
			continue
		case ds[0].create != nil:
			next := d.over(&ds[0].create.lead)
			if err := m.admit(next, ""); err != nil {
				if err := m.b.Refuse(d.row, d.paths, err); err != nil {
					return nil, nil, err
				}
				continue
			}
			ds[0].create.lead, ds[0].merged = *next, append(ds[0].merged, d)
		default:
			if len(ds[0].rows) == 0 {
				updates = append(updates, ds[0])
			}
			ds[0].rows = append(ds[0].rows, d)
		}
		for _, k := range keys(&d.lead) {
			byKey[k] = ds[0]
		}
	}
	return creates, updates, nil
}

// appendDestination appends t to ds unless ds holds it.
func appendDestination(ds []*destination, t *destination) []*destination {
	if slices.Contains(ds, t) {
		return ds
	}
	return append(ds, t)
}

// create stores the lead t creates through the leads' create path
// (createIn: scored, assigned by the rules when the row names no owner,
// lead.created), and notes it as the import's.
func (m *leadImport) create(t *destination) error {
	l, now, ctx := &t.create.lead, m.b.Now, m.ctx
	if t.create.paths.Column("ownerId") < 0 && !slices.ContainsFunc(t.merged, func(d *leadDraft) bool { return d.paths.Column("ownerId") >= 0 }) {
		ctx = WithAssignment(ctx)
	}
	l.ID, l.CreatedAt, l.UpdatedAt, l.Version = ids.New(), now, now, 1
	if _, err := createIn(ctx, m.tx, m.b.Job.Principal, l, fieldsIn(m.region)); err != nil {
		return err
	}
	if err := importjob.NoteRecords(m.ctx, m.tx.SQL(), m.b.Job.ID, []string{l.ID}, []int64{t.create.row.No}, importjob.ActionCreated, now); err != nil {
		return err
	}
	m.b.Created(1)
	return m.note(l.ID, t.merged)
}

// note notes rows as having updated the lead id, and counts them.
func (m *leadImport) note(id string, rows []*leadDraft) error {
	if len(rows) == 0 {
		return nil
	}
	list, nos := make([]string, len(rows)), make([]int64, len(rows))
	for i, d := range rows {
		list[i], nos[i] = id, d.row.No
	}
	m.b.Updated(len(rows))
	return importjob.NoteRecords(m.ctx, m.tx.SQL(), m.b.Job.ID, list, nos, importjob.ActionUpdated, m.b.Now)
}

// update writes the rows of t over the live lead they match, in the file's
// order, through the leads' update path (updateIn: rescored,
// lead.updated naming the changed fields): a row that would make the lead
// invalid fails alone, and rows that change nothing are skipped. A lead
// deleted, converted or out of the importer's scope meanwhile fails them.
func (m *leadImport) update(t *destination) error {
	p := m.b.Job.Principal
	var applied []*leadDraft
	var gone string
	_, ch, err := updateIn(m.ctx, m.tx, t.id, func(old *Lead, _ Fields) (*Lead, pgrecord.Change, error) {
		switch {
		case old.DeletedAt != nil || !deals.InScope(p, old.OwnerID, old.TeamID):
			gone = "the lead it matches was deleted while the file was imported"
			return old, pgrecord.Change{}, nil
		case old.Status == StatusConverted:
			gone = "the lead it matches is converted; it is kept as it was"
			return old, pgrecord.Change{}, nil
		}
		next := old
		for _, d := range t.rows {
			trial := d.over(next)
			if err := m.admit(trial, old.Status); err != nil {
				if err := m.b.Refuse(d.row, d.paths, err); err != nil {
					return nil, pgrecord.Change{}, err
				}
				continue
			}
			next, applied = trial, append(applied, d)
		}
		if len(applied) == 0 {
			return old, pgrecord.Change{}, nil
		}
		next.UpdatedAt, next.Version = m.b.Now, old.Version+1
		return pgrecord.Updated(old, next)
	})
	if errors.Is(err, ErrNotFound) {
		gone, err = "the lead it matches was deleted while the file was imported", nil
	}
	switch {
	case err != nil:
		return err
	case gone != "":
		for _, d := range t.rows {
			m.b.Fail(importjob.RowError{Row: d.row.No, Reason: gone})
		}
		return nil
	case ch.Verb == "":
		m.b.Skipped(len(applied))
		return nil
	}
	return m.note(t.id, applied)
}
