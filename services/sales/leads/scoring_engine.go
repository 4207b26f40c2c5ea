package leads

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/filter"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// rescored is what a change made of current (next and ch, from the
// change's closure) with next scored in tx (scoreIn) on a copy. An
// update's changed fields are taken against current again, so a score
// moved by the change is named; a change that changed nothing but the
// score becomes an update of it (a new version), and a rescore that
// changes nothing changes nothing. A deletion is not scored.
func rescored(ctx context.Context, tx *outbox.Tx, current, next *Lead, ch pgrecord.Change) (*Lead, pgrecord.Change, error) {
	if next == nil || ch.Verb == pgstore.VerbDeleted {
		return next, ch, nil
	}
	scored := *next
	if ch.Verb == "" {
		scored.UpdatedAt, scored.Version = pg.Timestamp(time.Now()), current.Version+1
	}
	if err := scoreIn(ctx, tx, current.Score, &scored); err != nil {
		return nil, pgrecord.Change{}, err
	}
	if ch.Verb != "" && ch.Verb != pgstore.VerbUpdated {
		return &scored, ch, nil
	}
	return pgrecord.Updated(current, &scored)
}

// scoreIn gives l its score and reasons from the tenant's active rules,
// read in tx, and moves its status by the thresholds its score crosses
// from prev (its score before; 0 for a new lead), recording each move
// (lead_score_moves). A converted or deleted lead keeps its score.
func scoreIn(ctx context.Context, tx *outbox.Tx, prev int, l *Lead) error {
	if l.Status == StatusConverted || l.DeletedAt != nil {
		return nil
	}
	rules, err := scoringRulesIn(ctx, tx, true)
	if err != nil {
		return err
	}
	var fields, behaviours, thresholds []ScoringRule
	for _, r := range rules {
		switch r.Kind {
		case KindField:
			fields = append(fields, r)
		case KindBehaviour:
			behaviours = append(behaviours, r)
		case KindThreshold:
			thresholds = append(thresholds, r)
		}
	}
	matched, err := matchFields(ctx, tx, fields, l)
	if err != nil {
		return err
	}
	counts, err := behaviourCounts(ctx, tx, behaviours, l.ID)
	if err != nil {
		return err
	}
	l.Score, l.ScoreReasons = 0, []ScoreReason{}
	for _, r := range rules {
		var points int
		var reason string
		switch {
		case r.Kind == KindField && matched[r.ID]:
			points, reason = r.Points, r.Name
		case r.Kind == KindBehaviour && counts[r.ID] > 0:
			points, reason = behaviourPoints(r, counts[r.ID])
		}
		if points != 0 {
			l.Score += points
			l.ScoreReasons = append(l.ScoreReasons, ScoreReason{RuleID: r.ID, Points: points, Reason: reason})
		}
	}
	return crossThresholds(ctx, tx, thresholds, prev, l)
}

// behaviourPoints are the points of r for n behaviours and why, capped at
// r.MaxPoints either way.
func behaviourPoints(r ScoringRule, n int) (int, string) {
	what := r.Event
	if r.ActivityType != "" {
		what += " " + r.ActivityType
	}
	points := n * r.Points
	reason := fmt.Sprintf("%s: %d × %s", r.Name, n, what)
	if r.MaxPoints > 0 && (points > r.MaxPoints || points < -r.MaxPoints) {
		points = min(max(points, -r.MaxPoints), r.MaxPoints)
		reason += fmt.Sprintf(", capped at %d", r.MaxPoints)
	}
	return points, reason
}

