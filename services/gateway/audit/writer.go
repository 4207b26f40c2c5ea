package audit

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rapport-crm/rapport/libs/ids"
)

// Recorder takes audit entries. Writer implements it; the login handlers
// depend on this interface.
type Recorder interface {
	Record(ctx context.Context, e Entry)
}

// WriterConfig configures a Writer. Zero fields take the defaults.
type WriterConfig struct {
	// Buffer is how many entries wait for the writer at most (default 10000).
	Buffer int
	// BatchSize flushes a batch once it has this many entries (default 500).
	BatchSize int
	// FlushInterval flushes a non-empty batch this long after its first
	// entry arrived (default 200 ms).
	FlushInterval time.Duration
	// BlockFor is how long Record waits for room in a full buffer before it
	// counts the entry as dropped (default 100 ms).
	BlockFor time.Duration
	// Logger receives dropped entries and database failures
	// (default slog.Default()).
	Logger *slog.Logger
}

func (c WriterConfig) withDefaults() WriterConfig {
	if c.Buffer <= 0 {
		c.Buffer = 10000
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 500
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = 200 * time.Millisecond
	}
	if c.BlockFor <= 0 {
		c.BlockFor = 100 * time.Millisecond
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// drainTimeout bounds the final flush when Run stops.
const drainTimeout = 10 * time.Second

// Writer buffers entries and writes them to the Store in batches from one
// background goroutine (Run). Record is safe for concurrent use.
type Writer struct {
	store *Store
	cfg   WriterConfig
	ch    chan Entry

	written atomic.Int64
	dropped atomic.Int64
	lost    atomic.Int64
}

// NewWriter returns a Writer into store; start it with Run.
func NewWriter(store *Store, cfg WriterConfig) *Writer {
	cfg = cfg.withDefaults()
	return &Writer{store: store, cfg: cfg, ch: make(chan Entry, cfg.Buffer)}
}

// Record queues e, filling in its id, time and kind when unset. It returns at
// once unless the buffer is full; then it waits up to BlockFor and, if there
// is still no room, counts the entry in Dropped and logs it in full.
func (w *Writer) Record(ctx context.Context, e Entry) {
	e = normalize(e)
	select {
	case w.ch <- e:
		return
	default:
	}
	t := time.NewTimer(w.cfg.BlockFor)
	defer t.Stop()
	select {
	case w.ch <- e:
	case <-t.C:
		w.drop(ctx, e, "the audit buffer is full")
	case <-ctx.Done():
		w.drop(ctx, e, "the request ended while the audit buffer was full")
	}
}

// drop counts and logs an entry that could not be queued.
func (w *Writer) drop(ctx context.Context, e Entry, why string) {
	n := w.dropped.Add(1)
	w.cfg.Logger.ErrorContext(ctx, "audit entry dropped: "+why, "dropped_total", n,
		"tenant_id", e.TenantID, "kind", string(e.Kind), "user_id", e.UserID, "api_key_id", e.APIKeyID,
		"method", e.Method, "path", e.Path, "status", e.Status, "resource_id", e.ResourceID,
		"request_id", e.RequestID, "client_addr", e.ClientAddr, "time", e.Time)
}

// Written returns how many entries reached the database.
func (w *Writer) Written() int64 { return w.written.Load() }

// Dropped returns how many entries Record could not queue.
func (w *Writer) Dropped() int64 { return w.dropped.Load() }

// Lost returns how many queued entries could not be written: refused by
// the database one by one, or still unwritten when Run stopped after its
// final attempt. Each is logged.
func (w *Writer) Lost() int64 { return w.lost.Load() }

// Pending returns how many entries wait in the buffer.
func (w *Writer) Pending() int { return len(w.ch) }

// Run writes batches until ctx is done, then writes what is still buffered
// (within drainTimeout) and returns. A failed batch is retried with back-off
// while ctx lasts; meanwhile entries wait in the buffer.
func (w *Writer) Run(ctx context.Context) {
	batch := make([]Entry, 0, w.cfg.BatchSize)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			w.drain(batch)
			return
		case e := <-w.ch:
			if len(batch) == 0 {
				timer.Reset(w.cfg.FlushInterval)
			}
			batch = append(batch, e)
			if len(batch) < w.cfg.BatchSize {
				continue
			}
		case <-timer.C:
		}
		timer.Stop()
		if !w.flush(ctx, batch) {
			w.drain(batch)
			return
		}
		batch = batch[:0]
	}
}

// flush writes batch, retrying until it succeeds (true) or ctx is done
// (false, batch unwritten).
func (w *Writer) flush(ctx context.Context, batch []Entry) bool {
	if len(batch) == 0 {
		return true
	}
	backoff := 100 * time.Millisecond
	for {
		err := w.store.insert(ctx, batch)
		if err == nil {
			w.written.Add(int64(len(batch)))
			return true
		}
		if isDataError(err) {
			w.insertEach(ctx, batch)
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		w.cfg.Logger.ErrorContext(ctx, "audit batch not written; retrying", "entries", len(batch), "retry_in", backoff.String(), "error", err.Error())
		select {
		case <-ctx.Done():
			return false
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// insertEach writes a batch the database refused as a whole one entry at a
// time, so that one malformed entry cannot hold up the others; an entry
// refused alone is counted in Lost and logged in full.
func (w *Writer) insertEach(ctx context.Context, batch []Entry) {
	for _, e := range batch {
		if err := w.store.insert(ctx, []Entry{e}); err != nil {
			n := w.lost.Add(1)
			w.cfg.Logger.ErrorContext(ctx, "audit entry refused by the database", "lost_total", n, "error", err.Error(),
				"tenant_id", e.TenantID, "kind", string(e.Kind), "user_id", e.UserID, "method", e.Method, "path", e.Path,
				"status", e.Status, "request_id", e.RequestID, "time", e.Time)
			continue
		}
		w.written.Add(1)
	}
}

// drain writes batch and everything buffered, once, after Run was stopped.
func (w *Writer) drain(batch []Entry) {
	ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	for {
		select {
		case e := <-w.ch:
			batch = append(batch, e)
			if len(batch) < w.cfg.BatchSize {
				continue
			}
		default:
		}
		if len(batch) == 0 {
			return
		}
		if err := w.store.insert(ctx, batch); err != nil {
			n := w.lost.Add(int64(len(batch)))
			w.cfg.Logger.Error("audit batch lost at shutdown", "entries", len(batch), "lost_total", n, "error", err.Error())
		} else {
			w.written.Add(int64(len(batch)))
		}
		batch = batch[:0]
	}
}

// normalize fills in an entry's id, time, kind and tenant.
func normalize(e Entry) Entry {
	if e.ID == "" {
		e.ID = ids.New()
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC()
	if !e.Kind.valid() {
		e.Kind = KindRequest
	}
	for _, f := range []*string{&e.UserID, &e.APIKeyID, &e.Subject, &e.ClientAddr, &e.Method, &e.Path, &e.ResourceID, &e.RequestID} {
		*f = clean(*f)
	}
	if !ids.Valid(e.TenantID) {
		e.TenantID = NoTenant
	}
	return e
}

// maxField bounds every text field of an entry, in bytes.
const maxField = 2048

// clean makes s storable: valid UTF-8 without NUL bytes (which PostgreSQL
// text refuses), at most maxField bytes.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) > maxField {
		s = strings.ToValidUTF8(s[:maxField], "")
	}
	return s
}
