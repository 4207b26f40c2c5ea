package importjob

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
)

// How a Runner works: it reads chunkRows rows per transaction, holds a job
// under a lease of runLease, renewed by each chunk (an instance that stops
// without letting its jobs go loses them when it runs out), and ends a job
// failed after maxIdleClaims claims without progress. RunEvery is how often
// an instance looks for jobs.
const (
	chunkRows     = 1000
	runLease      = 30 * time.Second
	maxIdleClaims = 3
	RunEvery      = time.Second
)

// Runner runs import jobs. Every instance of the service runs one (as a
// starter.Job): Run claims the jobs pending in any tenant — queued ones, and
// those whose instance stopped — one at a time, each in a transaction of
// its tenant with FOR UPDATE SKIP LOCKED, so that instances share the work
// and no job runs twice at once, and imports each from where it stopped.
type Runner struct {
	store     *Store
	domain    Domain
	name      string // the instance's: the jobs it holds name it
	logger    *slog.Logger
	now       func() time.Time
	chunkRows int
}

// NewRunner returns the Runner of an instance running domain's imports on
// store.
func NewRunner(store *Store, domain Domain, logger *slog.Logger) *Runner {
	return &Runner{store: store, domain: domain, name: ids.New(), logger: logger, now: time.Now, chunkRows: chunkRows}
}

// timestamp is the current time as PostgreSQL stores it.
func (r *Runner) timestamp() time.Time { return pg.Timestamp(r.now()) }

// job is an import a runner holds, and whether it was stopped.
type job struct {
	Job
	stopped bool // cancelled, or taken by another instance
}

// Run claims and runs pending jobs until none is left or ctx ends. A job
// that fails is let go at once, for the next turn to take again.
func (r *Runner) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		pending, err := r.store.pending(ctx, 8)
		if err != nil {
			return err
		}
		ran := false
		for _, pj := range pending {
			c, err := r.store.claim(ctx, pj.TenantID, pj.ID, r.name, runLease, maxIdleClaims, r.timestamp())
			if err != nil {
				return err
			}
			if c == nil {
				continue
			}
			ran = true
			err = r.runJob(ctx, pj.TenantID, c)
			if err == nil {
				continue
			}
			release, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			rerr := r.store.release(release, pj.TenantID, pj.ID, r.name)
			cancel()
			if ctx.Err() != nil {
				return rerr // stopping: the job resumes on the next instance to take it
			}
			return errors.Join(fmt.Errorf("import %s: %w", pj.ID, err), rerr)
		}
		if !ran {
			return nil
		}
	}
	return nil
}

// runJob imports the rest of the claimed job c of tenant, a chunk per
// transaction, until its file ends or it is stopped.
func (r *Runner) runJob(ctx context.Context, tenant string, c *claimed) error {
	j := &job{Job: Job{Import: &c.Import, Tenant: tenant}}
	if err := json.Unmarshal(c.Principal, &j.Principal); err != nil {
		return fmt.Errorf("read the importer: %w", err)
	}
	t, err := r.store.target(ctx, r.domain, tenant)
	if err != nil {
		return err
	}
	if j.Plan, err = PlanImport(j.Header, j.Mapping, j.DuplicatePolicy, t); err != nil {
		// A required custom field defined since the upload, say.
		return r.end(ctx, j, StateFailed, "the mapping no longer fits the records: "+err.Error())
	}
	rd := newCSVReader(r.store.openText(ctx, tenant, j.ID, j.NextOffset), j.Delimiter[0], j.LineBreak[0], j.NextOffset, j.NextRow)
	if j.NextRow == 1 {
		if _, err := rd.read(); err != nil && !errors.Is(err, io.EOF) { // the header, checked at the upload
			return err
		}
	}
	rd.fields = len(j.Header)
	for !j.stopped {
		start := time.Now()
		ch, err := r.readChunk(rd, j)
		if err != nil {
			return err
		}
		if err := r.commit(ctx, j, ch, start); err != nil {
			return err
		}
		if ch.last {
			return nil
		}
	}
	return nil
}

