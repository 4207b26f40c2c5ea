package imports

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/records"
)

// retries is how often a chunk is tried again after a deadlock or a
// serialization failure.
const retries = 3

// commit imports ch in one transaction of j's tenant (commitOnce). When the
// database refuses the data of a chunk of several rows, each half is
// committed on its own, down to the row that makes it fail, which fails
// alone: a bad row never fails the file.
func (r *Runner) commit(ctx context.Context, j *job, ch chunk, start time.Time) error {
	var err error
	for try := 0; try <= retries; try++ {
		if err = r.commitOnce(ctx, j, ch, start); errs.KindOf(err) != errs.Unavailable {
			break
		}
	}
	switch {
	case err == nil || !refusedData(err):
		return err
	case len(ch.items) > 1:
		mid := len(ch.items) / 2
		first := chunk{items: ch.items[:mid], end: ch.items[mid-1].end, next: ch.items[mid-1].row + 1}
		if err := r.commit(ctx, j, first, start); err != nil || j.stopped {
			return err
		}
		return r.commit(ctx, j, chunk{items: ch.items[mid:], last: ch.last, end: ch.end, next: ch.next}, time.Now())
	case len(ch.items) == 1 && ch.items[0].draft != nil:
		it := ch.items[0]
		it.draft, it.fault = nil, []RowError{{Row: it.row, Reason: "the database refused the row: " + err.Error()}}
		return r.commitOnce(ctx, j, chunk{items: []item{it}, last: ch.last, end: ch.end, next: ch.next}, start)
	}
	return err
}

// commitOnce imports ch in one transaction of j's tenant, if the runner
// still holds j: its rows are admitted, their accounts found, checked for
// duplicates and merged; the faults go to the error report, the tally and
// where the next chunk starts and the time spent on it since start to the
// job, and at the file's end the job completes.
func (r *Runner) commitOnce(ctx context.Context, j *job, ch chunk, start time.Time) error {
	return r.store.db.InTx(ctx, j.tenant, func(tx *pgstore.Tx) error {
		mine, err := holds(ctx, tx, j.ID, r.name)
		if err != nil || !mine {
			j.stopped = !mine
			return err
		}
		m := &merger{ctx: ctx, tx: tx, j: j, now: r.timestamp()}
		if m.region, m.defs, err = catalog.WriteRules(ctx, tx, customer.EntityContact); err != nil {
			return err
		}
		if err := m.merge(ch.items); err != nil {
			return err
		}
		slices.SortStableFunc(m.faults, func(a, b RowError) int { return int(a.Row - b.Row) })
		if err := addRowErrors(ctx, tx, j.ID, m.faults); err != nil {
			return err
		}
		m.t.NextOffset, m.t.NextRow, m.t.BusyMS = ch.end, ch.next, time.Since(start).Milliseconds()+1
		if err := advance(ctx, tx, j.ID, m.t, runLease); err != nil {
			return err
		}
		if ch.last {
			_, err = endImport(ctx, tx, j.ID, StateCompleted, "", m.now)
		}
		return err
	})
}

// merger imports the rows of one chunk in its transaction.
type merger struct {
	ctx    context.Context
	tx     *pgstore.Tx
	j      *job
	now    time.Time
	region string
	defs   map[string]customfields.Field
	t      tally
	faults []RowError
}

// target is what a row that matches is merged into: a contact the chunk
// creates (create), or an existing one (id) with the rows that update it.
type target struct {
	create *draft
	merged []*draft // rows merged into create
	id     string
	rows   []*draft
}

// merge imports items: the faults fail, the drafts are admitted as the
// API admits a write, given their accounts, and created, updated or
// skipped as the duplicate policy says, in the order of the file.
func (m *merger) merge(items []item) error {
	var drafts []*draft
	for _, it := range items {
		m.t.Read++
		if it.draft == nil {
			m.fail(it.fault...)
			continue
		}
		if err := records.Admit(m.j.principal, &it.draft.contact, m.region, m.defs); err != nil {
			if err := m.refuse(it.draft, err); err != nil {
				return err
			}
			continue
		}
		drafts = append(drafts, it.draft)
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

// fail counts a row that is not imported for faults.
func (m *merger) fail(faults ...RowError) {
	m.t.Failed++
	m.faults = append(m.faults, faults...)
}

// refuse fails the row of d for err, a refusal of the write: each invalid
// field at the column it came from. Any other error is returned.
func (m *merger) refuse(d *draft, err error) error {
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind == errs.Internal {
		return err
	}
	if len(e.Fields) == 0 {
		m.fail(RowError{Row: d.row, Reason: e.Error()})
		return nil
	}
	var faults []RowError
	for _, f := range e.Fields {
		fault := RowError{Row: d.row, Reason: f.Field + " " + f.Reason}
		if col := d.column(f.Field); col >= 0 {
			fault.Column, fault.Value = m.j.Header[col], reportValue(d.cells[col])
		}
		faults = append(faults, fault)
	}
	m.fail(faults...)
	return nil
}

// refuseAt fails the row of d at the column with index col for reason.
func (m *merger) refuseAt(d *draft, col int, reason string) {
	m.fail(RowError{Row: d.row, Column: m.j.Header[col], Value: reportValue(d.cells[col]), Reason: reason})
}

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
	policy := m.j.DuplicatePolicy
	var creates, updates []*target
	if policy == PolicyCreate {
		for _, d := range drafts {
			creates = append(creates, &target{create: d})
		}
		return creates, updates, nil
	}
	var all []string
	for _, d := range drafts {
		all = append(all, keys(d)...)
	}
	if err := lockMatchKeys(m.ctx, m.tx, m.j.tenant, all); err != nil {
		return nil, nil, err
	}
	found, err := findMatches(m.ctx, m.tx, m.j.principal, all)
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
		case policy == PolicySkip:
			m.t.Skipped++
			continue
		case len(ts) > 1:
			m.fail(RowError{Row: d.row, Reason: fmt.Sprintf("its emails or phones are those of %d contacts: it cannot update more than one", len(ts))})
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
	if err := records.Admit(m.j.principal, next, m.region, m.defs); err != nil {
		return false, m.refuse(d, err)
	}
	t.create.contact = *next
	t.merged = append(t.merged, d)
	return true, nil
}
