package importjob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// notesSchema is the table of the notes a test domain imports, under
// row-level security as every tenant-owned table is; a note's body is at
// most 20 characters, which the database alone checks.
const notesSchema = `-- +goose Up
CREATE TABLE notes (
    tenant_id uuid NOT NULL,
    id        uuid NOT NULL,
    body      text NOT NULL CHECK (length(body) <= 20),
    PRIMARY KEY (tenant_id, id)
);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notes
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
`

// catalogue is the test service's events.
var catalogue = events.Catalogue{Source: "/rapport/notes", Context: "notes", Verbs: map[string][]string{
	"import": {VerbCompleted}, "note": {"created"}}}

// notes is a Domain of notes: a column fills body (required, not "bad");
// each row creates a note and notes it as the import's.
type notes struct{}

// Target implements Domain.
func (notes) Target(context.Context, *outbox.Tx, string) (Target, error) { return notes{}, nil }

// Fields implements Target.
func (notes) Fields() []string { return []string{"body"} }

// Multi implements Target.
func (notes) Multi(string) bool { return false }

// Suggest implements Target.
func (notes) Suggest(header []string) Mapping {
	return SuggestMapping(header, []Synonyms{{Field: "body", Names: []string{"body", "text", "note"}}}, notes{}.Multi)
}

// Check implements Target.
func (notes) Check(p Plan, policy string) error {
	v := errs.NewValidator()
	v.Check(p.Has("body"), "mapping", "map a column to body")
	v.Check(policy == PolicyCreate, "duplicatePolicy", "notes are imported with create")
	return v.Err()
}

