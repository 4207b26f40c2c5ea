package reports

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/filter"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// forecast is forecast vs actual: per month or quarter and owner (or
// team), in the report currency, commit and best case (a manager's
// override of the period if any, else the open opportunities closing in
// it forecast as commit — or as best case or commit — and the won ones
// closing in it), pipeline (every open one closing in it), actual (the
// won ones closed in it) and attainment (actual / commit). Limited to the
// caller's record scope on the opportunities and on the overrides'
// owners and teams.
func forecast() Definition {
	return Definition{
		Name: "forecast", Contexts: []string{rm.Sales}, Periodic: true, Intervals: []string{Month, Quarter},
		GroupBys: []string{"owner", "team"}, DefaultGroupBy: "owner",
		Filter: forecastFilter, Extra: AmountExtra(nil),
		Columns: []Column{
			{Name: "period", Label: "Period", LabelZh: "期间", Type: TypePeriod},
			{Name: "group", Label: "Group", LabelZh: "分组", Type: TypeString},
			{Name: "commit", Label: "Commit", LabelZh: "承诺", Type: TypeMoney},
			{Name: "bestCase", Label: "Best case", LabelZh: "最佳情况", Type: TypeMoney},
			{Name: "pipeline", Label: "Pipeline", LabelZh: "管道", Type: TypeMoney},
			{Name: "actual", Label: "Actual", LabelZh: "实际", Type: TypeMoney},
			{Name: "attainment", Label: "Attainment", LabelZh: "达成率", Type: TypePercent},
		},
		Run:     runForecast,
		Records: forecastRecords,
	}
}

// forecastFilter is what a filter of the forecast may name (the
// opportunities' fields; overrides are not filtered).
var forecastFilter = filter.Schema{Fields: []filter.Field{
	{Name: "ownerId", Column: "o.owner_id", Type: filter.String},
	{Name: "teamId", Column: "o.team_id", Type: filter.String},
	{Name: "pipelineId", Column: "o.pipeline_id", Type: filter.UUID},
	{Name: "stageId", Column: "o.stage_id", Type: filter.UUID},
	{Name: "accountId", Column: "o.account_id", Type: filter.UUID},
	{Name: "forecastCategory", Column: "o.forecast_category", Type: filter.Enum,
		Values: []string{"pipeline", "bestCase", "commit", "closed", "omitted"}},
	{Name: "probability", Column: "o.probability", Type: filter.Number},
}}

// forecastGroups are the SQL of the forecast's groups over
// rm_opportunities o.
var forecastGroups = map[string]string{"owner": "o.owner_id", "team": "o.team_id"}

// The forecast's measures over rm_opportunities o, by the time they are
// in a period by (close_date or closed_at).
const (
	closeDate        = "(o.close_date::timestamp AT TIME ZONE 'UTC')"
	forecastCommit   = "((o.status = 'open' AND o.forecast_category = 'commit') OR o.status = 'won')"
	forecastBestCase = "((o.status = 'open' AND o.forecast_category IN ('commit', 'bestCase')) OR o.status = 'won')"
	forecastPipeline = "o.status = 'open'"
	forecastActual   = "o.status = 'won'"
)

// forecastWhere returns the conditions of the opportunities of p counted
// by the time col: the generation, non-deleted, in the report currency,
// col in [p.From, p.To), the caller's scope, the filter.
func forecastWhere(p Params, col string) (pgrecord.Query, error) {
	var q pgrecord.Query
	q.Add("o.gen = ?", p.Gen)
	q.Add("NOT o.deleted")
	q.Add("o.currency = ?", p.Currency.Code)
	q.Add(col+" >= ?", p.From)
	q.Add(col+" < ?", p.To)
	rm.Scope(&q, p.Principal, "o.owner_id", "o.team_id")
	return q, p.AddFilter(&q, forecastFilter)
}

// forecastKey is a row of the forecast: its period and group.
type forecastKey struct {
	Period time.Time `db:"period"`
	Group  string    `db:"grp"`
}

