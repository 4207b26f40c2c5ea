package predictions

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// modelRow is a row of pred_models.
type modelRow struct {
	Kind        string          `db:"kind"`
	Status      string          `db:"status"`
	Version     string          `db:"version"`
	TrainedAt   time.Time       `db:"trained_at"`
	MetricName  string          `db:"metric_name"`
	MetricValue sql.NullFloat64 `db:"metric_value"`
	TrainSize   int             `db:"train_size"`
	TestSize    int             `db:"test_size"`
	TrainFrom   pq.NullTime     `db:"train_from"`
	TrainTo     pq.NullTime     `db:"train_to"`
	TestFrom    pq.NullTime     `db:"test_from"`
	TestTo      pq.NullTime     `db:"test_to"`
	Reason      string          `db:"reason"`
}

// model returns the row as a Model.
func (r modelRow) model() Model {
	at := r.TrainedAt.UTC()
	m := Model{Kind: r.Kind, Status: r.Status, Version: r.Version, TrainedAt: &at, TrainSize: r.TrainSize,
		TestSize: r.TestSize, Reason: r.Reason}
	if r.MetricValue.Valid {
		m.Metric = &Metric{Name: r.MetricName, Value: r.MetricValue.Float64}
	}
	if r.TrainFrom.Valid && r.TrainTo.Valid {
		m.TrainPeriod = &Period{From: r.TrainFrom.Time.UTC(), To: r.TrainTo.Time.UTC()}
	}
	if r.TestFrom.Valid && r.TestTo.Valid {
		m.HeldOutPeriod = &Period{From: r.TestFrom.Time.UTC(), To: r.TestTo.Time.UTC()}
	}
	return m
}

// periodTimes returns p's bounds, NULL without p.
func periodTimes(p *Period) (from, to any) {
	if p == nil {
		return nil, nil
	}
	return p.From, p.To
}

// saveModel records m, trained on gen, as the tenant's model of its kind,
// and publishes model.trained with it.
func saveModel(ctx context.Context, tx *outbox.Tx, gen rm.Gen, m Model) error {
	var metricName string
	var metricValue any
	if m.Metric != nil {
		metricName, metricValue = m.Metric.Name, m.Metric.Value
	}
	trainFrom, trainTo := periodTimes(m.TrainPeriod)
	testFrom, testTo := periodTimes(m.HeldOutPeriod)
	_, err := tx.SQL().ExecContext(ctx, `INSERT INTO pred_models (tenant_id, kind, gen, status, version, trained_at, metric_name,
			metric_value, train_size, test_size, train_from, train_to, test_from, test_to, reason)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (tenant_id, kind) DO UPDATE SET gen = EXCLUDED.gen, status = EXCLUDED.status, version = EXCLUDED.version,
			trained_at = EXCLUDED.trained_at, metric_name = EXCLUDED.metric_name, metric_value = EXCLUDED.metric_value,
			train_size = EXCLUDED.train_size, test_size = EXCLUDED.test_size, train_from = EXCLUDED.train_from,
			train_to = EXCLUDED.train_to, test_from = EXCLUDED.test_from, test_to = EXCLUDED.test_to, reason = EXCLUDED.reason`,
		m.Kind, gen, m.Status, m.Version, *m.TrainedAt, metricName, metricValue, m.TrainSize, m.TestSize,
		trainFrom, trainTo, testFrom, testTo, m.Reason)
	if err != nil {
		return fmt.Errorf("predictions: save the %s model: %w", m.Kind, pg.MapError(err))
	}
	// model.trained tells integrators a tenant's scores changed (subject: the kind).
	return tx.Emit(ctx, rm.EntityModel, rm.VerbTrained, m.Kind, m, nil)
}

// readModels reads the tenant's models, by kind.
func readModels(ctx context.Context, tx *outbox.Tx) (map[string]Model, error) {
	var rows []modelRow
	if err := tx.SQL().SelectContext(ctx, &rows, `SELECT kind, status, version, trained_at, metric_name, metric_value, train_size,
		test_size, train_from, train_to, test_from, test_to, reason FROM pred_models`); err != nil {
		return nil, fmt.Errorf("predictions: read models: %w", pg.MapError(err))
	}
	out := map[string]Model{}
	for _, r := range rows {
		out[r.Kind] = r.model()
	}
	return out, nil
}

