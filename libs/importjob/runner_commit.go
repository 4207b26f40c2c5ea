package importjob

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
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
		first := chunk{items: ch.items[:mid], end: ch.items[mid-1].end, next: ch.items[mid-1].row.No + 1}
		if err := r.commit(ctx, j, first, start); err != nil || j.stopped {
			return err
		}
		return r.commit(ctx, j, chunk{items: ch.items[mid:], last: ch.last, end: ch.end, next: ch.next}, time.Now())
	case len(ch.items) == 1 && ch.items[0].fault == nil:
		it := ch.items[0]
		it.fault = []RowError{{Row: it.row.No, Reason: "the database refused the row: " + err.Error()}}
		return r.commitOnce(ctx, j, chunk{items: []item{it}, last: ch.last, end: ch.end, next: ch.next}, start)
	}
	return err
}

// commitOnce imports ch in one transaction of j's tenant, if the runner
// still holds j: the faults fail, the Target applies the other rows; the
// error report, the tally, where the next chunk starts and the time spent
// on it since start go to the job, and at the file's end the job
// completes.
func (r *Runner) commitOnce(ctx context.Context, j *job, ch chunk, start time.Time) error {
	return r.store.db.InTx(ctx, j.Tenant, func(tx *outbox.Tx) error {
		mine, err := holds(ctx, tx, j.ID, r.name)
		if err != nil || !mine {
			j.stopped = !mine
			return err
		}
		b := &Batch{Job: &j.Job, Now: r.timestamp()}
		for _, it := range ch.items {
			b.t.Read++
			if it.fault != nil {
				b.Fail(it.fault...)
				continue
			}
			b.Rows = append(b.Rows, it.row)
		}
		if len(b.Rows) > 0 {
			t, err := r.domain.Target(ctx, tx, j.Tenant)
			if err != nil {
				return err
			}
			if err := t.Apply(ctx, tx, b); err != nil {
				return err
			}
		}
		slices.SortStableFunc(b.faults, func(a, b RowError) int { return int(a.Row - b.Row) })
		if err := addRowErrors(ctx, tx, j.ID, b.faults); err != nil {
			return err
		}
		b.t.NextOffset, b.t.NextRow, b.t.BusyMS = ch.end, ch.next, time.Since(start).Milliseconds()+1
		if err := advance(ctx, tx, j.ID, b.t, runLease); err != nil {
			return err
		}
		if ch.last {
			_, err = r.store.endImport(ctx, tx, j.ID, StateCompleted, "", b.Now)
		}
		return err
	})
}

// refusedData reports whether err is the database refusing the data of a
// write (an error of class 22, data exception, or 23, integrity violation).
func refusedData(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && (strings.HasPrefix(string(pqErr.Code), "22") || strings.HasPrefix(string(pqErr.Code), "23"))
}