// forecastFigures are a row's amounts in minor units.
type forecastFigures struct {
	forecastKey
	Commit   int64 `db:"commit"`
	BestCase int64 `db:"best_case"`
	Pipeline int64 `db:"pipeline"`
	Actual   int64 `db:"actual"`
}

// runForecast computes the forecast.
func runForecast(ctx context.Context, tx *sqlx.Tx, p Params) (Table, error) {
	rows := map[forecastKey]*forecastFigures{}
	row := func(k forecastKey) *forecastFigures {
		k.Period = k.Period.UTC()
		if rows[k] == nil {
			rows[k] = &forecastFigures{forecastKey: k}
		}
		return rows[k]
	}
	group := forecastGroups[p.GroupBy]
	q, err := forecastWhere(p, closeDate)
	if err != nil {
		return Table{}, err
	}
	var closing []forecastFigures
	err = tx.SelectContext(ctx, &closing, `SELECT `+p.BucketSQL(closeDate)+` AS period, `+group+` AS grp,
		coalesce(sum(o.amount_minor) FILTER (WHERE `+forecastCommit+`), 0) AS commit,
		coalesce(sum(o.amount_minor) FILTER (WHERE `+forecastBestCase+`), 0) AS best_case,
		coalesce(sum(o.amount_minor) FILTER (WHERE `+forecastPipeline+`), 0) AS pipeline, 0 AS actual
		FROM rm_opportunities o`+q.Where()+` AND o.status IN ('open', 'won') GROUP BY 1, 2`, q.Args...)
	if err != nil {
		return Table{}, fmt.Errorf("reports: forecast: %w", err)
	}
	for _, c := range closing {
		r := row(c.forecastKey)
		r.Commit, r.BestCase, r.Pipeline = c.Commit, c.BestCase, c.Pipeline
	}
	if q, err = forecastWhere(p, "o.closed_at"); err != nil {
		return Table{}, err
	}
	var won []forecastFigures
	err = tx.SelectContext(ctx, &won, `SELECT `+p.BucketSQL("o.closed_at")+` AS period, `+group+` AS grp,
		0 AS commit, 0 AS best_case, 0 AS pipeline, sum(o.amount_minor) AS actual
		FROM rm_opportunities o`+q.Where()+` AND `+forecastActual+` GROUP BY 1, 2`, q.Args...)
	if err != nil {
		return Table{}, fmt.Errorf("reports: forecast actual: %w", err)
	}
	for _, w := range won {
		row(w.forecastKey).Actual = w.Actual
	}
	overrides, err := forecastOverrides(ctx, tx, p)
	if err != nil {
		return Table{}, err
	}
	for _, o := range overrides {
		r := row(o.forecastKey)
		if o.Category == "commit" {
			r.Commit = o.Minor
		} else {
			r.BestCase = o.Minor
		}
	}
	t := Table{Columns: forecast().Columns}
	for _, k := range sortedForecastKeys(rows) {
		r, c := rows[k], p.Currency
		t.Rows = append(t.Rows, []any{k.Period, k.Group, c.Money(r.Commit), c.Money(r.BestCase), c.Money(r.Pipeline),
			c.Money(r.Actual), Percent(r.Actual, r.Commit)})
	}
	return t, nil
}

// override is a manager's override of a row's commit or best case.
type override struct {
	forecastKey
	Category string
	Minor    int64
}

// forecastOverrides returns the overrides of p's rows: in the report
// currency, of a period of p's interval that overlaps [p.From, p.To), of
// an owner (groupBy owner) or a team (groupBy team: a team's own, with no
// owner), in the caller's scope.
func forecastOverrides(ctx context.Context, tx *sqlx.Tx, p Params) ([]override, error) {
	var stored []struct {
		Owner    string `db:"owner_id"`
		Team     string `db:"team_id"`
		Period   string `db:"period"`
		Category string `db:"category"`
		Minor    int64  `db:"amount_minor"`
	}
	err := tx.SelectContext(ctx, &stored, `SELECT owner_id, team_id, period, category, amount_minor FROM rm_forecasts
		WHERE gen = $1 AND currency = $2 AND category IN ('commit', 'bestCase')`, p.Gen, p.Currency.Code)
	if err != nil {
		return nil, fmt.Errorf("reports: forecast overrides: %w", err)
	}
	var out []override
	for _, s := range stored {
		start, ok := overridePeriod(s.Period, p.Interval)
		if !ok || !start.Before(p.To) || !Next(start, p.Interval).After(p.From) || !rm.InScope(p.Principal, s.Owner, s.Team) {
			continue
		}
		key := forecastKey{Period: start, Group: s.Owner}
		switch {
		case p.GroupBy == "team" && s.Owner == "" && s.Team != "":
			key.Group = s.Team
		case p.GroupBy == "team" || s.Owner == "":
			continue
		}
		out = append(out, override{forecastKey: key, Category: s.Category, Minor: s.Minor})
	}
	return out, nil
}

