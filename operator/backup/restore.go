package backup

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/lib/pq"
	"gocloud.dev/blob"
)

// Target is the database a dump is restored into and its two roles.
type Target struct {
	DSN   string // an admin connection to the database
	Owner string // the role that owns every restored object
	App   string // the runtime role, granted DML on every table and sequence
}

// ErrChecksum means a dump in the store is not the one the manifest
// describes.
var ErrChecksum = errors.New("backup: the dump's checksum differs from the manifest's")

// Restore streams the dump at d.Object from b into pg_restore, which
// replaces the target database's objects (--clean --if-exists) in one
// transaction: a failed restore leaves the database as it was. It runs as
// the admin, since the tables FORCE row-level security, which refuses COPY
// to their owner; then every object is given to tg.Owner and the dump's
// grants are replaced by tg.App's (the dump may come from another tenant,
// whose roles must get nothing here).
// The checksum is verified as the dump streams; a mismatch rolls back.
func (t Tools) Restore(ctx context.Context, b *blob.Bucket, d Dump, tg Target) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r, err := b.NewReader(ctx, d.Object, nil)
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", d.Object, err)
	}
	defer r.Close()
	// The dump arrives on stdin; its last bytes are held back until the
	// checksum matched, and pg_restore commits only after reading them, so
	// a damaged dump aborts the transaction.
	cmd, stderr := t.command(ctx, "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error", "--no-password", "--dbname="+tg.DSN)
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return failed("pg_restore", err, stderr)
	}
	copyErr := copyVerified(in, r, d.SHA256)
	if copyErr != nil {
		cancel() // kills pg_restore before it commits
		_ = cmd.Wait()
		return fmt.Errorf("backup: restore %s: %w", d.Object, copyErr)
	}
	if err := in.Close(); err != nil {
		return err
	}
	if err := cmd.Wait(); err != nil {
		return failed("pg_restore", err, stderr)
	}
	return adopt(ctx, tg)
}

// ownedByAdmin lists the ALTER … OWNER statements that give tg.Owner
// ($1) the database's own schemas (public included, so its migrations can
// create in it) and every object in them that another role owns: relations (sequences of a column follow their table), routines and
// types; what an extension made stays the extension's.
const ownedByAdmin = `
WITH own AS (
  SELECT n.oid FROM pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
), owner AS (SELECT oid FROM pg_roles WHERE rolname = $1),
ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e')
SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, $1)
FROM pg_namespace n WHERE n.oid IN (SELECT oid FROM own) AND n.nspowner <> (SELECT oid FROM owner)
UNION ALL
SELECT format('ALTER %s %s OWNER TO %I',
  CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass, $1)
FROM pg_class c
WHERE c.relnamespace IN (SELECT oid FROM own) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND c.relowner <> (SELECT oid FROM owner)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
UNION ALL
SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $1)
FROM pg_proc p
WHERE p.pronamespace IN (SELECT oid FROM own) AND p.proowner <> (SELECT oid FROM owner)
  AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)
UNION ALL
SELECT format('ALTER TYPE %s OWNER TO %I', t.oid::regtype, $1)
FROM pg_type t
WHERE t.typnamespace IN (SELECT oid FROM own) AND t.typowner <> (SELECT oid FROM owner)
  AND (t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
  AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)`

// adopt gives tg.Owner every object the restore made and tg.App what a
// service's migrations give it (see libs/pg.Migrate): the schema and DML on
// every table and sequence; in one transaction.
func adopt(ctx context.Context, tg Target) error {
	db, err := sql.Open("postgres", tg.DSN)
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("backup: adopt: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, nothing to undo
	rows, err := tx.QueryContext(ctx, ownedByAdmin, tg.Owner)
	if err != nil {
		return fmt.Errorf("backup: list objects to adopt: %w", err)
	}
	var stmts []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		stmts = append(stmts, s)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("backup: list objects to adopt: %w", err)
	}
	role := pq.QuoteIdentifier(tg.App)
	stmts = append(stmts,
		"GRANT USAGE ON SCHEMA public TO "+role,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "+role,
		"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO "+role,
	)
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("backup: %s: %w", q, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("backup: adopt: %w", err)
	}
	return nil
}

// holdBack is how many of the last bytes copyVerified keeps until the
// checksum is known.
const holdBack = 64 << 10

// copyVerified copies src to dst, holding its last holdBack bytes until
// src ended and its SHA-256 equals sum; they are not written otherwise.
func copyVerified(dst io.Writer, src io.Reader, sum string) error {
	h := sha256.New()
	buf := make([]byte, 0, holdBack+256<<10)
	for {
		n, err := src.Read(buf[len(buf):cap(buf)])
		h.Write(buf[len(buf) : len(buf)+n])
		buf = buf[:len(buf)+n]
		if len(buf) > holdBack {
			if _, werr := dst.Write(buf[:len(buf)-holdBack]); werr != nil {
				return werr
			}
			buf = append(buf[:0], buf[len(buf)-holdBack:]...)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	if hex.EncodeToString(h.Sum(nil)) != sum {
		return ErrChecksum
	}
	_, err := dst.Write(buf)
	return err
}
