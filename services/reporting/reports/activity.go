package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/filter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// ActivityTypes are the types of activities.
var ActivityTypes = []string{"call", "email", "meeting", "note", "task"}

// activityGroups are the activity report's groupings and their columns.
var activityGroups = map[string]string{"owner": "a.owner_id", "team": "a.team_id", "type": "a.type"}

// activityFilter is what the activity report's filter may name.
var activityFilter = filter.Schema{Fields: []filter.Field{
	{Name: "type", Column: "a.type", Type: filter.Enum, Values: ActivityTypes},
	{Name: "ownerId", Column: "a.owner_id", Type: filter.String},
	{Name: "teamId", Column: "a.team_id", Type: filter.String},
	{Name: "contactId", Column: "a.contact_id", Type: filter.UUID},
	{Name: "accountId", Column: "a.account_id", Type: filter.UUID},
	{Name: "completed", Column: "a.completed", Type: filter.Bool},
}}

// activityColumns are the activity report's columns.
var activityColumns = []Column{
	{Name: "period", Label: "Period", LabelZh: "期间", Type: TypePeriod},
	{Name: "group", Label: "Group", LabelZh: "分组", Type: TypeString},
	{Name: "type", Label: "Type", LabelZh: "类型", Type: TypeString},
	{Name: "total", Label: "Activities", LabelZh: "活动数", Type: TypeInteger},
	{Name: "completed", Label: "Completed", LabelZh: "已完成", Type: TypeInteger},
}

// activityReport is the activity report (periodic by occurred_at; groupBy
// owner, the default, team or type): per period, group and type, the
// activities not deleted and how many of them are completed.
func activityReport() Definition {
	return Definition{Name: "activity", Contexts: []string{rm.Contacts}, GroupBys: []string{"owner", "team", "type"},
		DefaultGroupBy: "owner", Periodic: true, Filter: activityFilter, Columns: activityColumns,
		Run: runActivity, Records: activityRecords}
}

// activityRows is the FROM … WHERE of the activity report: the counted
// activities (a) of the period in the caller's scope and the filter.
func activityRows(q *reportSQL) (string, error) {
	scope := q.scope("a.owner_id", "a.team_id")
	where, err := q.filter(activityFilter)
	if err != nil {
		return "", err
	}
	return ` FROM rm_activities a WHERE a.gen = ` + q.gen() + ` AND NOT a.deleted AND ` + q.inRange("a.occurred_at") +
		` AND ` + scope + ` AND ` + where, nil
}

// runActivity computes the activity report.
func runActivity(ctx context.Context, tx *sqlx.Tx, p Params) (Table, error) {
	q := newReportSQL(p)
	from, err := activityRows(q)
	if err != nil {
		return Table{}, err
	}
	group := reportGroup(p.GroupBy, activityGroups)
	rows, err := selectRows(ctx, tx, "activity", `SELECT `+q.period("a.occurred_at")+` AS label, `+group+` AS grp, a.type,
			count(*), count(*) FILTER (WHERE a.completed)`+from+`
		GROUP BY label, grp, a.type ORDER BY label, `+group+` COLLATE "C", a.type`, q)
	return Table{Columns: activityColumns, Rows: rows}, err
}

// activityRecords lists the activities an activity cell counted (total)
// or the completed ones (completed); a filter on type narrows them to a
// row's.
func activityRecords(ctx context.Context, tx *sqlx.Tx, p Params, cell Cell, limit int) ([]Record, error) {
	q := newReportSQL(p)
	from, err := activityRows(q)
	if err != nil {
		return nil, err
	}
	sql := `SELECT a.id, a.type, a.owner_id, a.occurred_at, a.completed` + from + ` AND ` + q.period("a.occurred_at") + ` = ` +
		q.bind(cellPeriod(cell)) + ` AND ` + reportGroup(p.GroupBy, activityGroups) + ` = ` + q.bind(cell.Group)
	if cell.Measure == "completed" {
		sql += ` AND a.completed`
	}
	var rows []struct {
		ID        string    `db:"id"`
		Type      string    `db:"type"`
		Owner     string    `db:"owner_id"`
		Occurred  time.Time `db:"occurred_at"`
		Completed bool      `db:"completed"`
	}
	if err := tx.SelectContext(ctx, &rows, sql+` ORDER BY a.occurred_at, a.id LIMIT `+q.bind(limit), q.Args...); err != nil {
		return nil, fmt.Errorf("reports: activity records: %w", err)
	}
	out := make([]Record, 0, len(rows))
	for _, r := range rows {
		out = append(out, Record{Kind: "activity", ID: r.ID, Name: r.Type, Fields: map[string]any{"type": r.Type,
			"ownerId": r.Owner, "occurredAt": r.Occurred.UTC().Format(time.RFC3339), "completed": r.Completed}})
	}
	return out, nil
}
