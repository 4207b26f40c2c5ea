package records

import (
	"context"
	"fmt"
	"sync"

	"github.com/rapport-crm/rapport/libs/auth"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// Group commit of creates. A create done in its own transaction pays for a
// transaction, a WAL flush and a round trip per statement; concurrent creates
// of one tenant share them instead: createBatch writes a batch of records in
// one transaction with one statement per step (the duplicate check, the
// INSERT, the outbox). A create that finds its key with no batch running
// runs at once, as a batch of one, so a lone create waits for nobody; while
// maxBatchesInFlight batches of its key run, it waits, and the next batch
// takes every create then waiting, up to maxBatch.
const (
	maxBatch           = 16
	maxBatchesInFlight = 2
)

// batchKey is what the creates of one batch share: the tenant, the table of
// record, and the scope of their callers (the duplicate check filters the
// candidates by it).
type batchKey struct {
	tenant string
	table  *pgstore.Table
	scope  string
}

// pendingCreate is one create by p waiting for its batch; err is its
// outcome, set before done is closed.
type pendingCreate struct {
	ctx  context.Context
	p    auth.Principal
	rec  customer.Record
	opts CreateOptions
	err  error
	done chan struct{}
}

// batchQueue holds a key's waiting creates and counts its running batches.
type batchQueue struct {
	waiting []*pendingCreate
	running int
}

// batcher groups concurrent creates by batchKey and runs each batch with run,
// which sets every item's err.
type batcher struct {
	run func(key batchKey, items []*pendingCreate)

	mu     sync.Mutex
	queues map[batchKey]*batchQueue
}

// newBatcher returns a batcher running batches with run.
func newBatcher(run func(key batchKey, items []*pendingCreate)) *batcher {
	return &batcher{run: run, queues: map[batchKey]*batchQueue{}}
}

// do runs the create rec of key by p in a batch and returns its outcome.
func (b *batcher) do(ctx context.Context, key batchKey, p auth.Principal, rec customer.Record, opts CreateOptions) error {
	it := &pendingCreate{ctx: ctx, p: p, rec: rec, opts: opts, done: make(chan struct{})}
	b.mu.Lock()
	q := b.queues[key]
	if q == nil {
		q = &batchQueue{}
		b.queues[key] = q
	}
	q.waiting = append(q.waiting, it)
	batch := b.take(q)
	b.mu.Unlock()
	if batch != nil {
		b.runAndNext(key, batch)
	}
	<-it.done
	return it.err
}

// take returns the next batch of q when one may start, counting it as
// running, or nil; b.mu is held.
func (b *batcher) take(q *batchQueue) []*pendingCreate {
	if q.running >= maxBatchesInFlight || len(q.waiting) == 0 {
		return nil
	}
	n := min(len(q.waiting), maxBatch)
	batch := q.waiting[:n:n]
	q.waiting = q.waiting[n:]
	q.running++
	return batch
}

// runAndNext runs batch, then starts the next batch of key, if creates are
// waiting, in a goroutine of its own: the creates of this one are answered
// at once. A panic of run (a bug) fails the batch's unanswered creates
// instead of leaving them, and every later create of key, waiting forever.
func (b *batcher) runAndNext(key batchKey, batch []*pendingCreate) {
	defer func() {
		if r := recover(); r != nil {
			for _, it := range batch {
				if it.err == nil {
					it.err = fmt.Errorf("contacts: a batch of creates failed: %v", r)
				}
			}
		}
		for _, it := range batch {
			close(it.done)
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		q := b.queues[key]
		q.running--
		if next := b.take(q); next != nil {
			go b.runAndNext(key, next)
		} else if q.running == 0 && len(q.waiting) == 0 {
			delete(b.queues, key)
		}
	}()
	b.run(key, batch)
}