// overridePeriod returns the start of an override's period ("2026-03" or
// "2026-Q1") when it is a period of interval.
func overridePeriod(period, interval string) (time.Time, bool) {
	if len(period) != 7 {
		return time.Time{}, false
	}
	year, err := strconv.Atoi(period[:4])
	if err != nil {
		return time.Time{}, false
	}
	if period[5] == 'Q' {
		q, err := strconv.Atoi(period[6:])
		if err != nil || q < 1 || q > 4 || interval != Quarter {
			return time.Time{}, false
		}
		return time.Date(year, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC), true
	}
	m, err := strconv.Atoi(period[5:])
	if err != nil || m < 1 || m > 12 || interval != Month {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(m), 1, 0, 0, 0, 0, time.UTC), true
}

// sortedForecastKeys returns rows' keys by period, then group.
func sortedForecastKeys(rows map[forecastKey]*forecastFigures) []forecastKey {
	keys := make([]forecastKey, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b forecastKey) int {
		if c := a.Period.Compare(b.Period); c != 0 {
			return c
		}
		return strings.Compare(a.Group, b.Group)
	})
	return keys
}

// forecastMeasures are, per measure, the time it counts opportunities by
// and their condition; attainment drills to actual's.
var forecastMeasures = map[string][2]string{
	"commit": {closeDate, forecastCommit}, "bestCase": {closeDate, forecastBestCase},
	"pipeline": {closeDate, forecastPipeline}, "actual": {"o.closed_at", forecastActual},
	"attainment": {"o.closed_at", forecastActual},
}

// forecastRecords lists the opportunities behind a figure of the
// forecast (an overridden commit or best case lists those it replaced).
func forecastRecords(ctx context.Context, tx *sqlx.Tx, p Params, cell Cell, limit int) ([]Record, error) {
	m := forecastMeasures[cell.Measure]
	q, err := forecastWhere(p, m[0])
	if err != nil {
		return nil, err
	}
	q.Add(m[1])
	q.Add(p.BucketSQL(m[0])+" = ?", cell.Period)
	q.Add(forecastGroups[p.GroupBy]+" = ?", cell.Group)
	var rows []struct {
		ID       string  `db:"id"`
		Name     string  `db:"name"`
		Status   string  `db:"status"`
		Category string  `db:"forecast_category"`
		Minor    int64   `db:"amount_minor"`
		Close    *string `db:"close_date"`
	}
	err = tx.SelectContext(ctx, &rows, `SELECT o.id, o.name, o.status, o.forecast_category, o.amount_minor, o.close_date::text AS close_date
		FROM rm_opportunities o`+q.Where()+fmt.Sprintf(` ORDER BY o.close_date, o.id LIMIT %d`, limit), q.Args...)
	if err != nil {
		return nil, fmt.Errorf("reports: forecast records: %w", err)
	}
	out := make([]Record, len(rows))
	for i, r := range rows {
		fields := map[string]any{"status": r.Status, "forecastCategory": r.Category, "amount": p.Currency.Money(r.Minor),
			"currency": p.Currency.Code}
		if r.Close != nil {
			fields["closeDate"] = *r.Close
		}
		out[i] = Record{Kind: "opportunity", ID: r.ID, Name: r.Name, Fields: fields}
	}
	return out, nil
}
