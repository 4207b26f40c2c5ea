package predictions

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// The reads of a tenant's history the models train on: the read models of
// generation gen (the active one), accounts resolved through their merges,
// deleted records left out.

// accountOf is the account a column names, resolved through merges (m the
// rm_merges alias joined on it), as text (” for none).
const accountOf = "coalesce(coalesce(m.winner_id, %[1]s)::text, '')"

// mergeJoin joins rm_merges m on the account column of alias x.
const mergeJoin = " LEFT JOIN rm_merges m ON m.gen = %[1]s.gen AND m.kind = 'account' AND m.loser_id = %[1]s.account_id"

// readWinHistory reads what the win model learns from.
func readWinHistory(ctx context.Context, tx *outbox.Tx, gen rm.Gen) (h winHistory, err error) {
	q := tx.SQL()
	if err = q.SelectContext(ctx, &h.Opportunities, `SELECT o.id, o.status, o.amount_minor, o.exponent, o.owner_id, `+
		fmt.Sprintf(accountOf, "o.account_id")+` AS account_id,
		coalesce((SELECT l.source FROM rm_leads l WHERE l.gen = o.gen AND l.opportunity_id = o.id AND NOT l.deleted
			ORDER BY l.converted_at NULLS LAST, l.id LIMIT 1), '') AS source, o.created_at, o.closed_at
		FROM rm_opportunities o`+fmt.Sprintf(mergeJoin, "o")+`
		WHERE o.gen = $1 AND NOT o.deleted AND (o.status = 'open' OR o.status IN ('won', 'lost') AND o.closed_at IS NOT NULL)`, gen); err != nil {
		return h, fmt.Errorf("predictions: read opportunities: %w", pg.MapError(err))
	}
	if err = q.SelectContext(ctx, &h.Moves, `SELECT sm.opportunity_id, sm.at, coalesce(k.kind, 'open') AS kind
		FROM rm_stage_moves sm LEFT JOIN (SELECT DISTINCT ON (stage_id) stage_id, kind FROM rm_stages WHERE gen = $1
			ORDER BY stage_id, version DESC) k ON k.stage_id = sm.to_stage_id
		WHERE sm.gen = $1`, gen); err != nil {
		return h, fmt.Errorf("predictions: read stage moves: %w", pg.MapError(err))
	}
	h.Activities, err = readActivities(ctx, tx, gen)
	return h, err
}

// readActivities reads when each account had its activities.
func readActivities(ctx context.Context, tx *outbox.Tx, gen rm.Gen) ([]touch, error) {
	var out []touch
	if err := tx.SQL().SelectContext(ctx, &out, `SELECT `+fmt.Sprintf(accountOf, "a.account_id")+` AS account_id, a.occurred_at AS at
		FROM rm_activities a`+fmt.Sprintf(mergeJoin, "a")+`
		WHERE a.gen = $1 AND NOT a.deleted AND a.account_id IS NOT NULL`, gen); err != nil {
		return nil, fmt.Errorf("predictions: read activities: %w", pg.MapError(err))
	}
	return out, nil
}

// readChurnHistory reads what the churn model learns from.
func readChurnHistory(ctx context.Context, tx *outbox.Tx, gen rm.Gen) (h churnHistory, err error) {
	q := tx.SQL()
	if err = q.SelectContext(ctx, &h.Won, `SELECT `+fmt.Sprintf(accountOf, "o.account_id")+` AS account_id, o.closed_at AS at,
		o.amount_minor::float8 / power(10, o.exponent) AS amount
		FROM rm_opportunities o`+fmt.Sprintf(mergeJoin, "o")+`
		WHERE o.gen = $1 AND NOT o.deleted AND o.status = 'won' AND o.closed_at IS NOT NULL AND o.account_id IS NOT NULL`, gen); err != nil {
		return h, fmt.Errorf("predictions: read won deals: %w", pg.MapError(err))
	}
	if h.Activities, err = readActivities(ctx, tx, gen); err != nil {
		return h, err
	}
	if err = q.SelectContext(ctx, &h.Cases, `SELECT `+fmt.Sprintf(accountOf, "c.account_id")+` AS account_id, c.created_at AS at
		FROM rm_cases c`+fmt.Sprintf(mergeJoin, "c")+`
		WHERE c.gen = $1 AND NOT c.deleted AND c.merged_into IS NULL AND c.account_id IS NOT NULL`, gen); err != nil {
		return h, fmt.Errorf("predictions: read cases: %w", pg.MapError(err))
	}
	if err = q.SelectContext(ctx, &h.CSAT, `SELECT `+fmt.Sprintf(accountOf, "c.account_id")+` AS account_id, s.answered_at AS at,
		s.score::float8 AS score
		FROM rm_surveys s JOIN rm_cases c ON c.gen = s.gen AND c.id = s.case_id`+fmt.Sprintf(mergeJoin, "c")+`
		WHERE s.gen = $1 AND s.kind = 'csat' AND c.account_id IS NOT NULL`, gen); err != nil {
		return h, fmt.Errorf("predictions: read CSAT answers: %w", pg.MapError(err))
	}
	var gone []string
	if err = q.SelectContext(ctx, &gone, `SELECT id::text FROM rm_accounts WHERE gen = $1 AND (deleted OR merged_into IS NOT NULL)`, gen); err != nil {
		return h, fmt.Errorf("predictions: read gone accounts: %w", pg.MapError(err))
	}
	h.Gone = map[string]bool{}
	for _, id := range gone {
		h.Gone[id] = true
	}
	return h, nil
}

// readWeekCounts reads the cases created per queue and ISO week (UTC).
func readWeekCounts(ctx context.Context, tx *outbox.Tx, gen rm.Gen) ([]weekCount, error) {
	var out []weekCount
	if err := tx.SQL().SelectContext(ctx, &out, `SELECT queue_id, date_trunc('week', created_at, 'UTC') AS week, count(*)::float8 AS cases
		FROM rm_cases WHERE gen = $1 AND NOT deleted AND merged_into IS NULL AND queue_id <> ''
		GROUP BY 1, 2`, gen); err != nil {
		return nil, fmt.Errorf("predictions: read weekly cases: %w", pg.MapError(err))
	}
	return out, nil
}
