package reports

import (
	"context"
	"fmt"
	"strconv"

	"github.com/cockroachdb/apd/v3"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/filter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// serviceGroups are the service report's groupings and their columns of
// a case or survey row (x): a survey is grouped by its own queue and
// agent, by channel and priority through its case.
var serviceGroups = map[string]string{"channel": "x.channel", "queue": "x.queue_id", "priority": "x.priority",
	"owner": "x.assignee_id"}

// serviceFilter is what the service report's filter may name, of a case
// or of a survey (its queue and agent, its case's channel, priority and
// type).
var serviceFilter = filter.Schema{Fields: []filter.Field{
	{Name: "channel", Column: "x.channel", Type: filter.Enum, Values: []string{"email", "portal", "chat", "phone", "api"}},
	{Name: "queueId", Column: "x.queue_id", Type: filter.String},
	{Name: "priority", Column: "x.priority", Type: filter.Enum, Values: []string{"low", "normal", "high", "urgent"}},
	{Name: "type", Column: "x.type", Type: filter.String},
	{Name: "assigneeId", Column: "x.assignee_id", Type: filter.String},
}}

// The places of the service report's averages.
const (
	csatPlaces = 2
	npsPlaces  = 1
)

// serviceColumns are the service report's columns.
var serviceColumns = []Column{
	{Name: "period", Label: "Period", LabelZh: "期间", Type: TypePeriod},
	{Name: "group", Label: "Group", LabelZh: "分组", Type: TypeString},
	{Name: "created", Label: "Created", LabelZh: "新建工单", Type: TypeInteger},
	{Name: "solved", Label: "Solved", LabelZh: "已解决", Type: TypeInteger},
	{Name: "backlog", Label: "Backlog", LabelZh: "积压", Type: TypeInteger},
	{Name: "firstResponseMedian", Label: "First response median (s)", LabelZh: "首次响应中位数（秒）", Type: TypeDuration},
	{Name: "firstResponseP90", Label: "First response P90 (s)", LabelZh: "首次响应P90（秒）", Type: TypeDuration},
	{Name: "resolutionMedian", Label: "Resolution median (s)", LabelZh: "解决时长中位数（秒）", Type: TypeDuration},
	{Name: "resolutionP90", Label: "Resolution P90 (s)", LabelZh: "解决时长P90（秒）", Type: TypeDuration},
	{Name: "slaCompliance", Label: "SLA compliance", LabelZh: "SLA达成率", Type: TypePercent},
	{Name: "csat", Label: "CSAT", LabelZh: "客户满意度", Type: TypeDecimal},
	{Name: "nps", Label: "NPS", LabelZh: "净推荐值", Type: TypeDecimal},
}

// serviceReport is the service report (periodic; groupBy channel, queue,
// priority or owner, the assignee): cases not deleted and not merged
// away created, solved and in the backlog at the period's end; the
// median and P90 seconds to the first response (of those created) and to
// resolution (of those solved); SLA compliance (the share of those
// created without a breach); CSAT (the average csat score) and NPS of the
// surveys answered in the period, not of a deleted or merged case.
func serviceReport() Definition {
	return Definition{Name: "service", Contexts: []string{rm.Support}, GroupBys: []string{"channel", "queue", "priority", "owner"},
		Periodic: true, Filter: serviceFilter, Columns: serviceColumns, Run: runService, Records: serviceRecords}
}

// serviceFacts is the WITH … of the service report: facts, a row per
// fact a figure counts — label (its period), grp, k (created, solved,
// backlog, csat or nps), id and number (the case's or survey's), secs (to
// the first response of a created case, to the resolution of a solved
// one), breached and score (a survey's) — of cases and surveys in the
// caller's scope (through their case) and the filter.
func serviceFacts(q *reportSQL) (string, error) {
	scope := q.scope("x.scope_owner", "''")
	where, err := q.filter(serviceFilter)
	if err != nil {
		return "", err
	}
	grp := reportGroup(q.p.GroupBy, serviceGroups)
	return `WITH cs AS (SELECT x.*, ` + grp + ` AS grp FROM (
			SELECT c.id, c.number, c.channel, c.queue_id, c.priority, c.type, c.assignee_id, c.assignee_id AS scope_owner,
				c.created_at, c.solved_at, c.closed_at, r.first_response_at,
				EXISTS (SELECT 1 FROM rm_case_breaches b WHERE b.gen = c.gen AND b.case_id = c.id) AS breached
			FROM rm_cases c LEFT JOIN rm_case_responses r ON r.gen = c.gen AND r.case_id = c.id
			WHERE c.gen = ` + q.gen() + ` AND NOT c.deleted AND c.merged_into IS NULL) x
		WHERE ` + scope + ` AND ` + where + `),
	sv AS (SELECT x.*, ` + grp + ` AS grp FROM (
			SELECT s.id, s.kind, s.score, s.answered_at, coalesce(c.number, 0) AS number, coalesce(c.channel, '') AS channel,
				s.queue_id, coalesce(c.priority, '') AS priority, coalesce(c.type, '') AS type,
				s.agent_id AS assignee_id, c.assignee_id AS scope_owner
			FROM rm_surveys s LEFT JOIN rm_cases c ON c.gen = s.gen AND c.id = s.case_id
			WHERE s.gen = ` + q.gen() + ` AND ` + q.inRange("s.answered_at") + `
				AND (s.case_id IS NULL OR NOT c.deleted AND c.merged_into IS NULL)) x
		WHERE ` + scope + ` AND ` + where + `),
	facts AS (
		SELECT ` + q.period("created_at") + ` AS label, grp, 'created' AS k, id, number,
			` + secondsBetween("created_at", "first_response_at") + ` AS secs, breached, NULL::integer AS score
		FROM cs WHERE ` + q.inRange("created_at") + `
		UNION ALL
		SELECT ` + q.period("solved_at") + `, grp, 'solved', id, number, ` + secondsBetween("created_at", "solved_at") + `, false, NULL
		FROM cs WHERE ` + q.inRange("solved_at") + `
		UNION ALL
		SELECT pr.label, grp, 'backlog', id, number, NULL, false, NULL
		FROM (` + snapshotPeriods(q) + `) pr JOIN cs ON cs.created_at < pr.e
			AND NOT coalesce(cs.solved_at < pr.e, false) AND NOT coalesce(cs.closed_at < pr.e, false)
		UNION ALL
		SELECT ` + q.period("answered_at") + `, grp, kind, id, number, NULL, false, score FROM sv)`, nil
}

// runService computes the service report.
func runService(ctx context.Context, tx *sqlx.Tx, p Params) (Table, error) {
	q := newReportSQL(p)
	with, err := serviceFacts(q)
	if err != nil {
		return Table{}, err
	}
	rows, err := selectRows(ctx, tx, "service", with+` SELECT label, grp,
			count(*) FILTER (WHERE k = 'created'), count(*) FILTER (WHERE k = 'solved'), count(*) FILTER (WHERE k = 'backlog'),
			percentile_disc(0.5) WITHIN GROUP (ORDER BY secs) FILTER (WHERE k = 'created'),
			percentile_disc(0.9) WITHIN GROUP (ORDER BY secs) FILTER (WHERE k = 'created'),
			percentile_disc(0.5) WITHIN GROUP (ORDER BY secs) FILTER (WHERE k = 'solved'),
			percentile_disc(0.9) WITHIN GROUP (ORDER BY secs) FILTER (WHERE k = 'solved'),
			count(*) FILTER (WHERE k = 'created' AND breached),
			coalesce(sum(score) FILTER (WHERE k = 'csat'), 0), count(*) FILTER (WHERE k = 'csat'),
			count(*) FILTER (WHERE k = 'nps' AND score >= 9) - count(*) FILTER (WHERE k = 'nps' AND score <= 6),
			count(*) FILTER (WHERE k = 'nps')
		FROM facts GROUP BY label, grp ORDER BY label, grp COLLATE "C"`, q)
	if err != nil {
		return Table{}, err
	}
	for i, r := range rows {
		created, breached := r[2].(int64), r[9].(int64)
		csatSum, csatN, npsNet, npsN := r[10].(int64), r[11].(int64), r[12].(int64), r[13].(int64)
		rows[i] = append(r[:9], Percent(created-breached, created),
			Quo(apd.New(csatSum, 0), apd.New(csatN, 0), csatPlaces), Quo(apd.New(npsNet*100, 0), apd.New(npsN, 0), npsPlaces))
	}
	return Table{Columns: serviceColumns, Rows: rows}, nil
}

// serviceMeasureFacts are the facts behind each measure of the service
// report: their kind and the condition they meet.
var serviceMeasureFacts = map[string]struct{ kind, cond string }{
	"created": {"created", "TRUE"}, "slaCompliance": {"created", "TRUE"},
	"firstResponseMedian": {"created", "secs IS NOT NULL"}, "firstResponseP90": {"created", "secs IS NOT NULL"},
	"solved": {"solved", "TRUE"}, "resolutionMedian": {"solved", "TRUE"}, "resolutionP90": {"solved", "TRUE"},
	"backlog": {"backlog", "TRUE"}, "csat": {"csat", "TRUE"}, "nps": {"nps", "TRUE"},
}

// serviceRecords lists the cases (or, for csat and nps, the surveys) a
// service cell counted, with the seconds, breach or score it counted of
// each.
func serviceRecords(ctx context.Context, tx *sqlx.Tx, p Params, cell Cell, limit int) ([]Record, error) {
	m, ok := serviceMeasureFacts[cell.Measure]
	if !ok {
		return nil, invalid(paramMeasure, oneOf(sortedKeys(serviceMeasureFacts)))
	}
	q := newReportSQL(p)
	with, err := serviceFacts(q)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID       string `db:"id"`
		Number   int64  `db:"number"`
		Secs     *int64 `db:"secs"`
		Breached bool   `db:"breached"`
		Score    *int64 `db:"score"`
	}
	sql := with + ` SELECT id, number, secs, breached, score FROM facts WHERE label = ` + q.bind(cellPeriod(cell)) +
		` AND grp = ` + q.bind(cell.Group) + ` AND k = ` + q.bind(m.kind) + ` AND ` + m.cond + ` ORDER BY number, id LIMIT ` + q.bind(limit)
	if err := tx.SelectContext(ctx, &rows, sql, q.Args...); err != nil {
		return nil, fmt.Errorf("reports: service records: %w", err)
	}
	out := make([]Record, 0, len(rows))
	for _, r := range rows {
		rec := Record{Kind: "case", ID: r.ID, Name: "#" + strconv.FormatInt(r.Number, 10), Fields: map[string]any{}}
		switch {
		case m.kind == "csat" || m.kind == "nps":
			rec.Kind, rec.Fields["score"] = "survey", *r.Score
			if r.Number == 0 {
				rec.Name = ""
			}
		case r.Secs != nil:
			rec.Fields["seconds"] = *r.Secs
		}
		if m.kind == "created" {
			rec.Fields["breached"] = r.Breached
		}
		out = append(out, rec)
	}
	return out, nil
}