// factorsJSON encodes each list of factors.
func factorsJSON(all [][]Factor) (pq.StringArray, error) {
	out := make(pq.StringArray, len(all))
	for i, f := range all {
		b, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		out[i] = string(b)
	}
	return out, nil
}

// replaceScores replaces the rows of table (pred_opportunities keyed by
// opportunity_id and valued by probability, or pred_accounts by
// account_id and risk) by ids' values and factors, of version at at.
func replaceScores(ctx context.Context, tx *outbox.Tx, table, idCol, valueCol string, ids []string, values []float64,
	factors [][]Factor, version string, at time.Time) error {
	if _, err := tx.SQL().ExecContext(ctx, `DELETE FROM `+table); err != nil {
		return fmt.Errorf("predictions: clear %s: %w", table, pg.MapError(err))
	}
	encoded, err := factorsJSON(factors)
	if err != nil {
		return err
	}
	_, err = tx.SQL().ExecContext(ctx, `INSERT INTO `+table+` (tenant_id, `+idCol+`, `+valueCol+`, factors, version, scored_at)
		SELECT current_setting('app.tenant_id')::uuid, u.id, u.v, u.f::jsonb, $4, $5
		FROM unnest($1::uuid[], $2::float8[], $3::text[]) AS u(id, v, f)`,
		pq.StringArray(ids), pq.Float64Array(values), encoded, version, at)
	if err != nil {
		return fmt.Errorf("predictions: save %s: %w", table, pg.MapError(err))
	}
	return nil
}

// saveWinScores replaces the opportunities' predictions by o's.
func saveWinScores(ctx context.Context, tx *outbox.Tx, o winOutcome) error {
	ids, values, factors := make([]string, len(o.Scores)), make([]float64, len(o.Scores)), make([][]Factor, len(o.Scores))
	for i, s := range o.Scores {
		ids[i], values[i], factors[i] = s.ID, s.Probability, s.Factors
	}
	return replaceScores(ctx, tx, "pred_opportunities", "opportunity_id", "probability", ids, values, factors, o.Model.Version, *o.Model.TrainedAt)
}

// saveChurnScores replaces the accounts' predictions by o's.
func saveChurnScores(ctx context.Context, tx *outbox.Tx, o churnOutcome) error {
	ids, values, factors := make([]string, len(o.Scores)), make([]float64, len(o.Scores)), make([][]Factor, len(o.Scores))
	for i, s := range o.Scores {
		ids[i], values[i], factors[i] = s.ID, s.Risk, s.Factors
	}
	return replaceScores(ctx, tx, "pred_accounts", "account_id", "risk", ids, values, factors, o.Model.Version, *o.Model.TrainedAt)
}

// saveDemand replaces the queues' forecasts by o's.
func saveDemand(ctx context.Context, tx *outbox.Tx, o demandOutcome) error {
	if _, err := tx.SQL().ExecContext(ctx, `DELETE FROM pred_demand`); err != nil {
		return fmt.Errorf("predictions: clear demand: %w", pg.MapError(err))
	}
	for _, f := range o.Forecasts {
		weeks, err := json.Marshal(f.Weeks)
		if err != nil {
			return err
		}
		var mape any
		if f.MAPE != nil {
			mape = *f.MAPE
		}
		if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO pred_demand (tenant_id, queue_id, version, method, season, history_weeks,
				mae, mape, held_out_from, held_out_to, forecast)
			VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			f.Queue, f.ModelVersion, f.Method, f.Season, f.HistoryWeeks, f.MAE, mape, f.HeldOut.From, f.HeldOut.To, string(weeks)); err != nil {
			return fmt.Errorf("predictions: save demand of %s: %w", f.Queue, pg.MapError(err))
		}
	}
	return nil
}

// rankKey is a prediction's place in a list (the value descending, then
// the id): a page's cursor.
type rankKey struct {
	Value float64 `json:"v"`
	ID    string  `json:"id"`
}

// oppRow is a row of pred_opportunities with its opportunity.
type oppRow struct {
	OpportunityPrediction
	RawFactors []byte `db:"factors"`
}

