package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/lib/pq"
	"gocloud.dev/blob/fileblob"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/operator/backup"
)

// Goal of the restore part (issue 22): a tenant with 1,000,000 contacts is
// restored in at most ten minutes on this machine.
const (
	goalRestore = 10 * time.Minute
	// restoreDefaultRows is the contacts seeded unless BENCH_RESTORE_ROWS
	// says another number.
	restoreDefaultRows = 1_000_000
)

// restoreRun holds the results of the restore part.
type restoreRun struct {
	Rows      int
	Seed      time.Duration // COPY of the contacts
	DumpBytes int64
	Dump      time.Duration // the operator's dump into the file bucket
	Restore   time.Duration // the operator's restore, owners and grants included
	RawDump   time.Duration // plain pg_dump -Fc to a file
	RawLoad   time.Duration // plain pg_restore of that file into an empty database
	Tools     string        // the pg_dump version
}

// restoreRows is BENCH_RESTORE_ROWS, else restoreDefaultRows.
func restoreRows() (int, error) {
	v := os.Getenv("BENCH_RESTORE_ROWS")
	if v == "" {
		return restoreDefaultRows, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("BENCH_RESTORE_ROWS=%q: want a positive number of rows", v)
	}
	return n, nil
}

// measureRestore seeds a contacts database (the service's own migrations,
// the contacts by COPY), then dumps and restores it as the operator does
// (operator/backup: pg_dump --format=custom streamed into a file bucket,
// pg_restore --clean --if-exists in one transaction streamed back with its
// checksum checked, then owners and grants), and as plain pg_dump -Fc to a
// file and pg_restore into an empty database.
func measureRestore(ctx context.Context, root string) (r restoreRun, err error) {
	if r.Rows, err = restoreRows(); err != nil {
		return r, err
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	if len(dirs) == 0 {
		return r, errors.New("restore: no /usr/lib/postgresql/*/bin (the PostgreSQL client programs)")
	}
	tools := backup.Tools{BinDir: dirs[len(dirs)-1]}
	if out, err := exec.CommandContext(ctx, filepath.Join(tools.BinDir, "pg_dump"), "--version").Output(); err == nil {
		r.Tools = string(out[:len(out)-1])
	}
	var dbs []*scratchDB
	defer func() {
		for _, d := range dbs {
			err = errors.Join(err, d.Drop())
		}
	}()
	scratch := func() (*scratchDB, error) {
		d, err := newScratchDB(ctx, serverURL())
		if err == nil {
			dbs = append(dbs, d)
		}
		return d, err
	}
	src, err := scratch()
	if err != nil {
		return r, err
	}
	if r.Seed, err = seedRestoreContacts(ctx, root, src, r.Rows); err != nil {
		return r, err
	}
	dir, err := os.MkdirTemp("", "rapport-bench-restore-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	bucket, err := fileblob.OpenBucket(dir, nil)
	if err != nil {
		return r, err
	}
	defer bucket.Close()

	dump := backup.Dump{Service: "contacts", Object: backup.ObjectName("bench", "b1", "contacts")}
	start := time.Now()
	if dump.Size, dump.SHA256, err = tools.Dump(ctx, bucket, dump.Object, src.AdminURL); err != nil {
		return r, err
	}
	r.Dump, r.DumpBytes = time.Since(start), dump.Size
	dst, err := scratch()
	if err != nil {
		return r, err
	}
	start = time.Now()
	if err := tools.Restore(ctx, bucket, dump, backup.Target{DSN: dst.AdminURL, Owner: dst.AppRole, App: dst.AppRole}); err != nil {
		return r, err
	}
	r.Restore = time.Since(start)
	if err := countContacts(ctx, dst.AdminURL, r.Rows); err != nil {
		return r, err
	}

	file := filepath.Join(dir, "raw.dump")
	start = time.Now()
	if out, err := exec.CommandContext(ctx, filepath.Join(tools.BinDir, "pg_dump"), "--format=custom", "--file="+file, "--dbname="+src.AdminURL).CombinedOutput(); err != nil {
		return r, fmt.Errorf("pg_dump: %v: %s", err, out)
	}
	r.RawDump = time.Since(start)
	raw, err := scratch()
	if err != nil {
		return r, err
	}
	start = time.Now()
	if out, err := exec.CommandContext(ctx, filepath.Join(tools.BinDir, "pg_restore"), "--no-owner", "--no-acl", "--dbname="+raw.AdminURL, file).CombinedOutput(); err != nil {
		return r, fmt.Errorf("pg_restore: %v: %s", err, out)
	}
	r.RawLoad = time.Since(start)
	return r, countContacts(ctx, raw.AdminURL, r.Rows)
}

// seedRestoreContacts applies the contacts service's migrations to d and
// COPYs n contacts of one tenant into it, with custom fields and emails.
func seedRestoreContacts(ctx context.Context, root string, d *scratchDB, n int) (time.Duration, error) {
	db, err := sql.Open("postgres", d.AdminURL)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	src := pg.Source{Name: "contacts", FS: os.DirFS(filepath.Join(root, "services", "contacts", "migrations"))}
	if err := pg.Migrate(ctx, db, quiet, d.AppRole, src); err != nil {
		return 0, err
	}
	start := time.Now()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, nothing to undo
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn("contacts", "tenant_id", "id", "first_name", "last_name", "display_name",
		"emails", "owner_id", "custom_fields", "created_at", "updated_at", "version"))
	if err != nil {
		return 0, err
	}
	const tenant = "5d0c1c4e-1b7a-4a53-9c1e-6f6a0e2b7c11"
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		first, last := fmt.Sprintf("First%d", i), fmt.Sprintf("Last%d", i%9973)
		_, err := stmt.ExecContext(ctx, tenant, fmt.Sprintf("00000000-0000-4000-8000-%012d", i), first, last, first+" "+last,
			fmt.Sprintf(`[{"value":"c%d@example.com","primary":true}]`, i), "owner-1",
			fmt.Sprintf(`{"tier":"%s","score":%d}`, []string{"gold", "silver", "bronze"}[i%3], i%1000), at, at, 1)
		if err != nil {
			return 0, err
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return 0, err
	}
	if err := errors.Join(stmt.Close(), tx.Commit()); err != nil {
		return 0, err
	}
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// countContacts checks the database at dsn holds want contacts.
func countContacts(ctx context.Context, dsn string, want int) error {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM contacts`).Scan(&n); err != nil {
		return err
	}
	if n != want {
		return fmt.Errorf("restore: %d contacts restored, want %d", n, want)
	}
	return nil
}

// runRestoreOnly runs the restore part alone and prints its section.
func runRestoreOnly(ctx context.Context) error {
	root, err := proc.RepoRoot()
	if err != nil {
		return err
	}
	r, err := measureRestore(ctx, root)
	if err != nil {
		return err
	}
	writeRestoreSection(os.Stdout, r)
	return nil
}
