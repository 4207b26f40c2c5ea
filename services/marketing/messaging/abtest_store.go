package messaging

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// abRow is a row of send_ab_tests.
type abRow struct {
	SendID        string       `db:"send_id"`
	Variants      []byte       `db:"variants"`
	TestShare     int          `db:"test_share"`
	Metric        string       `db:"metric"`
	DecideAt      time.Time    `db:"decide_at"`
	MinConfidence float64      `db:"min_confidence"`
	SplitAt       sql.NullTime `db:"split_at"`
	Winner        string       `db:"winner"`
	DecidedBy     string       `db:"decided_by"`
	DecidedAt     sql.NullTime `db:"decided_at"`
	Results       []byte       `db:"results"`
}

// abColumns are abRow's columns.
const abColumns = `send_id, variants, test_share, metric, decide_at, min_confidence, split_at, winner, decided_by, decided_at, results`

// test is r's ABTest.
func (r abRow) test() ABTest {
	a := ABTest{TestShare: r.TestShare, Metric: r.Metric, DecideAt: r.DecideAt.UTC(), MinConfidence: r.MinConfidence}
	_ = json.Unmarshal(r.Variants, &a.Variants) // written by insertABTest from []Variant
	return a
}

// decision is r's decision, nil while undecided.
func (r abRow) decision() *Decision {
	if !r.DecidedAt.Valid {
		return nil
	}
	var d Decision
	_ = json.Unmarshal(r.Results, &d) // written by decide from a Decision
	return &d
}

// insertABTest writes a, the A/B test of send id.
func insertABTest(ctx context.Context, tx *outbox.Tx, id string, a ABTest, now time.Time) error {
	variants, err := json.Marshal(a.Variants)
	if err != nil {
		return err
	}
	_, err = tx.SQL().ExecContext(ctx, `INSERT INTO send_ab_tests (tenant_id, send_id, variants, test_share, metric, decide_at,
			min_confidence, created_at)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7)`,
		id, variants, a.TestShare, a.Metric, a.DecideAt, a.MinConfidence, now)
	if err != nil {
		return fmt.Errorf("insert an A/B test: %w", pg.MapError(err))
	}
	return nil
}

// abTestOf reads the A/B test of send id; ok is false when it has none.
func abTestOf(ctx context.Context, tx *outbox.Tx, id string) (r abRow, ok bool, err error) {
	err = pg.MapError(tx.SQL().GetContext(ctx, &r, `SELECT `+abColumns+` FROM send_ab_tests WHERE send_id = $1`, id))
	switch {
	case errs.KindOf(err) == errs.NotFound:
		return abRow{}, false, nil
	case err != nil:
		return abRow{}, false, fmt.Errorf("read an A/B test: %w", err)
	}
	return r, true, nil
}

