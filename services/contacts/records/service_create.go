package records

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// batchTimeout bounds the transaction of a batch of creates. A batch runs
// on after the request that started it is cancelled: it carries others.
const batchTimeout = 30 * time.Second

// create validates and stores a new record and emits its created event;
// unless opts.AllowDuplicate, a record with duplicates is refused.
// Concurrent creates of a tenant share transactions (batch.go).
func (s *service) create(ctx context.Context, k *pgstore.Table, rec customer.Record, opts CreateOptions) error {
	p, err := customer.Caller(ctx)
	if err != nil {
		return err
	}
	now := s.timestamp()
	m := rec.Base()
	m.ID, m.CreatedAt, m.UpdatedAt, m.Version, m.DeletedAt = ids.New(), now, now, 1, nil
	if c, ok := rec.(*customer.Contact); ok {
		c.DisplayNameManual = strings.TrimSpace(c.DisplayName) != ""
	}
	scope, _ := pgstore.ScopeCond(p)
	key := batchKey{tenant: p.TenantID, table: k, scope: fmt.Sprint(scope.SQL, scope.Args)}
	return s.batches.do(ctx, key, p, rec, opts)
}

// runBatch creates the records of items, all of key, in one transaction
// (createBatch). When that transaction fails, each record is created again
// in one of its own, so a record that makes a write fail fails alone; unless
// the database was too slow for it (kitx.Overloaded), which fails them all
// at once (503, Retry-After) rather than making each wait again.
func (s *service) runBatch(key batchKey, items []*pendingCreate) {
	var live []*pendingCreate
	for _, it := range items {
		if it.err = it.ctx.Err(); it.err == nil {
			live = append(live, it)
		}
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(live[0].ctx), batchTimeout)
	defer cancel()
	if len(live) > 1 {
		err := s.createBatch(ctx, key, live)
		if err == nil {
			return
		}
		if kitx.Overloaded(err) { // a locked table or a busy pool: each record alone would wait as long again
			for _, it := range live {
				if it.err == nil {
					it.err = err
				}
			}
			return
		}
	}
	for _, it := range live {
		if err := s.createBatch(ctx, key, []*pendingCreate{it}); err != nil && it.err == nil {
			it.err = err
		}
	}
}

// createBatch creates the records of items in one transaction of the
// tenant, with one statement per step for all of them: it reads the write
// rules, admits each record (validation, references, scope), refuses those
// with duplicates — existing records or records before them in items —
// resolves tags, inserts the rest, records their consent and adds their
// created events to the outbox. A refused record's err is set and the others
// go on; an error returned fails them all, and the transaction writes
// nothing.
func (s *service) createBatch(ctx context.Context, key batchKey, items []*pendingCreate) error {
	k := key.table
	return s.db.InTx(ctx, key.tenant, func(tx *pgstore.Tx) error {
		region, defs, err := catalog.WriteRules(ctx, tx, k.Entity)
		if err != nil {
			return err
		}
		var admitted []*pendingCreate
		for _, it := range items {
			if it.err = admit(ctx, tx, it.p, it.rec, region, defs); it.err == nil {
				admitted = append(admitted, it)
			}
		}
		if len(admitted) == 0 {
			return nil
		}
		recs, allow := make([]customer.Record, len(admitted)), make([]bool, len(admitted))
		for i, it := range admitted {
			recs[i], allow[i] = it.rec, it.opts.AllowDuplicate
		}
		// The batch's callers share their scope (batchKey).
		refused, err := s.duplicates.Check(ctx, tx, k, admitted[0].p, recs, allow)
		if err != nil {
			return err
		}
		recs = recs[:0]
		var written []*pendingCreate
		for i, it := range admitted {
			if it.err = refused[i]; it.err == nil {
				written, recs = append(written, it), append(recs, it.rec)
			}
		}
		if len(written) == 0 {
			return nil
		}
		for _, it := range written {
			if err := resolve(ctx, tx, it.rec, defs, nil); err != nil {
				return err
			}
		}
		if err := insertRecords(ctx, tx, k, recs); err != nil {
			return err
		}
		for _, it := range written {
			if err := RecordConsent(ctx, tx, it.p, nil, it.rec, ConsentCreated); err != nil {
				return err
			}
		}
		if err := catalog.PresentWith(ctx, tx, defs, recs...); err != nil {
			return err
		}
		return tx.EmitAll(ctx, k.Entity, customer.VerbCreated, recs, nil)
	})
}