// Apply implements Target.
func (notes) Apply(ctx context.Context, tx *outbox.Tx, b *Batch) error {
	col := b.Job.Plan.Columns[0].Index
	var made []string
	var rows []int64
	for _, r := range b.Rows {
		body := CellValue(r.Cells[col])
		if body == "" || body == "bad" {
			v := errs.NewValidator()
			v.Check(false, "body", "must be a good note")
			if err := b.Refuse(r, Paths{"body": col}, v.Err()); err != nil {
				return err
			}
			continue
		}
		id := ids.New()
		if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO notes (tenant_id, id, body) VALUES (`+currentTenant+`, $1, $2)`, id, body); err != nil {
			return err
		}
		if err := tx.Emit(ctx, "note", "created", id, map[string]string{"id": id, "body": body}, nil); err != nil {
			return err
		}
		made, rows = append(made, id), append(rows, r.No)
	}
	b.Created(len(made))
	return NoteRecords(ctx, tx.SQL(), b.Job.ID, made, rows, ActionCreated, b.Now)
}

// migrated returns the owner's and the application role's pools of a
// fresh database with the imports' tables and the notes'.
func migrated(t *testing.T) (admin, app *sqlx.DB) {
	t.Helper()
	db := testkit.Postgres(t)
	admin = testkit.Open(t, db.AdminURL)
	notesSource := pg.Source{Name: "notes", FS: fstest.MapFS{"0001_notes.sql": {Data: []byte(notesSchema)}}}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := pg.Migrate(context.Background(), admin.DB, logger, db.AppRole, outbox.Migrations(), notesSource, Migrations()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return admin, testkit.Open(t, db.AppURL)
}

// newStore returns the Store of the notes on app.
func newStore(app *sqlx.DB) *Store {
	return NewStore(outbox.NewDB(app, catalogue, "rapport.notes.v1"), "import")
}

// upload starts an import of file as p with s.
func upload(s Service, p auth.Principal, file []byte) (*Import, error) {
	ctx := auth.WithPrincipal(context.Background(), p)
	return s.Start(ctx, Upload{Options: Options{Mapping: map[string]string{"body": "body"}, DuplicatePolicy: PolicyCreate},
		FileName: "notes.csv", File: bytes.NewReader(file)})
}

// TestAFileOverTheLimitLeavesNothing streams a file larger than the limit
// (here 1.5 MiB, for the test's sake; 1 GiB in a service): the upload is
// ErrFileTooLarge once the limit is passed, after parts were stored, and
// nothing of it stays.
func TestAFileOverTheLimitLeavesNothing(t *testing.T) {
	admin, app := migrated(t)
	s := &service{store: newStore(app), domain: notes{}, now: time.Now, maxFile: 3 << 19}
	p := auth.Principal{TenantID: uuid.NewString(), UserID: uuid.NewString()}
	file := []byte("body\n" + strings.Repeat("a note of some text\n", 3<<20/20))
	if _, err := upload(s, p, file); !errors.Is(err, ErrFileTooLarge) {
		t.Fatalf("upload of %d bytes: %v, want %v", len(file), err, ErrFileTooLarge)
	}
	var n int
	if err := admin.Get(&n, `SELECT (SELECT count(*) FROM imports) + (SELECT count(*) FROM import_files)`); err != nil || n != 0 {
		t.Errorf("%d rows of imports and files left (%v), want none", n, err)
	}
	im, err := upload(s, p, file[:3<<19])
	if err != nil || im.State != StateQueued || im.SizeBytes != 3<<19 || im.TextBytes != 3<<19 {
		t.Errorf("upload of the limit: %+v, %v; want it queued", im, err)
	}
}

// TestClaimTakesAJobWhoseInstanceStopped checks the lease: a running job
// is not taken while its lease runs, is taken once it has run out (its
// instance stopped without letting it go), and the instance that lost it
// can no longer commit a chunk of it; a job claimed maxIdleClaims times
// without progress ends failed.
func TestClaimTakesAJobWhoseInstanceStopped(t *testing.T) {
	admin, app := migrated(t)
	store := newStore(app)
	s := NewService(store, notes{}, nil, "notes:admin")
	p := auth.Principal{TenantID: uuid.NewString(), UserID: uuid.NewString()}
	im, err := upload(s, p, []byte("body\nhello\n"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	claim := func(runner string) *claimed {
		c, err := store.claim(ctx, p.TenantID, im.ID, runner, time.Minute, maxIdleClaims, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	expire := func() {
		if _, err := admin.Exec(`UPDATE imports SET lease_until = now() - interval '1 second'`); err != nil {
			t.Fatal(err)
		}
	}
	if c := claim("first"); c == nil || c.State != StateRunning {
		t.Fatalf("claim of a queued job: %+v", c)
	}
	if c := claim("second"); c != nil {
		t.Fatalf("a job whose lease runs was claimed again: %+v", c)
	}
	expire()
	if c := claim("second"); c == nil || c.IdleClaims != 2 {
		t.Fatalf("claim of a job whose lease ran out: %+v", c)
	}
	for runner, want := range map[string]bool{"first": false, "second": true} {
		var mine bool
		err := store.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) (err error) {
			mine, err = holds(ctx, tx, im.ID, runner)
			return err
		})
		if err != nil || mine != want {
			t.Errorf("%s holds the job: %v (%v), want %v", runner, mine, err, want)
		}
	}
	expire()
	if c := claim("third"); c == nil {
		t.Fatal("third claim refused")
	}
	expire()
	if c := claim("fourth"); c != nil {
		t.Fatalf("a job claimed %d times without progress was claimed again: %+v", maxIdleClaims, c)
	}
	got, err := store.get(ctx, p.TenantID, im.ID)
	if err != nil || got.State != StateFailed || !strings.Contains(got.FailureReason, "without progress") {
		t.Errorf("the job is %+v (%v), want it failed", got, err)
	}
}

// TestRunnerAppliesThroughTheDomain runs an import of notes to its end in
// chunks of 2 rows: a row the domain refuses fails at its column, a row
// the database refuses (a body over 20 characters) fails alone while the
// rest of its chunk is imported, a row of the wrong width fails before the
// domain sees it; the counts, the error report, the provenance and the
// events say so, and another tenant sees nothing of it.
func TestRunnerAppliesThroughTheDomain(t *testing.T) {
	admin, app := migrated(t)
	store := newStore(app)
	s := NewService(store, notes{}, nil, "notes:admin")
	p := auth.Principal{TenantID: uuid.NewString(), UserID: uuid.NewString()}
	im, err := upload(s, p, []byte("body\none\nbad\nthis note is far too long to keep\ntwo\nthree,extra\nfour\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := NewRunner(store, notes{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r.chunkRows = 2
	if err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := auth.WithPrincipal(context.Background(), p)
	got, err := s.Get(ctx, im.ID)
	if err != nil || got.State != StateCompleted || [5]int64{got.RowsRead, got.Created, got.Updated, got.Skipped, got.Failed} != [5]int64{6, 3, 0, 0, 3} {
		t.Fatalf("the import: %+v, %v; want completed with 6 rows read, 3 created, 3 failed", got, err)
	}
	report, err := s.Errors(ctx, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	if err := report.Stream(func(e RowError) error {
		lines = append(lines, fmt.Sprintf("%d|%s|%s|%s", e.Row, e.Column, e.Value, e.Reason))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 || lines[0] != "3|body|bad|body must be a good note" || !strings.HasPrefix(lines[1], "4|||the database refused the row") ||
		!strings.Contains(lines[2], "6||three,extra|the row has 2 fields; the header has 1") {
		t.Errorf("error report:\n%s", strings.Join(lines, "\n"))
	}
	var bodies []string
	if err := admin.Select(&bodies, `SELECT n.body FROM notes n JOIN import_records r ON r.record_id = n.id AND r.import_id = $1
		WHERE n.tenant_id = $2 ORDER BY r.row_no`, im.ID, p.TenantID); err != nil || strings.Join(bodies, ",") != "one,two,four" {
		t.Errorf("notes imported: %v (%v), want one, two, four noted as the import's", bodies, err)
	}
	var types []string
	if err := admin.Select(&types, `SELECT type FROM outbox ORDER BY seq`); err != nil || len(types) != 4 ||
		types[3] != catalogue.Type("import", VerbCompleted) {
		t.Errorf("events: %v (%v), want 3 notes created and the import completed", types, err)
	}
	other := auth.WithPrincipal(context.Background(), auth.Principal{TenantID: uuid.NewString(), UserID: p.UserID, Permissions: []string{"notes:admin"}})
	if _, err := s.Get(other, im.ID); !errors.Is(err, ErrImportNotFound) {
		t.Errorf("another tenant reads the import: %v", err)
	}
	stranger := auth.WithPrincipal(context.Background(), auth.Principal{TenantID: p.TenantID, UserID: uuid.NewString()})
	if _, err := s.Cancel(stranger, im.ID); !errors.Is(err, ErrImportNotFound) {
		t.Errorf("another user of the tenant cancels the import: %v", err)
	}
}

// TestMigrationsFindTheirTables checks that the imports' tables are under
// row-level security, and that the migrations find the tables a service
// made before they were shared (contacts' 0017) and change nothing.
func TestMigrationsFindTheirTables(t *testing.T) {
	admin, _ := migrated(t)
	ctx := context.Background()
	tables, err := pg.TablesWithoutRLS(ctx, admin.DB)
	if err != nil || len(tables) > 0 {
		t.Errorf("tables without row-level security: %v (%v)", tables, err)
	}
	again := Migrations()
	again.Name = "importjob_again"
	if err := pg.Migrate(ctx, admin.DB, slog.New(slog.NewTextHandler(io.Discard, nil)), "", again); err != nil {
		t.Errorf("the migrations on their own tables: %v", err)
	}
}