// listOpportunities reads up to n predictions of open opportunities of gen
// in p's scope after after (nil: from the first), or the one id ("": all).
func listOpportunities(ctx context.Context, tx *outbox.Tx, gen rm.Gen, p auth.Principal, id string, after *rankKey, n int) ([]OpportunityPrediction, error) {
	q := pgrecord.Query{Args: []any{gen}}
	q.Add("NOT o.deleted AND o.status = 'open'")
	rm.Scope(&q, p, "o.owner_id", "o.team_id")
	if id != "" {
		q.Add("p.opportunity_id = ?", id)
	}
	if after != nil {
		q.Add("(p.probability < ? OR p.probability = ? AND p.opportunity_id > ?)", after.Value, after.Value, after.ID)
	}
	var rows []oppRow
	if err := tx.SQL().SelectContext(ctx, &rows, `SELECT p.opportunity_id, o.name, o.owner_id, o.team_id, p.probability, p.factors,
		p.version, p.scored_at FROM pred_opportunities p JOIN rm_opportunities o ON o.gen = $1 AND o.id = p.opportunity_id`+
		q.Where()+fmt.Sprintf(" ORDER BY p.probability DESC, p.opportunity_id LIMIT %d", n), q.Args...); err != nil {
		return nil, fmt.Errorf("predictions: list opportunities: %w", pg.MapError(err))
	}
	out := make([]OpportunityPrediction, len(rows))
	for i, r := range rows {
		out[i] = r.OpportunityPrediction
		out[i].ScoredAt = out[i].ScoredAt.UTC()
		if err := json.Unmarshal(r.RawFactors, &out[i].Factors); err != nil {
			return nil, fmt.Errorf("predictions: factors of %s: %w", r.OpportunityID, err)
		}
	}
	return out, nil
}

// inScope reports whether the live record id of table (rm_opportunities
// or rm_accounts, whose rows have owner_id, team_id and deleted) is in
// gen and in p's scope.
func inScope(ctx context.Context, tx *outbox.Tx, gen rm.Gen, p auth.Principal, table, id string) (bool, error) {
	q := pgrecord.Query{Args: []any{gen, id}}
	q.Add("gen = $1 AND id = $2 AND NOT deleted")
	rm.Scope(&q, p, "owner_id", "team_id")
	var n int
	if err := tx.SQL().GetContext(ctx, &n, "SELECT count(*) FROM "+table+q.Where(), q.Args...); err != nil {
		return false, fmt.Errorf("predictions: %s %s in scope: %w", table, id, pg.MapError(err))
	}
	return n > 0, nil
}

// accountRow is a row of pred_accounts with its account.
type accountRow struct {
	AccountPrediction
	RawFactors []byte `db:"factors"`
}

// listAccounts reads up to n predictions of customer accounts in p's
// scope (on the account's owner and team in gen) after after (nil: from
// the first), or the one id ("": all).
func listAccounts(ctx context.Context, tx *outbox.Tx, gen rm.Gen, p auth.Principal, id string, after *rankKey, n int) ([]AccountPrediction, error) {
	q := pgrecord.Query{Args: []any{gen}}
	q.Add("NOT coalesce(a.deleted, false) AND a.merged_into IS NULL")
	rm.Scope(&q, p, "coalesce(a.owner_id, '')", "coalesce(a.team_id, '')")
	if id != "" {
		q.Add("p.account_id = ?", id)
	}
	if after != nil {
		q.Add("(p.risk < ? OR p.risk = ? AND p.account_id > ?)", after.Value, after.Value, after.ID)
	}
	var rows []accountRow
	if err := tx.SQL().SelectContext(ctx, &rows, `SELECT p.account_id, coalesce(a.name, '') AS name, coalesce(a.owner_id, '') AS owner_id,
		coalesce(a.team_id, '') AS team_id, p.risk, p.factors, p.version, p.scored_at
		FROM pred_accounts p LEFT JOIN rm_accounts a ON a.gen = $1 AND a.id = p.account_id`+
		q.Where()+fmt.Sprintf(" ORDER BY p.risk DESC, p.account_id LIMIT %d", n), q.Args...); err != nil {
		return nil, fmt.Errorf("predictions: list accounts: %w", pg.MapError(err))
	}
	out := make([]AccountPrediction, len(rows))
	for i, r := range rows {
		out[i] = r.AccountPrediction
		out[i].ScoredAt = out[i].ScoredAt.UTC()
		if err := json.Unmarshal(r.RawFactors, &out[i].Factors); err != nil {
			return nil, fmt.Errorf("predictions: factors of %s: %w", r.AccountID, err)
		}
	}
	return out, nil
}

