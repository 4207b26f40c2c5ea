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

// lifecyclePeriods binds the report's periods for the lifecycle report:
// labels (text[], as written in the rows), ends (timestamptz[], ascending,
// no later than to) and n, how many.
func lifecyclePeriods(q *reportSQL) (labels, ends string, n int) {
	var ls []string
	var es []time.Time
	for _, b := range Periods(q.p.From, q.p.To, q.p.Interval) {
		ls = append(ls, b.Format(time.DateOnly))
		es = append(es, minTime(Next(b, q.p.Interval), q.p.To).UTC())
	}
	return q.once("labels", pq.StringArray(ls), "text[]"), q.once("ends", pq.GenericArray{A: es}, "timestamptz[]"), len(ls)
}

// lifecycleSnapshot is the FROM … WHERE of the lifecycle report, one pass
// over the stage rows: a row per stage row (s) of a counted contact (c),
// in the caller's scope and the filter, with the periods (1-based, of
// lifecyclePeriods) whose end it is the contact's stage at: lo < i ≤ hi.
// A row is the contact's newest version made before an end e when it was
// made before e (periods after lo: width_bucket counts the ends ≤ at) and
// every newer version was made at or after e (periods up to hi: the ends
// ≤ the earliest at of the newer versions, else all).
func lifecycleSnapshot(q *reportSQL) (string, error) {
	scope := q.scope("c.owner_id", "c.team_id")
	where, err := q.filter(lifecycleFilter)
	if err != nil {
		return "", err
	}
	_, ends, n := lifecyclePeriods(q)
	return ` FROM (SELECT st.contact_id, st.stage, width_bucket(st.at, ` + ends + `) AS lo,
				coalesce(width_bucket(min(st.at) OVER (PARTITION BY st.contact_id ORDER BY st.version
					ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), ` + ends + `), ` + q.bind(n) + `::integer) AS hi
			FROM rm_contact_stages st WHERE st.gen = ` + q.gen() + `) s
		JOIN rm_contacts c ON c.gen = ` + q.gen() + ` AND c.id = s.contact_id AND NOT c.deleted AND c.merged_into IS NULL
		WHERE s.lo < s.hi AND s.stage <> '' AND ` + scope + ` AND ` + where, nil
}

// runLifecycle computes the lifecycle report: the stage rows counted by
// group, stage and span of periods first, then spread over the periods.
func runLifecycle(ctx context.Context, tx *sqlx.Tx, p Params) (Table, error) {
	q := newReportSQL(p)
	from, err := lifecycleSnapshot(q)
	if err != nil {
		return Table{}, err
	}
	labels, _, _ := lifecyclePeriods(q)
	group := reportGroup(p.GroupBy, lifecycleGroups)
	stages := q.bind(pq.StringArray(LifecycleStages))
	rows, err := selectRows(ctx, tx, "lifecycle", `SELECT pr.label, x.grp, x.stage, sum(x.n)::bigint
		FROM (SELECT `+group+` AS grp, s.stage, s.lo, s.hi, count(*) AS n`+from+`
			GROUP BY grp, s.stage, s.lo, s.hi) x
		JOIN unnest(`+labels+`) WITH ORDINALITY AS pr(label, i) ON pr.i > x.lo AND pr.i <= x.hi
		GROUP BY pr.label, x.grp, x.stage
		ORDER BY pr.label, x.grp COLLATE "C", array_position(`+stages+`::text[], x.stage), x.stage`, q)
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
	labels, _, _ := lifecyclePeriods(q)
	i := `array_position(` + labels + `, ` + q.bind(cellPeriod(cell)) + `::text)`
	sql := `SELECT c.id, c.display_name, s.stage` + from + ` AND ` + i + ` > s.lo AND ` + i + ` <= s.hi` +
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
