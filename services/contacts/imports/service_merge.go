package imports

import (
	"context"
	"fmt"
	"slices"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/importjob"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/records"
)

// merger imports the rows of one chunk in its transaction.
type merger struct {
	ctx    context.Context
	tx     *pgstore.Tx
	b      *importjob.Batch
	region string
	defs   map[string]customfields.Field
}

// target is what a row that matches is merged into: a contact the chunk
// creates (create), or an existing one (id) with the rows that update it.
type target struct {
	create *draft
	merged []*draft // rows merged into create
	id     string
	rows   []*draft
}

// merge imports the batch's rows: their drafts are admitted as the API
// admits a write, given their accounts, and created, updated or skipped as
// the duplicate policy says, in the order of the file.
func (m *merger) merge() error {
	var drafts []*draft
	for _, r := range m.b.Rows {
		d := newDraft(r, m.b.Job.Plan, m.defs, m.b.Now)
		if err := records.Admit(m.b.Job.Principal, &d.contact, m.region, m.defs); err != nil {
			if err := m.refuse(d, err); err != nil {
				return err
			}
			continue
		}
		drafts = append(drafts, d)
	}
	drafts, err := m.findAccounts(drafts)
	if err != nil {
		return err
	}
	creates, updates, err := m.decide(drafts)
	if err != nil {
		return err
	}
	if err := m.create(creates); err != nil {
		return err
	}
	return m.update(updates)
}

// refuse fails the row of d for err, a refusal of the write: each invalid
// field at the column it came from. Any other error is returned.
func (m *merger) refuse(d *draft, err error) error { return m.b.Refuse(d.row, d.paths, err) }

// keys are what a row is matched on: its emails, or its phones when it has
// no email ("email:<address>", "phone:<E.164>", as the duplicate checks key
// them).
func keys(d *draft) []string {
	var out []string
	for _, e := range d.contact.Emails {
		out = append(out, "email:"+e.Address)
	}
	if len(out) > 0 {
		return out
	}
	for _, p := range d.contact.Phones {
		if p.E164 != "" {
			out = append(out, "phone:"+p.E164)
		}
	}
	return out
}

// decide goes through drafts in the file's order and says what each does:
// with policy create every row creates a contact; otherwise a row that
// matches no live contact the importer may see, nor an earlier row of the
// file, creates one; one that matches is skipped (skip), or merged into
// what it matches (update) — a row matching several contacts fails then.
// It returns the rows that create contacts and the existing contacts to
// update, in order.
func (m *merger) decide(drafts []*draft) ([]*target, []*target, error) {
	policy := m.b.Job.DuplicatePolicy
	var creates, updates []*target
	if policy == importjob.PolicyCreate {
		for _, d := range drafts {
			creates = append(creates, &target{create: d})
		}
		return creates, updates, nil
	}
	var all []string
	for _, d := range drafts {
		all = append(all, keys(d)...)
	}
	if err := lockMatchKeys(m.ctx, m.tx, m.b.Job.Tenant, all); err != nil {
		return nil, nil, err
	}
	found, err := findMatches(m.ctx, m.tx, m.b.Job.Principal, all)
	if err != nil {
		return nil, nil, err
	}
	stored := map[string][]string{}
	for _, f := range found {
		if !slices.Contains(stored[f.Key], f.ID) {
			stored[f.Key] = append(stored[f.Key], f.ID)
		}
	}
	byKey, byID := map[string]*target{}, map[string]*target{}
	for _, d := range drafts {
		var ts []*target
		for _, k := range keys(d) {
			if t := byKey[k]; t != nil {
				ts = appendNew(ts, t)
				continue
			}
			for _, id := range stored[k] {
				if byID[id] == nil {
					byID[id] = &target{id: id}
				}
				ts = appendNew(ts, byID[id])
			}
		}
		switch {
		case len(ts) == 0:
			t := &target{create: d}
			creates = append(creates, t)
			ts = []*target{t}
		case policy == importjob.PolicySkip:
			m.b.Skipped(1)
			continue
		case len(ts) > 1:
			m.b.Fail(importjob.RowError{Row: d.row.No, Reason: fmt.Sprintf("its emails or phones are those of %d contacts: it cannot update more than one", len(ts))})
			continue
		case ts[0].create != nil:
			merged, err := m.mergeNew(ts[0], d)
			if err != nil {
				return nil, nil, err
			}
			if !merged {
				continue
			}
		default:
			if len(ts[0].rows) == 0 {
				updates = append(updates, ts[0])
			}
			ts[0].rows = append(ts[0].rows, d)
		}
		for _, k := range keys(d) {
			byKey[k] = ts[0]
		}
	}
	return creates, updates, nil
}

// appendNew appends t to ts unless ts holds it.
func appendNew(ts []*target, t *target) []*target {
	if slices.Contains(ts, t) {
		return ts
	}
	return append(ts, t)
}

// mergeNew merges the row d into the contact t creates, as an update of it
// would, and reports whether it could: a row making it invalid fails.
func (m *merger) mergeNew(t *target, d *draft) (bool, error) {
	next := cloneContact(&t.create.contact)
	applyRow(next, d)
	if err := records.Admit(m.b.Job.Principal, next, m.region, m.defs); err != nil {
		return false, m.refuse(d, err)
	}
	t.create.contact = *next
	t.merged = append(t.merged, d)
	return true, nil
}
