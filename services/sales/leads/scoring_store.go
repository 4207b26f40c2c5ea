package leads

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// scoringRow is a row of lead_scoring_rules.
type scoringRow struct {
	ID         string    `db:"id"`
	Kind       string    `db:"kind"`
	Definition []byte    `db:"definition"`
	CreatedAt  time.Time `db:"created_at"`
	UpdatedAt  time.Time `db:"updated_at"`
	Version    int64     `db:"version"`
}

// scoringColumns are the columns of a scoringRow.
const scoringColumns = "id, kind, definition, created_at, updated_at, version"

// rule is the ScoringRule of r.
func (r scoringRow) rule() (ScoringRule, error) {
	var out ScoringRule
	if err := json.Unmarshal(r.Definition, &out); err != nil {
		return out, fmt.Errorf("read scoring rule: %w", err)
	}
	out.ID, out.Kind, out.CreatedAt, out.UpdatedAt, out.Version = r.ID, r.Kind, r.CreatedAt.UTC(), r.UpdatedAt.UTC(), r.Version
	return out, nil
}

// scoringRulesIn reads the tenant's scoring rules in their order (id:
// creation), only the active ones when activeOnly.
func scoringRulesIn(ctx context.Context, tx *outbox.Tx, activeOnly bool) ([]ScoringRule, error) {
	where := ""
	if activeOnly {
		where = " WHERE definition->>'active' IS DISTINCT FROM 'false'"
	}
	return listRules[scoringRow](ctx, tx, scoringRules, where, "id")
}

// getScoringRule reads the scoring rule id, locking it when lock.
func getScoringRule(ctx context.Context, tx *outbox.Tx, id string, lock bool) (*ScoringRule, error) {
	return readRule[scoringRow](ctx, tx, scoringRules, id, lock, ErrScoringRuleNotFound)
}

// definitionOf is r's definition column: r less its id, kind and
// bookkeeping.
func definitionOf(r *ScoringRule) (string, error) {
	def := *r
	def.ID, def.Kind, def.CreatedAt, def.UpdatedAt, def.Version = "", "", time.Time{}, time.Time{}, 0
	body, err := json.Marshal(def)
	return string(body), err
}

// insertScoringRule inserts r, first locking the tenant's rules (an
// advisory lock) and refusing a rule past maxScoringRules.
func insertScoringRule(ctx context.Context, tx *outbox.Tx, r *ScoringRule) error {
	body, err := definitionOf(r)
	if err != nil {
		return err
	}
	if _, err := scoringRules.room(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO lead_scoring_rules (tenant_id, id, kind, definition, created_at, updated_at, version)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6)`, r.ID, r.Kind, body, r.CreatedAt, r.UpdatedAt, r.Version); err != nil {
		return fmt.Errorf("save scoring rule: %w", pg.MapError(err))
	}
	return nil
}

// updateScoringRule writes r's definition and bookkeeping.
func updateScoringRule(ctx context.Context, tx *outbox.Tx, r *ScoringRule) error {
	body, err := definitionOf(r)
	if err != nil {
		return err
	}
	if _, err := tx.SQL().ExecContext(ctx, "UPDATE lead_scoring_rules SET definition = $2, updated_at = $3, version = $4 WHERE id = $1",
		r.ID, body, r.UpdatedAt, r.Version); err != nil {
		return fmt.Errorf("save scoring rule: %w", pg.MapError(err))
	}
	return nil
}

// deleteScoringRule deletes the rule id.
func deleteScoringRule(ctx context.Context, tx *outbox.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM lead_scoring_rules WHERE id = $1", id); err != nil {
		return fmt.Errorf("delete scoring rule: %w", pg.MapError(err))
	}
	return nil
}

// rescoreIn scores the lead id again in tx, a transaction of its tenant
// the caller opened, through updateIn (which scores what a change makes
// of a lead): written with lead.updated naming what moved when its score,
// reasons or status did (changed). A deleted or converted lead, or one
// that is not there, stays as it is.
func rescoreIn(ctx context.Context, tx *outbox.Tx, id string) (changed bool, err error) {
	_, ch, err := updateIn(ctx, tx, id, func(current *Lead, _ Fields) (*Lead, pgrecord.Change, error) { return current, pgrecord.Change{}, nil })
	if errs.KindOf(err) == errs.NotFound {
		return false, nil
	}
	return ch.Verb != "", err
}

// Behaviour is a count of what a lead did that behaviour rules count: an
// event with its detail (an activity's type; a form's or a campaign's id).
type Behaviour struct {
	Event  string `json:"event"`
	Detail string `json:"detail,omitempty"`
	Count  int    `json:"count"`
}

// ScoreMove is a move of a lead's status by a threshold: the rule, the
// statuses and the score that reached it.
type ScoreMove struct {
	RuleID  string    `json:"ruleId"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Score   int       `json:"score"`
	MovedAt time.Time `json:"movedAt"`
}