// item is a record of a chunk: a row to import, or the fault that keeps a
// row out; end says where the record ends.
type item struct {
	row   Row
	fault []RowError
	end   int64
}

// chunk is up to chunkRows records of a file and whether the file ends
// after them (end: where it ends).
type chunk struct {
	items []item
	last  bool
	end   int64
	next  int64 // the row after the last one read
}

// readChunk reads the next chunk of rd: rows that are not well-formed CSV,
// have another number of fields than the header, or hold text that is not
// valid in the file's encoding in a mapped column, are faults; the others
// are for the Target to apply.
func (r *Runner) readChunk(rd *csvReader, j *job) (chunk, error) {
	var ch chunk
	for len(ch.items) < r.chunkRows {
		rec, err := rd.read()
		if errors.Is(err, io.EOF) {
			ch.last = true
			break
		}
		if err != nil {
			return chunk{}, err
		}
		if rec.problem == "" && blank(rec.fields) {
			continue // a row of nothing, as spreadsheets write below their data
		}
		it := item{row: Row{No: rec.row}, end: rec.end}
		if fault := recordFault(rec, j); fault != nil {
			it.fault = fault
		} else {
			it.row.Cells = rec.fields[:len(j.Header)]
		}
		ch.items = append(ch.items, it)
	}
	ch.end, ch.next = rd.offset, rd.row
	if !ch.last && len(ch.items) > 0 {
		last := ch.items[len(ch.items)-1]
		ch.end, ch.next = last.end, last.row.No+1
	}
	return ch, nil
}

// recordFault returns why rec cannot be imported with j's plan, or nil.
func recordFault(rec record, j *job) []RowError {
	if rec.problem != "" {
		return []RowError{{Row: rec.row, Value: ReportValue(rec.raw), Reason: rec.problem}}
	}
	if n := len(j.Header); len(rec.fields) != n && !(len(rec.fields) > n && blank(rec.fields[n:])) {
		return []RowError{{Row: rec.row, Value: ReportValue(strings.Join(rec.fields, j.Delimiter)),
			Reason: fmt.Sprintf("the row has %d fields; the header has %d", len(rec.fields), n)}}
	}
	var out []RowError
	for _, col := range j.Plan.Columns {
		if reason := textFault(rec.fields[col.Index], j.Encoding); reason != "" {
			out = append(out, RowError{Row: rec.row, Column: col.Name, Value: ReportValue(rec.fields[col.Index]), Reason: reason})
		}
	}
	return out
}

// blank reports whether every field is empty or spaces.
func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// textFault returns why a cell of a file in encoding cannot be imported:
// bytes that are not UTF-8 in a UTF-8 file (with a hint when they read as
// GB18030), U+FFFD (what converting a file made of bytes invalid in its
// encoding, or a sign of text damaged before), or NUL; "" when none.
func textFault(cell, encoding string) string {
	switch {
	case !utf8.ValidString(cell):
		if readsAsGB18030([]byte(cell), true) {
			return "is not valid UTF-8 but reads as GB18030: this part of the file was saved in another encoding; save the whole file as UTF-8, or name its encoding"
		}
		return "is not valid UTF-8: this part of the file was saved in another encoding"
	case strings.ContainsRune(cell, utf8.RuneError):
		return fmt.Sprintf("holds characters that are not valid %s (shown as \uFFFD): this part of the file was saved in another encoding", encoding)
	case strings.ContainsRune(cell, 0):
		return "holds a NUL character"
	}
	return ""
}

// end ends j in state with reason, unless it was stopped meanwhile.
func (r *Runner) end(ctx context.Context, j *job, state, reason string) error {
	return r.store.endJob(ctx, j.Tenant, j.ID, r.name, state, reason, r.timestamp())
}
