package backup

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lib/pq"
	"gocloud.dev/blob"
)

// Dump writes pg_dump --format=custom of the database at dsn (an admin
// connection, which sees every tenant's rows) to key in b, streaming:
// neither the dump nor any part larger than the writer's buffer is held in
// memory. It returns the dump's size and SHA-256. A failed dump leaves no
// object behind.
func (t Tools) Dump(ctx context.Context, b *blob.Bucket, key, dsn string) (size int64, sum string, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd, stderr := t.command(ctx, "pg_dump", "--format=custom", "--no-password", "--dbname="+dsn)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, "", err
	}
	if err := cmd.Start(); err != nil {
		return 0, "", failed("pg_dump", err, stderr)
	}
	w, err := b.NewWriter(ctx, key, &blob.WriterOptions{ContentType: "application/octet-stream"})
	if err != nil {
		cancel()
		return 0, "", errors.Join(fmt.Errorf("backup: open %s: %w", key, err), cmd.Wait())
	}
	h := sha256.New()
	size, copyErr := io.Copy(io.MultiWriter(w, h), out)
	waitErr := cmd.Wait()
	if copyErr != nil || waitErr != nil {
		cancel() // a cancelled writer discards what it received
		_ = w.Close()
		if waitErr != nil {
			return 0, "", failed("pg_dump", waitErr, stderr)
		}
		return 0, "", fmt.Errorf("backup: write %s: %w", key, copyErr)
	}
	if err := w.Close(); err != nil {
		return 0, "", fmt.Errorf("backup: write %s: %w", key, err)
	}
	return size, hex.EncodeToString(h.Sum(nil)), nil
}

// MigrationVersions returns the database's goose versions by source: the
// highest applied version of each goose_<source> table.
func MigrationVersions(ctx context.Context, db *sql.DB) (map[string]int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'goose\_%' ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("backup: migration tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, err
		}
		tables = append(tables, name)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("backup: migration tables: %w", err)
	}
	out := make(map[string]int64, len(tables))
	for _, table := range tables {
		var v sql.NullInt64
		q := `SELECT max(version_id) FROM ` + pq.QuoteIdentifier(table) + ` WHERE is_applied`
		if err := db.QueryRowContext(ctx, q).Scan(&v); err != nil {
			return nil, fmt.Errorf("backup: %s: %w", table, err)
		}
		out[strings.TrimPrefix(table, "goose_")] = v.Int64
	}
	return out, nil
}