// crossThresholds moves l's status by each threshold its score reaches,
// having been below it at prev, lowest first, while the lead's status is
// one the threshold moves from; each move is recorded with its rule.
func crossThresholds(ctx context.Context, tx *outbox.Tx, thresholds []ScoringRule, prev int, l *Lead) error {
	slices.SortStableFunc(thresholds, func(a, b ScoringRule) int { return cmp.Compare(a.MinScore, b.MinScore) })
	for _, r := range thresholds {
		if prev >= r.MinScore || l.Score < r.MinScore || !slices.Contains(r.FromStatuses, l.Status) {
			continue
		}
		if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO lead_score_moves (tenant_id, lead_id, id, rule_id, from_status, to_status, score, moved_at)
			VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7)`, l.ID, ids.New(), r.ID, l.Status, r.ToStatus, l.Score, l.UpdatedAt); err != nil {
			return fmt.Errorf("record score move: %w", pg.MapError(err))
		}
		l.Status, l.DisqualifiedReason = r.ToStatus, ""
	}
	return nil
}

// matchFields evaluates the conditions of rules on l as it is being
// written, in one query over the row l makes (jsonb_populate_record of
// leads), returning the ids of the rules it matches.
func matchFields(ctx context.Context, tx *outbox.Tx, rules []ScoringRule, l *Lead) (map[string]bool, error) {
	out := map[string]bool{}
	if len(rules) == 0 {
		return out, nil
	}
	record, err := recordOf(l)
	if err != nil {
		return nil, err
	}
	defs, err := fieldStore.Defs(ctx, tx.SQL(), EntityLead)
	if err != nil {
		return nil, err
	}
	args := []any{record}
	conds := make([]string, len(rules))
	for i, r := range rules {
		sql, more, err := compileScore(r.Condition, len(args)+1, defs)
		if err != nil {
			// A condition on a custom field whose definition was deleted
			// matches no lead, rather than failing every write of one.
			conds[i] = "false"
			continue
		}
		conds[i], args = "COALESCE(("+sql+"), false)", append(args, more...)
	}
	var hits pq.BoolArray
	if err := tx.SQL().GetContext(ctx, &hits, "SELECT ARRAY["+strings.Join(conds, ", ")+
		"] FROM jsonb_populate_record(NULL::leads, $1::jsonb) AS leads", args...); err != nil {
		return nil, fmt.Errorf("match scoring rules: %w", pg.MapError(err))
	}
	for i, hit := range hits {
		out[rules[i].ID] = hit
	}
	return out, nil
}

// compileScore compiles a field rule's condition over scoreSchema(defs),
// its parameters numbered from first.
func compileScore(raw json.RawMessage, first int, defs Fields) (string, []any, error) {
	node, err := filter.Parse(raw)
	if err != nil {
		return "", nil, err
	}
	return filter.Compile(node, scoreSchema(defs), first)
}

// recordOf is l as a JSON object of the columns of leads scoreSchema
// reads.
func recordOf(l *Lead) ([]byte, error) {
	keys := make([]string, len(l.Tags))
	for i, t := range l.Tags {
		keys[i] = strings.ToLower(t)
	}
	return json.Marshal(map[string]any{"custom_fields": l.CustomFields, "first_name": l.FirstName, "last_name": l.LastName, "company": l.Company, "title": l.Title,
		"email": l.Email, "phone": l.Phone, "phone_e164": l.PhoneE164, "source": l.Source, "campaign_id": pgrecord.OrNull(l.CampaignID),
		"status": l.Status, "rating": l.Rating, "tag_keys": keys, "created_at": l.CreatedAt})
}

// behaviourCounts are how many of its behaviours (lead_behaviours) of the
// lead id each of rules counts, by rule id.
func behaviourCounts(ctx context.Context, tx *outbox.Tx, rules []ScoringRule, id string) (map[string]int, error) {
	out := map[string]int{}
	if len(rules) == 0 {
		return out, nil
	}
	var rows []struct {
		Event  string `db:"event"`
		Detail string `db:"detail"`
		N      int    `db:"n"`
	}
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT event, detail, count(*) AS n FROM lead_behaviours WHERE lead_id = $1 GROUP BY event, detail", id); err != nil {
		return nil, fmt.Errorf("count lead behaviours: %w", pg.MapError(err))
	}
	for _, r := range rules {
		for _, row := range rows {
			if row.Event == r.Event && (r.ActivityType == "" || row.Detail == r.ActivityType) {
				out[r.ID] += row.N
			}
		}
	}
	return out, nil
}
