package reports

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/filter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// pipelineGroups are the pipeline report's groupings and their columns.
var pipelineGroups = map[string]string{"owner": "o.owner_id", "team": "o.team_id", "pipeline": "coalesce(o.pipeline_id::text, '')"}

// pipelineFilter is what the pipeline report's filter may name: the
// opportunity's fields, its stage and status.
var pipelineFilter = filter.Schema{Fields: append(slices.Clone(opportunityFields),
	filter.Field{Name: "stageId", Column: "o.stage_id", Type: filter.UUID},
	filter.Field{Name: "status", Column: "o.status", Type: filter.Enum, Values: []string{"open", "won", "lost"}})}

// pipelineColumns are the pipeline report's columns.
var pipelineColumns = []Column{
	{Name: "period", Label: "Period", LabelZh: "期间", Type: TypePeriod},
	{Name: "group", Label: "Group", LabelZh: "分组", Type: TypeString},
	{Name: "created", Label: "Created", LabelZh: "新建商机", Type: TypeInteger},
	{Name: "createdAmount", Label: "Created amount", LabelZh: "新建金额", Type: TypeMoney},
	{Name: "won", Label: "Won", LabelZh: "赢单", Type: TypeInteger},
	{Name: "wonAmount", Label: "Won amount", LabelZh: "赢单金额", Type: TypeMoney},
	{Name: "lost", Label: "Lost", LabelZh: "输单", Type: TypeInteger},
	{Name: "lostAmount", Label: "Lost amount", LabelZh: "输单金额", Type: TypeMoney},
	{Name: "winRate", Label: "Win rate", LabelZh: "赢单率", Type: TypePercent},
	{Name: "avgDealSize", Label: "Average deal size", LabelZh: "平均成交金额", Type: TypeMoney},
	{Name: "cycleMedian", Label: "Sales cycle (median, s)", LabelZh: "销售周期中位数（秒）", Type: TypeDuration},
	{Name: "cycleP90", Label: "Sales cycle (p90, s)", LabelZh: "销售周期P90（秒）", Type: TypeDuration},
	{Name: "openAmount", Label: "Open amount", LabelZh: "未结金额", Type: TypeMoney},
	{Name: "weightedAmount", Label: "Weighted amount", LabelZh: "加权金额", Type: TypeMoney},
}

// pipelineReport is the pipeline report (periodic; groupBy owner, team or
// pipeline; the caller's opportunities, not deleted): per period,
// opportunities created, won and lost in it with their amounts, the win
// rate, the average won deal, the sales cycle of those won, and the open
// and weighted amounts of those created in it still open.
func pipelineReport() Definition {
	return Definition{Name: "pipeline", Contexts: []string{rm.Sales}, GroupBys: []string{"owner", "team", "pipeline"},
		Periodic: true, Columns: pipelineColumns, Filter: pipelineFilter, Extra: AmountExtra(nil),
		Run: runPipeline, Records: pipelineRecords}
}

// pipelineFacts is the FROM of the pipeline report: a row (o, its
// opportunity's columns cols and group grp) per opportunity created in the
// period (k created) and per opportunity won or lost in it (k its status),
// with its period and, won or lost, its cycle in seconds (secs) — each
// kind one range scan of its own time.
func pipelineFacts(q *reportSQL, cols string) (string, error) {
	scope := q.scope("o.owner_id", "o.team_id")
	where, err := q.filter(pipelineFilter)
	if err != nil {
		return "", err
	}
	group := reportGroup(q.p.GroupBy, pipelineGroups)
	mine := `o.gen = ` + q.gen() + ` AND NOT o.deleted AND ` + scope + ` AND ` + where
	return ` FROM (
		SELECT ` + cols + `, ` + group + ` AS grp, 'created' AS k, ` + q.period("o.created_at") + ` AS period, NULL::bigint AS secs
		FROM rm_opportunities o WHERE ` + mine + ` AND ` + q.inRange("o.created_at") + `
		UNION ALL
		SELECT ` + cols + `, ` + group + `, o.status, ` + q.period("o.closed_at") + `, ` + secondsBetween("o.created_at", "o.closed_at") + `
		FROM rm_opportunities o WHERE ` + mine + ` AND o.status IN ('won', 'lost') AND ` + q.inRange("o.closed_at") + `) o`, nil
}

// pipelineRow is a row of the pipeline report as SQL computes it.
type pipelineRow struct {
	Period        string `db:"period"`
	Group         string `db:"grp"`
	Created       int64  `db:"created"`
	CreatedAmount int64  `db:"created_amount"`
	Won           int64  `db:"won"`
	WonAmount     int64  `db:"won_amount"`
	WonInCurrency int64  `db:"won_in_currency"`
	Lost          int64  `db:"lost"`
	LostAmount    int64  `db:"lost_amount"`
	CycleMedian   *int64 `db:"cycle_median"`
	CycleP90      *int64 `db:"cycle_p90"`
	OpenAmount    int64  `db:"open_amount"`
	Weighted      int64  `db:"weighted"`
}

