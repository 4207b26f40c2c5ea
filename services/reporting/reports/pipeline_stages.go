package reports

import (
	"context"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/filter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// stagesFilter is what the pipeline-stages report's filter may name: the
// row's pipeline and stage (s) and the fields of the opportunities
// counted in it (o).
var stagesFilter = filter.Schema{Fields: append([]filter.Field{
	{Name: "pipelineId", Column: "s.pipeline_id", Type: filter.UUID},
	{Name: "stageId", Column: "s.stage_id", Type: filter.UUID},
}, slices.DeleteFunc(slices.Clone(opportunityFields), func(f filter.Field) bool { return f.Name == "pipelineId" })...)}

// stagesColumns are the pipeline-stages report's columns.
var stagesColumns = []Column{
	{Name: "group", Label: "Pipeline", LabelZh: "销售流程", Type: TypeString},
	{Name: "pipelineName", Label: "Pipeline name", LabelZh: "销售流程名称", Type: TypeString},
	{Name: "stage", Label: "Stage", LabelZh: "阶段", Type: TypeString},
	{Name: "stageName", Label: "Stage name", LabelZh: "阶段名称", Type: TypeString},
	{Name: "position", Label: "Position", LabelZh: "顺序", Type: TypeInteger},
	{Name: "open", Label: "Open", LabelZh: "未结商机", Type: TypeInteger},
	{Name: "openAmount", Label: "Open amount", LabelZh: "未结金额", Type: TypeMoney},
	{Name: "weightedAmount", Label: "Weighted amount", LabelZh: "加权金额", Type: TypeMoney},
	{Name: "age0to30", Label: "Age 0-30 days", LabelZh: "0-30天", Type: TypeInteger},
	{Name: "age31to60", Label: "Age 31-60 days", LabelZh: "31-60天", Type: TypeInteger},
	{Name: "age61to90", Label: "Age 61-90 days", LabelZh: "61-90天", Type: TypeInteger},
	{Name: "age90plus", Label: "Age over 90 days", LabelZh: "90天以上", Type: TypeInteger},
	{Name: "entered", Label: "Entered", LabelZh: "进入", Type: TypeInteger},
	{Name: "advanced", Label: "Advanced", LabelZh: "推进", Type: TypeInteger},
	{Name: "conversion", Label: "Conversion", LabelZh: "转化率", Type: TypePercent},
	{Name: "timeInStageMedian", Label: "Time in stage (median, s)", LabelZh: "停留时间中位数（秒）", Type: TypeDuration},
	{Name: "timeInStageP90", Label: "Time in stage (p90, s)", LabelZh: "停留时间P90（秒）", Type: TypeDuration},
}

// stagesReport is the pipeline-stages report (no periods; a row per stage
// of every pipeline, grouped by pipeline): the caller's open
// opportunities now in the stage (created before to) with their amounts
// and ages, the moves into it and out of it in [from, to), its conversion
// and the time opportunities spent in it before moving out.
func stagesReport() Definition {
	return Definition{Name: "pipeline-stages", Contexts: []string{rm.Sales}, GroupBys: []string{"pipeline"},
		DefaultGroupBy: "pipeline", Columns: stagesColumns, Filter: stagesFilter, Extra: AmountExtra(nil),
		Run: runStages, Records: stagesRecords}
}

// stagesFacts is the FROM … WHERE of the pipeline-stages report: every
// stage (s) joined to the facts (o) of the caller's opportunities (not
// deleted, in the filter) behind its figures: a row per open opportunity
// now in it (k open; days its age at to), per move into it in the period
// (k in) and per move out of it in the period (k out; secs the time since
// the opportunity entered the stage — its latest earlier move into it,
// else its creation — and t the stage it moved to, of the same pipeline),
// each fact carrying the opportunity's columns cols (the scope's and the
// filter's among them).
func stagesFacts(q *reportSQL, cols string) (string, error) {
	scope := q.scope("o.owner_id", "o.team_id")
	where, err := q.filter(stagesFilter)
	if err != nil {
		return "", err
	}
	moves := ` FROM rm_stage_moves m JOIN rm_opportunities o ON o.gen = m.gen AND o.id = m.opportunity_id AND NOT o.deleted
		WHERE m.gen = ` + q.gen() + ` AND ` + q.inRange("m.at")
	return ` FROM rm_stages s
		LEFT JOIN (
			SELECT 'open' AS k, o.stage_id AS key_stage, o.pipeline_id AS key_pipeline, ` + cols + `,
				floor(extract(epoch FROM ` + q.to() + ` - o.created_at) / 86400)::bigint AS days, NULL::bigint AS secs,
				NULL::uuid AS to_stage
			FROM rm_opportunities o
			WHERE o.gen = ` + q.gen() + ` AND o.status = 'open' AND NOT o.deleted AND o.created_at < ` + q.to() + `
			UNION ALL
			SELECT 'in', m.to_stage_id, NULL, ` + cols + `, NULL, NULL, NULL` + moves + `
			UNION ALL
			SELECT 'out', m.stage, NULL, ` + cols + `, NULL, ` + secondsBetween("coalesce(m.entered, o.created_at)", "m.at") + `, m.to_stage_id
			FROM (` + stagesEntered(q) + `) m
			JOIN rm_opportunities o ON o.gen = ` + q.gen() + ` AND o.id = m.opportunity_id AND NOT o.deleted
			WHERE m.dir = 'out' AND ` + q.inRange("m.at") + `
		) o ON o.key_stage = s.stage_id AND (o.key_pipeline IS NULL OR o.key_pipeline = s.pipeline_id)
			AND ` + scope + ` AND ` + where + `
		LEFT JOIN rm_stages t ON t.gen = s.gen AND t.pipeline_id = s.pipeline_id AND t.stage_id = o.to_stage
		WHERE s.gen = ` + q.gen(), nil
}

// stagesEntered is a query of the moves into (dir in) and out of (dir
// out) a stage (stage), one pass over the moves: with an out, entered is
// the opportunity's latest move into the stage before it (null if none).
func stagesEntered(q *reportSQL) string {
	return `SELECT mm.*, max(mm.at) FILTER (WHERE mm.dir = 'in') OVER (PARTITION BY mm.opportunity_id, mm.stage ORDER BY mm.at
			RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE GROUP) AS entered
		FROM (SELECT opportunity_id, to_stage_id AS stage, 'in' AS dir, at, NULL::uuid AS to_stage_id
				FROM rm_stage_moves WHERE gen = ` + q.gen() + `
			UNION ALL
			SELECT opportunity_id, from_stage_id, 'out', at, to_stage_id
				FROM rm_stage_moves WHERE gen = ` + q.gen() + ` AND from_stage_id IS NOT NULL) mm`
}

// stagesRow is a row of the pipeline-stages report as SQL computes it.
type stagesRow struct {
	Pipeline     string `db:"grp"`
	PipelineName string `db:"pipeline_name"`
	Stage        string `db:"stage"`
	Name         string `db:"name"`
	Position     int64  `db:"position"`
	Open         int64  `db:"open"`
	OpenAmount   int64  `db:"open_amount"`
	Weighted     int64  `db:"weighted"`
	Age30        int64  `db:"age30"`
	Age60        int64  `db:"age60"`
	Age90        int64  `db:"age90"`
	AgeOver      int64  `db:"age_over"`
	Entered      int64  `db:"entered"`
	Advanced     int64  `db:"advanced"`
	Median       *int64 `db:"median"`
	P90          *int64 `db:"p90"`
}

// stagesMeasures are the facts behind each measure of the report, and
// whether only opportunities in the report currency count.
var stagesMeasures = map[string]struct {
	cond     string
	currency bool
}{
	"open": {"o.k = 'open'", false}, "openAmount": {"o.k = 'open'", true}, "weightedAmount": {"o.k = 'open'", true},
	"age0to30": {"o.k = 'open' AND o.days <= 30", false}, "age31to60": {"o.k = 'open' AND o.days BETWEEN 31 AND 60", false},
	"age61to90": {"o.k = 'open' AND o.days BETWEEN 61 AND 90", false}, "age90plus": {"o.k = 'open' AND o.days > 90", false},
	"entered": {"o.k = 'in'", false}, "conversion": {"o.k = 'in'", false},
	"advanced":          {"o.k = 'out' AND (t.position > s.position OR t.kind = 'won')", false},
	"timeInStageMedian": {"o.k = 'out'", false}, "timeInStageP90": {"o.k = 'out'", false},
}

// stagesColumnsUsed are the opportunity's columns the report's figures,
// the scope and the filter (opportunityFields) read.
const stagesColumnsUsed = `o.id, o.owner_id, o.team_id, o.pipeline_id, o.account_id, o.forecast_category, o.currency,
	o.probability, o.close_date, o.created_at, o.amount_minor`

// runStages computes the pipeline-stages report.
func runStages(ctx context.Context, tx *sqlx.Tx, p Params) (Table, error) {
	q := newReportSQL(p)
	from, err := stagesFacts(q, stagesColumnsUsed)
	if err != nil {
		return Table{}, err
	}
	count := func(measure string) string { return "count(*) FILTER (WHERE " + stagesMeasures[measure].cond + ")" }
	open := "o.k = 'open' AND o.currency = " + q.cur()
	sql := `SELECT s.pipeline_id::text AS grp, s.pipeline AS pipeline_name, s.stage_id::text AS stage, s.name, s.position,
		` + count("open") + ` AS open,
		coalesce(sum(o.amount_minor) FILTER (WHERE ` + open + `), 0)::bigint AS open_amount,
		coalesce(sum(o.amount_minor::numeric * o.probability) FILTER (WHERE ` + open + `), 0)::bigint AS weighted,
		` + count("age0to30") + ` AS age30, ` + count("age31to60") + ` AS age60,
		` + count("age61to90") + ` AS age90, ` + count("age90plus") + ` AS age_over,
		` + count("entered") + ` AS entered, ` + count("advanced") + ` AS advanced,
		percentile_disc(0.5) WITHIN GROUP (ORDER BY o.secs) FILTER (WHERE o.k = 'out') AS median,
		percentile_disc(0.9) WITHIN GROUP (ORDER BY o.secs) FILTER (WHERE o.k = 'out') AS p90` + from + `
		GROUP BY s.pipeline_id, s.stage_id, s.pipeline, s.name, s.position
		ORDER BY s.pipeline_id::text COLLATE "C", s.position, s.stage_id::text COLLATE "C"`
	var rows []stagesRow
	if err := tx.SelectContext(ctx, &rows, sql, q.Args...); err != nil {
		return Table{}, fmt.Errorf("reports: pipeline-stages: %w", err)
	}
	c := p.Currency
	out := make([][]any, 0, len(rows))
	for _, r := range rows {
		out = append(out, []any{r.Pipeline, r.PipelineName, r.Stage, r.Name, r.Position, r.Open, c.Money(r.OpenAmount),
			c.MoneyQuo(r.Weighted, 100), r.Age30, r.Age60, r.Age90, r.AgeOver, r.Entered, r.Advanced,
			Percent(r.Advanced, r.Entered), nullable(r.Median), nullable(r.P90)})
	}
	return Table{Columns: stagesColumns, Rows: out}, nil
}

// stagesRecords lists the opportunities a pipeline-stages cell counted:
// the group is the pipeline; a filter on stageId narrows them to a
// stage's row. The time in stage's carry their seconds (timeInStageSeconds).
func stagesRecords(ctx context.Context, tx *sqlx.Tx, p Params, cell Cell, limit int) ([]Record, error) {
	m, ok := stagesMeasures[cell.Measure]
	if !ok {
		return nil, errMeasure("pipeline-stages", cell.Measure)
	}
	q := newReportSQL(p)
	from, err := stagesFacts(q, "o.*")
	if err != nil {
		return nil, err
	}
	cond := m.cond
	if m.currency {
		cond += " AND o.currency = " + q.cur()
	}
	sql := `SELECT ` + oppRecordColumns("o") + `, o.secs AS extra` + from + ` AND ` + cond + `
		AND s.pipeline_id::text = ` + q.bind(cell.Group) + ` ORDER BY o.id, o.secs LIMIT ` + q.bind(limit)
	return selectOppRecords(ctx, tx, "pipeline-stages", sql, q, "timeInStageSeconds", false)
}