// holdAll holds the queued messages of send id (its recipients made into
// messages so far, none yet split).
func holdAll(ctx context.Context, tx *outbox.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE messages SET status = 'held' WHERE send_id = $1 AND status = 'queued'`, id); err != nil {
		return fmt.Errorf("hold an A/B test's messages: %w", pg.MapError(err))
	}
	return nil
}

// split queues the test share of the held messages of send id: share
// percent of them (rounded up), taken in the order of the md5 of the
// send's and the contact's ids, each given the variant of names in turn;
// and records the split at now.
func split(ctx context.Context, tx *outbox.Tx, id string, share int, names []string, now time.Time) error {
	_, err := tx.SQL().ExecContext(ctx, `WITH held AS (
			SELECT tenant_id, id, row_number() OVER (ORDER BY md5(send_id::text || ':' || contact_id::text), id) AS rn,
				count(*) OVER () AS total
			FROM messages WHERE send_id = $1 AND status = 'held'),
		picked AS MATERIALIZED (SELECT tenant_id, id, rn FROM held WHERE rn <= ceil(total * $2::numeric / 100))
		UPDATE messages m SET status = 'queued', next_attempt_at = $4,
			variant = ($3::text[])[((picked.rn - 1) % cardinality($3::text[])) + 1]
		FROM picked WHERE m.tenant_id = picked.tenant_id AND m.id = picked.id`, id, share, pq.StringArray(names), now)
	if err == nil {
		_, err = tx.SQL().ExecContext(ctx, `UPDATE send_ab_tests SET split_at = $2 WHERE send_id = $1`, id, now)
	}
	if err != nil {
		return fmt.Errorf("split an A/B test's messages: %w", pg.MapError(err))
	}
	return nil
}

// variantCount is the messages of one variant of a send ("" for the
// rest, outside the test share): sent (not bounced), those of them a
// person opened and clicked (bots' hits left out), still to go out
// (queued or sending) and held.
type variantCount struct {
	Variant string `db:"variant"`
	Sent    int    `db:"sent"`
	Opens   int    `db:"opens"`
	Clicks  int    `db:"clicks"`
	Pending int    `db:"pending"`
	Held    int    `db:"held"`
}

// variantCounts reads the counts of send id's messages by variant.
func variantCounts(ctx context.Context, tx *outbox.Tx, id string) (map[string]variantCount, error) {
	var rows []variantCount
	err := tx.SQL().SelectContext(ctx, &rows, `WITH out AS (
			SELECT m.id, m.variant, m.status, m.status = 'sent' AND m.feedback <> 'bounced' AS sent FROM messages m
			WHERE m.send_id = $1 AND m.status IN ('queued', 'sending', 'sent', 'held'))
		SELECT o.variant, count(*) FILTER (WHERE o.sent) AS sent,
			count(*) FILTER (WHERE o.sent AND EXISTS (SELECT 1 FROM message_events e
				WHERE e.message_id = o.id AND e.kind = 'open' AND NOT e.bot)) AS opens,
			count(*) FILTER (WHERE o.sent AND EXISTS (SELECT 1 FROM message_events e
				WHERE e.message_id = o.id AND e.kind = 'click' AND NOT e.bot)) AS clicks,
			count(*) FILTER (WHERE o.status IN ('queued', 'sending')) AS pending,
			count(*) FILTER (WHERE o.status = 'held') AS held
		FROM out o GROUP BY o.variant`, id)
	if err != nil {
		return nil, fmt.Errorf("count an A/B test's messages: %w", pg.MapError(err))
	}
	out := make(map[string]variantCount, len(rows))
	for _, r := range rows {
		out[r.Variant] = r
	}
	return out, nil
}

// undecidedTests reads and locks (skipping those another transaction
// holds) the split, undecided A/B tests of tx's tenant whose sends are
// sending.
func undecidedTests(ctx context.Context, tx *outbox.Tx) ([]abRow, error) {
	var out []abRow
	err := tx.SQL().SelectContext(ctx, &out, `SELECT `+abColumns+` FROM send_ab_tests a
		WHERE a.decided_at IS NULL AND a.split_at IS NOT NULL
			AND EXISTS (SELECT 1 FROM sends s WHERE s.id = a.send_id AND s.status = 'sending')
		ORDER BY a.decide_at FOR UPDATE SKIP LOCKED`)
	if err != nil {
		return nil, fmt.Errorf("find A/B tests to judge: %w", pg.MapError(err))
	}
	return out, nil
}

// decide records d, the decision of send id's A/B test, and releases its
// held messages (queued, due at d.At) to go out with the winner's
// content.
func decide(ctx context.Context, tx *outbox.Tx, id string, d Decision) error {
	results, err := json.Marshal(d)
	if err != nil {
		return err
	}
	_, err = tx.SQL().ExecContext(ctx, `UPDATE send_ab_tests SET winner = $2, decided_by = $3, decided_at = $4, results = $5
		WHERE send_id = $1 AND decided_at IS NULL`, id, d.Winner, d.By, d.At, results)
	if err == nil {
		_, err = tx.SQL().ExecContext(ctx, `UPDATE messages SET status = 'queued', next_attempt_at = $2
			WHERE send_id = $1 AND status = 'held'`, id, d.At)
	}
	if err != nil {
		return fmt.Errorf("record an A/B test's winner: %w", pg.MapError(err))
	}
	return nil
}

// abTenantsDue lists up to n tenants with A/B tests to judge.
func abTenantsDue(ctx context.Context, db *outbox.DB, n int) ([]string, error) {
	var out []string
	if err := db.Pool().SelectContext(ctx, &out, "SELECT tenant_id FROM marketing_ab_tenants_due($1)", n); err != nil {
		return nil, fmt.Errorf("find the tenants with A/B tests: %w", pg.MapError(err))
	}
	return out, nil
}
