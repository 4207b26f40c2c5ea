package importjob

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// Domain is what a service's import knows of its records.
type Domain interface {
	// Target reads, in tx (a transaction of tenant), what the tenant's
	// records are made of now (their custom field definitions, say): the
	// Target an import is planned and written with. It is read for each
	// upload and preview, when a job starts, and for each chunk.
	Target(ctx context.Context, tx *outbox.Tx, tenant string) (Target, error)
}

// Target is a kind of record as a tenant has it now.
type Target interface {
	// Fields lists what a column may fill, in the order a preview shows
	// them.
	Fields() []string
	// Multi reports whether field takes values from several columns.
	Multi(field string) bool
	// Suggest maps each column of header whose name suggests a field to it
	// (SuggestMapping).
	Suggest(header []string) Mapping
	// Check refuses a plan the records cannot be made from with the
	// duplicate policy (its columns are known fields of the header, each
	// field that takes one value filled once), each fault naming "mapping"
	// or "duplicatePolicy".
	Check(p Plan, policy string) error
	// Apply imports the rows of b in tx, the transaction of its chunk:
	// each row ends counted on b as created, updated, skipped or failed
	// (with its faults for the error report). An error rolls the chunk
	// back; when it is the database refusing the data of a write (an
	// integrity violation, say) the chunk is applied again in halves, down
	// to the row at fault, which fails alone.
	Apply(ctx context.Context, tx *outbox.Tx, b *Batch) error
}

// Column is a mapped column of a file: its index in the header, its name
// and the field it fills.
type Column struct {
	Index int
	Name  string
	Field string
}

// Plan is how the rows of a file become records: the mapped columns, in
// the header's order.
type Plan struct {
	Columns []Column
}

// Has reports whether a column fills field.
func (p Plan) Has(field string) bool {
	for _, c := range p.Columns {
		if c.Field == field {
			return true
		}
	}
	return false
}

// Job is an import as a runner holds it: the import, its tenant, its
// importer (the rows are validated for and written by them) and the plan
// of its rows.
type Job struct {
	*Import
	Tenant    string
	Principal auth.Principal
	Plan      Plan
}

// Row is a row of a file to import: its number (the header is row 1) and
// its cells, one per column of the header.
type Row struct {
	No    int64
	Cells []string
}

// Batch is a chunk of a job's rows as a Target applies them, at Now, and
// what became of each.
type Batch struct {
	Job  *Job
	Rows []Row
	Now  time.Time

	t      tally
	faults []RowError
}

// Created counts n rows that created records.
func (b *Batch) Created(n int) { b.t.Created += int64(n) }

// Updated counts n rows that updated records.
func (b *Batch) Updated(n int) { b.t.Updated += int64(n) }

// Skipped counts n rows left out (duplicates under policy skip, rows that
// changed nothing).
func (b *Batch) Skipped(n int) { b.t.Skipped += int64(n) }

// Fail counts a row that is not imported, for faults (its lines of the
// error report).
func (b *Batch) Fail(faults ...RowError) {
	b.t.Failed++
	b.faults = append(b.faults, faults...)
}

// FailAt fails r at the column with index col for reason.
func (b *Batch) FailAt(r Row, col int, reason string) {
	b.Fail(RowError{Row: r.No, Column: b.Job.Header[col], Value: ReportValue(r.Cells[col]), Reason: reason})
}

// Refuse fails r for err, the refusal of its write (an *errs.Error): each
// invalid field at the column paths says it came from. Any other error
// (an internal one) is returned, to roll the chunk back.
func (b *Batch) Refuse(r Row, paths Paths, err error) error {
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind == errs.Internal {
		return err
	}
	if len(e.Fields) == 0 {
		b.Fail(RowError{Row: r.No, Reason: e.Error()})
		return nil
	}
	var faults []RowError
	for _, f := range e.Fields {
		fault := RowError{Row: r.No, Reason: f.Field + " " + f.Reason}
		if col := paths.Column(f.Field); col >= 0 {
			fault.Column, fault.Value = b.Job.Header[col], ReportValue(r.Cells[col])
		}
		faults = append(faults, fault)
	}
	b.Fail(faults...)
	return nil
}

// Paths says which column of the header each field of a record came from:
// a field path of a validator ("emails/0") → the column's index.
type Paths map[string]int

// Column returns the index of the column a field path ("emails/0/address")
// came from, the longest prefix that has one, or -1.
func (p Paths) Column(path string) int {
	for path != "" {
		if i, ok := p[path]; ok {
			return i
		}
		j := strings.LastIndexByte(path, '/')
		if j < 0 {
			break
		}
		path = path[:j]
	}
	return -1
}
