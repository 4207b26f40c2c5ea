package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/filter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// flowsFilter is what the lifecycle-flows report's filter may name: the
// contact's fields and the stages a transition left and entered.
var flowsFilter = filter.Schema{Fields: append([]filter.Field{
	{Name: "from", Column: "t.from_stage", Type: filter.Enum, Values: LifecycleStages},
	{Name: "to", Column: "t.stage", Type: filter.Enum, Values: LifecycleStages},
}, contactFields...)}

// flowsColumns are the lifecycle-flows report's columns.
var flowsColumns = []Column{
	{Name: "period", Label: "Period", LabelZh: "期间", Type: TypePeriod},
	{Name: "from", Label: "From stage", LabelZh: "原阶段", Type: TypeString},
	{Name: "to", Label: "To stage", LabelZh: "新阶段", Type: TypeString},
	{Name: "contacts", Label: "Contacts", LabelZh: "联系人数", Type: TypeInteger},
}

// flowsReport is the lifecycle-flows report (periodic, no grouping): the
// transitions between lifecycle stages — consecutive versions of a
// contact (rm_contact_stages by version) whose stage differs — counted in
// the period of the later version's time, per stage left and entered.
// Contacts deleted or merged away count nowhere; erased ones count.
func flowsReport() Definition {
	return Definition{Name: "lifecycle-flows", Contexts: []string{rm.Contacts}, Periodic: true, Filter: flowsFilter,
		Columns: flowsColumns, Run: runFlows, Records: flowsRecords}
}

// flowsTransitions is the FROM … WHERE of the lifecycle-flows report: a
// row per transition (t: contact_id, from_stage, stage, at) in the period
// of a counted contact (c) in the caller's scope and the filter.
func flowsTransitions(q *reportSQL) (string, error) {
	scope := q.scope("c.owner_id", "c.team_id")
	where, err := q.filter(flowsFilter)
	if err != nil {
		return "", err
	}
	return ` FROM (SELECT st.contact_id, st.stage, st.at,
				lag(st.stage) OVER (PARTITION BY st.contact_id ORDER BY st.version) AS from_stage
			FROM rm_contact_stages st WHERE st.gen = ` + q.gen() + ` AND st.stage <> '') t
		JOIN rm_contacts c ON c.gen = ` + q.gen() + ` AND c.id = t.contact_id AND NOT c.deleted AND c.merged_into IS NULL
		WHERE t.from_stage <> t.stage AND ` + q.inRange("t.at") + ` AND ` + scope + ` AND ` + where, nil
}

// runFlows computes the lifecycle-flows report.
func runFlows(ctx context.Context, tx *sqlx.Tx, p Params) (Table, error) {
	q := newReportSQL(p)
	from, err := flowsTransitions(q)
	if err != nil {
		return Table{}, err
	}
	stages := q.bind(pq.StringArray(LifecycleStages)) + "::text[]"
	rows, err := selectRows(ctx, tx, "lifecycle-flows", `SELECT `+q.period("t.at")+` AS label, t.from_stage, t.stage, count(*)`+from+`
		GROUP BY label, t.from_stage, t.stage
		ORDER BY label, array_position(`+stages+`, t.from_stage), t.from_stage, array_position(`+stages+`, t.stage), t.stage`, q)
	return Table{Columns: flowsColumns, Rows: rows}, err
}

// flowsRecords lists the transitions a lifecycle-flows cell counted, one
// record of the contact per transition with its stages and time; a filter
// on from and to narrows them to a row's.
func flowsRecords(ctx context.Context, tx *sqlx.Tx, p Params, cell Cell, limit int) ([]Record, error) {
	q := newReportSQL(p)
	from, err := flowsTransitions(q)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID        string    `db:"id"`
		Name      string    `db:"display_name"`
		FromStage string    `db:"from_stage"`
		Stage     string    `db:"stage"`
		At        time.Time `db:"at"`
	}
	sql := `SELECT c.id, c.display_name, t.from_stage, t.stage, t.at` + from + ` AND ` + q.period("t.at") + ` = ` +
		q.bind(cellPeriod(cell)) + ` ORDER BY t.at, c.id LIMIT ` + q.bind(limit)
	if err := tx.SelectContext(ctx, &rows, sql, q.Args...); err != nil {
		return nil, fmt.Errorf("reports: lifecycle-flows records: %w", err)
	}
	out := make([]Record, 0, len(rows))
	for _, r := range rows {
		out = append(out, Record{Kind: "contact", ID: r.ID, Name: r.Name,
			Fields: map[string]any{"from": r.FromStage, "to": r.Stage, "at": r.At.UTC().Format(time.RFC3339)}})
	}
	return out, nil
}