// scoreDetails reads the behaviours and the threshold moves of the lead
// id, newest move first.
func (s *Store) scoreDetails(ctx context.Context, tenant, id string) (bs []Behaviour, moves []ScoreMove, err error) {
	bs, moves = []Behaviour{}, []ScoreMove{}
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if err := tx.SQL().SelectContext(ctx, &bs, `SELECT event AS "event", detail AS "detail", count(*) AS "count" FROM lead_behaviours
			WHERE lead_id = $1 GROUP BY event, detail ORDER BY event, detail`, id); err != nil {
			return fmt.Errorf("read lead behaviours: %w", pg.MapError(err))
		}
		var rows []struct {
			RuleID  string    `db:"rule_id"`
			From    string    `db:"from_status"`
			To      string    `db:"to_status"`
			Score   int       `db:"score"`
			MovedAt time.Time `db:"moved_at"`
		}
		if err := tx.SQL().SelectContext(ctx, &rows, `SELECT rule_id, from_status, to_status, score, moved_at FROM lead_score_moves
			WHERE lead_id = $1 ORDER BY moved_at DESC, id DESC`, id); err != nil {
			return fmt.Errorf("read score moves: %w", pg.MapError(err))
		}
		for _, r := range rows {
			moves = append(moves, ScoreMove{RuleID: r.RuleID, From: r.From, To: r.To, Score: r.Score, MovedAt: r.MovedAt.UTC()})
		}
		return nil
	})
	return bs, moves, err
}

// recordBehaviour records that the leads leadIDs (those of the tenant
// that exist) took part in event from source (detail, at), replacing what
// source recorded of others before (an activity related to other leads
// now), and rescores every lead concerned in tx. Without leadIDs it
// removes what source recorded (an activity deleted).
func recordBehaviour(ctx context.Context, tx *outbox.Tx, event, source, detail string, at time.Time, leadIDs []string) error {
	if leadIDs == nil {
		leadIDs = []string{}
	}
	var touched []string
	if err := tx.SQL().SelectContext(ctx, &touched, `DELETE FROM lead_behaviours WHERE event = $1 AND source_id = $2 AND NOT lead_id = ANY($3::uuid[])
		RETURNING lead_id`, event, source, pq.StringArray(leadIDs)); err != nil {
		return fmt.Errorf("remove lead behaviours: %w", pg.MapError(err))
	}
	var added []string
	if err := tx.SQL().SelectContext(ctx, &added, `INSERT INTO lead_behaviours (tenant_id, lead_id, event, source_id, detail, occurred_at)
		SELECT tenant_id, id, $1, $2, $3, $4 FROM leads WHERE id = ANY($5::uuid[])
		ON CONFLICT (tenant_id, lead_id, event, source_id) DO UPDATE SET detail = EXCLUDED.detail, occurred_at = EXCLUDED.occurred_at
		RETURNING lead_id`, event, source, detail, at, pq.StringArray(leadIDs)); err != nil {
		return fmt.Errorf("record lead behaviours: %w", pg.MapError(err))
	}
	for _, id := range append(touched, added...) {
		if _, err := rescoreIn(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}
