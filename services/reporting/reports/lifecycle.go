package reports

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/filter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// LifecycleStages are the lifecycle stages of contacts in their order:
// the lifecycle reports' rows of a period list them so.
var LifecycleStages = []string{"subscriber", "lead", "marketingQualified", "salesQualified", "opportunity",
	"customer", "evangelist", "churned", "other"}

// lifecycleGroups are the lifecycle report's groupings and their columns.
var lifecycleGroups = map[string]string{"owner": "c.owner_id", "source": "c.source"}

// contactFields are the fields of a contact both lifecycle reports may be
// filtered on.
var contactFields = []filter.Field{
	{Name: "contactId", Column: "c.id", Type: filter.UUID},
	{Name: "accountId", Column: "c.account_id", Type: filter.UUID},
	{Name: "ownerId", Column: "c.owner_id", Type: filter.String},
	{Name: "teamId", Column: "c.team_id", Type: filter.String},
	{Name: "source", Column: "c.source", Type: filter.String},
	{Name: "createdAt", Column: "c.created_at", Type: filter.Time},
}

// lifecycleFilter is what the lifecycle report's filter may name: the
// contact's fields and the stage it had at the period's end.
var lifecycleFilter = filter.Schema{Fields: append([]filter.Field{
	{Name: "stage", Column: "s.stage", Type: filter.Enum, Values: LifecycleStages},
}, contactFields...)}

// lifecycleColumns are the lifecycle report's columns.
var lifecycleColumns = []Column{
	{Name: "period", Label: "Period", LabelZh: "期间", Type: TypePeriod},
	{Name: "group", Label: "Group", LabelZh: "分组", Type: TypeString},
	{Name: "stage", Label: "Stage", LabelZh: "生命周期阶段", Type: TypeString},
	{Name: "contacts", Label: "Contacts", LabelZh: "联系人数", Type: TypeInteger},
}

// lifecycleReport is the lifecycle report (periodic; groupBy owner or
// source): per period and stage, the contacts (not deleted, not merged
// away; erased ones count) whose stage was that one at the period's end —
// the stage of their newest version (rm_contact_stages) made before it.
func lifecycleReport() Definition {
	return Definition{Name: "lifecycle", Contexts: []string{rm.Contacts}, GroupBys: []string{"owner", "source"},
		Periodic: true, Filter: lifecycleFilter, Columns: lifecycleColumns, Run: runLifecycle, Records: lifecycleRecords}
}

// lifecycleSnapshot is the FROM … WHERE of the lifecycle report: a row per
// period (pr) and counted contact (c) with the stage it had at the
// period's end (s), in the caller's scope and the filter.
func lifecycleSnapshot(q *reportSQL) (string, error) {
	scope := q.scope("c.owner_id", "c.team_id")
	where, err := q.filter(lifecycleFilter)
	if err != nil {
		return "", err
	}
	return ` FROM (` + snapshotPeriods(q) + `) pr
		JOIN rm_contacts c ON c.gen = ` + q.gen() + ` AND NOT c.deleted AND c.merged_into IS NULL
		CROSS JOIN LATERAL (SELECT st.stage FROM rm_contact_stages st
			WHERE st.gen = c.gen AND st.contact_id = c.id AND st.at < pr.e
			ORDER BY st.version DESC LIMIT 1) s
		WHERE s.stage <> '' AND ` + scope + ` AND ` + where, nil
}

// runLifecycle computes the lifecycle report.
func runLifecycle(ctx context.Context, tx *sqlx.Tx, p Params) (Table, error) {
	q := newReportSQL(p)
	from, err := lifecycleSnapshot(q)
	if err != nil {
		return Table{}, err
	}
	group := reportGroup(p.GroupBy, lifecycleGroups)
	stages := q.bind(pq.StringArray(LifecycleStages))
	rows, err := selectRows(ctx, tx, "lifecycle", `SELECT pr.label, `+group+` AS grp, s.stage, count(*)`+from+`
		GROUP BY pr.label, grp, s.stage
		ORDER BY pr.label, `+group+` COLLATE "C", array_position(`+stages+`::text[], s.stage), s.stage`, q)
	return Table{Columns: lifecycleColumns, Rows: rows}, err
}

// lifecycleRecords lists the contacts a lifecycle cell counted (its one
// measure, contacts), their stage among their fields; a filter on stage
// narrows them to a row's.
func lifecycleRecords(ctx context.Context, tx *sqlx.Tx, p Params, cell Cell, limit int) ([]Record, error) {
	q := newReportSQL(p)
	from, err := lifecycleSnapshot(q)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID    string `db:"id"`
		Name  string `db:"display_name"`
		Stage string `db:"stage"`
	}
	sql := `SELECT c.id, c.display_name, s.stage` + from + ` AND pr.label = ` + q.bind(cellPeriod(cell)) +
		` AND ` + reportGroup(p.GroupBy, lifecycleGroups) + ` = ` + q.bind(cell.Group) + ` ORDER BY c.id LIMIT ` + q.bind(limit)
	if err := tx.SelectContext(ctx, &rows, sql, q.Args...); err != nil {
		return nil, fmt.Errorf("reports: lifecycle records: %w", err)
	}
	out := make([]Record, 0, len(rows))
	for _, r := range rows {
		out = append(out, Record{Kind: "contact", ID: r.ID, Name: r.Name, Fields: map[string]any{"stage": r.Stage}})
	}
	return out, nil
}
