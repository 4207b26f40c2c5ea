package duplicates

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

const scanColumns = "id, entity, status, failure_reason, pair_count, created_by, created_at, finished_at"

// The scans' pair queries: $1 is the scan id, $2 NameSimilarity, $3
// scanGroupCap. They join equal keys — contact_match_keys (email, phone; a
// name word's start with the account, for similar names in an account, or
// with an email domain, where a contact has no account), accounts.domain,
// account_name_keys (similar names sharing a word) — and compare the records
// within each group. A group larger than scanGroupCap (a placeholder email
// shared by thousands, a very common name word) is left out: its pairs would
// be quadratic in number and useless. Each pair is stored once (a_id < b_id)
// with its best score, rounded to 4 places, and every reason.
const (
	pairsInsert = `INSERT INTO duplicate_pairs (tenant_id, scan_id, a_id, b_id, score, matched_on)
		SELECT ` + pgstore.CurrentTenant + `, $1, a, b, round(max(score)::numeric, 4)::float8, array_agg(DISTINCT matched ORDER BY matched)
		FROM (%s) found GROUP BY a, b`
	contactPairsSQL = `
		WITH k AS MATERIALIZED (
			SELECT kind, value, contact_id, name FROM (
				SELECT kind, value, contact_id, name, count(*) OVER (PARTITION BY kind, value) AS n FROM contact_match_keys) g
			WHERE n BETWEEN 2 AND $3),
		dom AS MATERIALIZED (
			SELECT k.value, k.contact_id, k.name, c.account_id IS NULL AS alone
			FROM k JOIN contacts c ON c.id = k.contact_id WHERE k.kind = 'domain_name')
		SELECT x.contact_id AS a, y.contact_id AS b, 1.0::float8 AS score, x.kind AS matched
		FROM k x JOIN k y ON y.kind = x.kind AND y.value = x.value AND y.contact_id > x.contact_id
		WHERE x.kind IN ('email', 'phone')
		UNION ALL
		SELECT x.contact_id, y.contact_id, similarity(x.name, y.name)::float8, 'name'
		FROM k x JOIN k y ON y.kind = x.kind AND y.value = x.value AND y.contact_id > x.contact_id
		WHERE x.kind = 'account_name' AND similarity(x.name, y.name) >= $2
		UNION ALL
		SELECT x.contact_id, y.contact_id, similarity(x.name, y.name)::float8, 'name'
		FROM dom x JOIN dom y ON y.value = x.value AND y.contact_id > x.contact_id
		WHERE (x.alone OR y.alone) AND similarity(x.name, y.name) >= $2`
	accountPairsSQL = `
		WITH d AS MATERIALIZED (
			SELECT id, domain FROM (
				SELECT id, domain, count(*) OVER (PARTITION BY domain) AS n FROM accounts
				WHERE domain <> '' AND deleted_at IS NULL) g
			WHERE n BETWEEN 2 AND $3),
		w AS MATERIALIZED (
			SELECT word, account_id, name FROM (
				SELECT word, account_id, name, count(*) OVER (PARTITION BY word) AS n FROM account_name_keys) g
			WHERE n BETWEEN 2 AND $3)
		SELECT x.id AS a, y.id AS b, 1.0::float8 AS score, 'domain' AS matched
		FROM d x JOIN d y ON y.domain = x.domain AND y.id > x.id
		UNION ALL
		SELECT x.account_id, y.account_id, similarity(x.name, y.name)::float8, 'name'
		FROM w x JOIN w y ON y.word = x.word AND y.account_id > x.account_id
		WHERE similarity(x.name, y.name) >= $2`
)

// scanGroupCap is the largest group of records sharing a key that a scan
// compares pairwise.
const scanGroupCap = 1000

// insertScan stores a new scan.
func insertScan(ctx context.Context, tx *pgstore.Tx, scan *DuplicateScan) error {
	_, err := tx.SQL().NamedExecContext(ctx, `INSERT INTO duplicate_scans (tenant_id, `+scanColumns+`)
		VALUES (`+pgstore.CurrentTenant+`, :id, :entity, :status, :failure_reason, :pair_count, :created_by, :created_at, :finished_at)`, scan)
	if err != nil {
		return fmt.Errorf("insert duplicate scan: %w", pg.MapError(err))
	}
	return nil
}