// runPipeline computes the pipeline report.
func runPipeline(ctx context.Context, tx *sqlx.Tx, p Params) (Table, error) {
	q := newReportSQL(p)
	from, err := pipelineFacts(q, "o.status, o.currency, o.amount_minor, o.probability")
	if err != nil {
		return Table{}, err
	}
	inCur := "o.currency = " + q.cur()
	created, won, lost := "o.k = 'created'", "o.k = 'won'", "o.k = 'lost'"
	open := created + " AND o.status = 'open' AND " + inCur
	sql := `SELECT o.period, o.grp,
		count(*) FILTER (WHERE ` + created + `) AS created,
		coalesce(sum(o.amount_minor) FILTER (WHERE ` + created + ` AND ` + inCur + `), 0)::bigint AS created_amount,
		count(*) FILTER (WHERE ` + won + `) AS won,
		coalesce(sum(o.amount_minor) FILTER (WHERE ` + won + ` AND ` + inCur + `), 0)::bigint AS won_amount,
		count(*) FILTER (WHERE ` + won + ` AND ` + inCur + `) AS won_in_currency,
		count(*) FILTER (WHERE ` + lost + `) AS lost,
		coalesce(sum(o.amount_minor) FILTER (WHERE ` + lost + ` AND ` + inCur + `), 0)::bigint AS lost_amount,
		percentile_disc(0.5) WITHIN GROUP (ORDER BY o.secs) FILTER (WHERE ` + won + `) AS cycle_median,
		percentile_disc(0.9) WITHIN GROUP (ORDER BY o.secs) FILTER (WHERE ` + won + `) AS cycle_p90,
		coalesce(sum(o.amount_minor) FILTER (WHERE ` + open + `), 0)::bigint AS open_amount,
		coalesce(sum(o.amount_minor::numeric * o.probability) FILTER (WHERE ` + open + `), 0)::bigint AS weighted` + from + `
		GROUP BY o.period, o.grp ORDER BY o.period, o.grp COLLATE "C"`
	var rows []pipelineRow
	if err := tx.SelectContext(ctx, &rows, sql, q.Args...); err != nil {
		return Table{}, fmt.Errorf("reports: pipeline: %w", err)
	}
	c := p.Currency
	out := make([][]any, 0, len(rows))
	for _, r := range rows {
		out = append(out, []any{r.Period, r.Group, r.Created, c.Money(r.CreatedAmount), r.Won, c.Money(r.WonAmount),
			r.Lost, c.Money(r.LostAmount), Percent(r.Won, r.Won+r.Lost), c.MoneyQuo(r.WonAmount, r.WonInCurrency),
			nullable(r.CycleMedian), nullable(r.CycleP90), c.Money(r.OpenAmount), c.MoneyQuo(r.Weighted, 100)})
	}
	return Table{Columns: pipelineColumns, Rows: out}, nil
}

// pipelineMeasures are, for each measure of the pipeline report, the
// opportunities of its facts behind it and whether only those in the
// report currency count.
var pipelineMeasures = map[string]struct {
	cond     string
	currency bool
}{
	"created": {"o.k = 'created'", false}, "createdAmount": {"o.k = 'created'", true},
	"won": {"o.k = 'won'", false}, "wonAmount": {"o.k = 'won'", true}, "avgDealSize": {"o.k = 'won'", true},
	"cycleMedian": {"o.k = 'won'", false}, "cycleP90": {"o.k = 'won'", false},
	"lost": {"o.k = 'lost'", false}, "lostAmount": {"o.k = 'lost'", true},
	"winRate":    {"o.k IN ('won', 'lost')", false},
	"openAmount": {"o.k = 'created' AND o.status = 'open'", true}, "weightedAmount": {"o.k = 'created' AND o.status = 'open'", true},
}

// pipelineRecords lists the opportunities a pipeline cell counted; a
// cycle's carry their cycle in seconds (field cycleSeconds).
func pipelineRecords(ctx context.Context, tx *sqlx.Tx, p Params, cell Cell, limit int) ([]Record, error) {
	m, ok := pipelineMeasures[cell.Measure]
	if !ok {
		return nil, errMeasure("pipeline", cell.Measure)
	}
	q := newReportSQL(p)
	from, err := pipelineFacts(q, "o.*")
	if err != nil {
		return nil, err
	}
	cond := m.cond
	if m.currency {
		cond += " AND o.currency = " + q.cur()
	}
	sql := `SELECT ` + oppRecordColumns("o") + `, o.secs AS extra` + from + `
		WHERE ` + cond + ` AND o.period = ` + q.bind(cell.Period.UTC().Format(time.DateOnly)) + ` AND o.grp = ` + q.bind(cell.Group) + `
		ORDER BY o.id LIMIT ` + q.bind(limit)
	return selectOppRecords(ctx, tx, "pipeline", sql, q, "cycleSeconds", false)
}

// nullable is *v, or nil (JSON null) for none.
func nullable(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}