// demandRow is a row of pred_demand.
type demandRow struct {
	Queue        string          `db:"queue_id"`
	Version      string          `db:"version"`
	Method       string          `db:"method"`
	Season       int             `db:"season"`
	HistoryWeeks int             `db:"history_weeks"`
	MAE          float64         `db:"mae"`
	MAPE         sql.NullFloat64 `db:"mape"`
	From         time.Time       `db:"held_out_from"`
	To           time.Time       `db:"held_out_to"`
	Forecast     []byte          `db:"forecast"`
}

// readDemand reads the forecasts of every queue, or of queue ("": all).
func readDemand(ctx context.Context, tx *outbox.Tx, queue string) ([]QueueForecast, error) {
	q := pgrecord.Query{}
	if queue != "" {
		q.Add("queue_id = ?", queue)
	}
	var rows []demandRow
	if err := tx.SQL().SelectContext(ctx, &rows, `SELECT queue_id, version, method, season, history_weeks, mae, mape,
		held_out_from, held_out_to, forecast FROM pred_demand`+q.Where()+` ORDER BY queue_id`, q.Args...); err != nil {
		return nil, fmt.Errorf("predictions: read demand: %w", pg.MapError(err))
	}
	out := make([]QueueForecast, len(rows))
	for i, r := range rows {
		f := QueueForecast{Queue: r.Queue, ModelVersion: r.Version, Method: r.Method, Season: r.Season, HistoryWeeks: r.HistoryWeeks,
			MAE: r.MAE, HeldOut: Period{From: r.From.UTC(), To: r.To.UTC()}}
		if r.MAPE.Valid {
			f.MAPE = &r.MAPE.Float64
		}
		if err := json.Unmarshal(r.Forecast, &f.Weeks); err != nil {
			return nil, fmt.Errorf("predictions: forecast of %s: %w", r.Queue, err)
		}
		out[i] = f
	}
	return out, nil
}

// queueExists reports whether gen has a live case in queue.
func queueExists(ctx context.Context, tx *outbox.Tx, gen rm.Gen, queue string) (bool, error) {
	var ok bool
	err := tx.SQL().GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM rm_cases WHERE gen = $1 AND queue_id = $2 AND NOT deleted)`, gen, queue)
	if err != nil {
		return false, fmt.Errorf("predictions: find queue: %w", pg.MapError(err))
	}
	return ok, nil
}

// tryLock takes the tenant's training lock for the transaction, waiting
// for it when wait, else reporting false when another holds it.
func tryLock(ctx context.Context, tx *outbox.Tx, wait bool) (bool, error) {
	const key = "hashtextextended('reporting.predictions:' || current_setting('app.tenant_id'), 0)"
	if wait {
		_, err := tx.SQL().ExecContext(ctx, `SELECT pg_advisory_xact_lock(`+key+`)`)
		return err == nil, pg.MapError(err)
	}
	var ok bool
	err := tx.SQL().GetContext(ctx, &ok, `SELECT pg_try_advisory_xact_lock(`+key+`)`)
	return ok, pg.MapError(err)
}

// trainedBefore reports whether the tenant has a model of a kind never
// trained or trained before t.
func trainedBefore(ctx context.Context, tx *outbox.Tx, t time.Time) (bool, error) {
	var due bool
	err := tx.SQL().GetContext(ctx, &due, `SELECT count(*) < $1 OR min(trained_at) < $2 FROM pred_models`, len(Kinds), t)
	if err != nil {
		return false, fmt.Errorf("predictions: models' age: %w", pg.MapError(err))
	}
	return due, nil
}

// tenants lists the tenants whose events the read models hold.
func tenants(ctx context.Context, db *outbox.DB) ([]string, error) {
	var out []string
	if err := db.Pool().SelectContext(ctx, &out, `SELECT t::text FROM rm_tenants() t ORDER BY 1`); err != nil {
		return nil, fmt.Errorf("predictions: tenants: %w", pg.MapError(err))
	}
	return out, nil
}