// getScan reads a scan.
func getScan(ctx context.Context, tx *pgstore.Tx, id string) (*DuplicateScan, error) {
	var scan DuplicateScan
	if err := tx.SQL().GetContext(ctx, &scan, "SELECT "+scanColumns+" FROM duplicate_scans WHERE id = $1", id); err != nil {
		if errs.KindOf(pg.MapError(err)) == errs.NotFound {
			return nil, ErrScanNotFound
		}
		return nil, fmt.Errorf("get duplicate scan: %w", pg.MapError(err))
	}
	scan.CreatedAt = scan.CreatedAt.UTC()
	if scan.FinishedAt != nil {
		t := scan.FinishedAt.UTC()
		scan.FinishedAt = &t
	}
	return &scan, nil
}

// lockScan locks the row of the running scan id until the transaction ends:
// the lock is what tells readers that the scan is being worked on.
func lockScan(ctx context.Context, tx *pgstore.Tx, id string) error {
	var found string
	err := tx.SQL().GetContext(ctx, &found, "SELECT id FROM duplicate_scans WHERE id = $1 AND status = $2 FOR UPDATE", id, ScanRunning)
	if err != nil {
		if errs.KindOf(pg.MapError(err)) == errs.NotFound {
			return ErrScanNotFound
		}
		return fmt.Errorf("lock duplicate scan: %w", pg.MapError(err))
	}
	return nil
}

// finishScan records the end of a running scan: status, the failure reason
// ("" when done), the pairs found and when.
func finishScan(ctx context.Context, tx *pgstore.Tx, id, status, reason string, pairs int, now time.Time) error {
	_, err := tx.SQL().ExecContext(ctx, `UPDATE duplicate_scans SET status = $2, failure_reason = $3, pair_count = $4, finished_at = $5
		WHERE id = $1 AND status = $6`, id, status, reason, pairs, now, ScanRunning)
	if err != nil {
		return fmt.Errorf("finish duplicate scan: %w", pg.MapError(err))
	}
	return nil
}

// failInterrupted marks scan id failed with reason ScanInterrupted when it
// is running but no transaction holds its row (lockScan). A row whose scan
// commits meanwhile is checked again as committed, and no longer matches.
func failInterrupted(ctx context.Context, tx *pgstore.Tx, id string, now time.Time) error {
	_, err := tx.SQL().ExecContext(ctx, `UPDATE duplicate_scans SET status = $2, failure_reason = $3, finished_at = $4
		WHERE id = (SELECT id FROM duplicate_scans WHERE id = $1 AND status = $5 FOR UPDATE SKIP LOCKED)`,
		id, ScanFailed, ScanInterrupted, now, ScanRunning)
	if err != nil {
		return fmt.Errorf("fail interrupted duplicate scan: %w", pg.MapError(err))
	}
	return nil
}

// insertPairs finds and stores the pairs of scan and returns how many.
func insertPairs(ctx context.Context, tx *pgstore.Tx, scan DuplicateScan) (int, error) {
	found := contactPairsSQL
	if scan.Entity == customer.EntityAccount {
		found = accountPairsSQL
	}
	res, err := tx.SQL().ExecContext(ctx, fmt.Sprintf(pairsInsert, found), scan.ID, NameSimilarity, scanGroupCap)
	if err != nil {
		return 0, fmt.Errorf("find duplicate pairs: %w", pg.MapError(err))
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// listPairs returns up to limit pairs of scan after the position after
// (nil: from the start), best score first, with the records' current names.
func listPairs(ctx context.Context, tx *pgstore.Tx, scan *DuplicateScan, after *pairPosition, limit int) ([]DuplicatePair, error) {
	table, name := "contacts", "display_name"
	if scan.Entity == customer.EntityAccount {
		table, name = "accounts", "name"
	}
	args := []any{scan.ID}
	where := "p.scan_id = $1"
	if after != nil {
		where += " AND (p.score < $2 OR p.score = $2 AND (p.a_id, p.b_id) > ($3, $4))"
		args = append(args, after.Score, after.A, after.B)
	}
	q := fmt.Sprintf(`SELECT p.a_id, COALESCE(a.%[2]s, '') AS a_name, p.b_id, COALESCE(b.%[2]s, '') AS b_name, p.score, p.matched_on
		FROM duplicate_pairs p LEFT JOIN %[1]s a ON a.id = p.a_id LEFT JOIN %[1]s b ON b.id = p.b_id
		WHERE %[3]s ORDER BY p.score DESC, p.a_id, p.b_id LIMIT %[4]d`, table, name, where, limit)
	pairs := []DuplicatePair{}
	if err := tx.SQL().SelectContext(ctx, &pairs, q, args...); err != nil {
		return nil, fmt.Errorf("list duplicate pairs: %w", pg.MapError(err))
	}
	return pairs, nil
}
