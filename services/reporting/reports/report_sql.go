package reports

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/filter"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// What the reports share to write their SQL: arguments bound in order, the caller's record scope and the
// report's filter as conditions, the period of a row, and the opportunity
// as a drill-down's record.

// reportSQL is the SQL of one of those reports being written: its bound
// arguments and the placeholders of what every one of them binds, each
// bound on first use (a parameter the SQL does not use has no type).
type reportSQL struct {
	pgrecord.Query
	p     Params
	bound map[string]string // placeholders by what they hold
}

// newReportSQL returns the SQL of a report for p.
func newReportSQL(p Params) *reportSQL { return &reportSQL{p: p, bound: map[string]string{}} }

// once binds v under key, cast to typ, unless it was bound, and returns
// its placeholder.
func (q *reportSQL) once(key string, v any, typ string) string {
	if ph, ok := q.bound[key]; ok {
		return ph
	}
	q.bound[key] = q.bind(v) + "::" + typ
	return q.bound[key]
}

// gen is the placeholder of the generation read.
func (q *reportSQL) gen() string { return q.once("gen", q.p.Gen, "integer") }

// from is the placeholder of the period's start.
func (q *reportSQL) from() string { return q.once("from", q.p.From.UTC(), "timestamptz") }

// to is the placeholder of the period's end (exclusive).
func (q *reportSQL) to() string { return q.once("to", q.p.To.UTC(), "timestamptz") }

// cur is the placeholder of the report currency.
func (q *reportSQL) cur() string { return q.once("currency", q.p.Currency.Code, "text") }

// bind binds v and returns its placeholder.
func (q *reportSQL) bind(v any) string {
	q.Args = append(q.Args, v)
	return "$" + strconv.Itoa(len(q.Args))
}

// inRange is the condition that col lies in [from, to).
func (q *reportSQL) inRange(col string) string {
	return "(" + col + " >= " + q.from() + " AND " + col + " < " + q.to() + ")"
}

// period is the period holding col, as written in the rows ("2026-03-01").
func (q *reportSQL) period(col string) string {
	return "to_char(" + q.p.BucketSQL(col) + ", 'YYYY-MM-DD')"
}

// scope is the caller's record scope on the owner and team columns given
// (rm.Scope): "TRUE" for scope all.
func (q *reportSQL) scope(owner, team string) string {
	n := len(q.Conds)
	rm.Scope(&q.Query, q.p.Principal, owner, team)
	if len(q.Conds) == n {
		return "TRUE"
	}
	cond := q.Conds[n]
	q.Conds = q.Conds[:n]
	return cond
}

// filter compiles the report's filter over schema: "TRUE" without one.
func (q *reportSQL) filter(schema filter.Schema) (string, error) {
	if q.p.Filter == nil {
		return "TRUE", nil
	}
	where, args, err := filter.Compile(q.p.Filter, schema, len(q.Args)+1)
	if err != nil {
		return "", err
	}
	q.Args = append(q.Args, args...)
	return where, nil
}

// secondsBetween is the whole seconds from the timestamptz from to to.
func secondsBetween(from, to string) string {
	return "floor(extract(epoch FROM (" + to + ") - (" + from + ")))::bigint"
}

// opportunityFields are the fields of an opportunity a report of
// opportunities may be filtered on (alias o).
var opportunityFields = []filter.Field{
	{Name: "opportunityId", Column: "o.id", Type: filter.UUID},
	{Name: "ownerId", Column: "o.owner_id", Type: filter.String},
	{Name: "teamId", Column: "o.team_id", Type: filter.String},
	{Name: "pipelineId", Column: "o.pipeline_id", Type: filter.UUID},
	{Name: "accountId", Column: "o.account_id", Type: filter.UUID},
	{Name: "forecastCategory", Column: "o.forecast_category", Type: filter.String},
	{Name: "currency", Column: "o.currency", Type: filter.String},
	{Name: "probability", Column: "o.probability", Type: filter.Number},
	{Name: "closeDate", Column: "o.close_date", Type: filter.Date},
	{Name: "createdAt", Column: "o.created_at", Type: filter.Time},
}

// oppRecord is an opportunity as a drill-down lists it.
type oppRecord struct {
	ID          string     `db:"id"`
	Name        string     `db:"name"`
	Status      string     `db:"status"`
	Owner       string     `db:"owner_id"`
	Stage       *string    `db:"stage_id"`
	Minor       int64      `db:"amount_minor"`
	Currency    string     `db:"currency"`
	Exponent    int        `db:"exponent"`
	Probability int        `db:"probability"`
	Created     time.Time  `db:"created_at"`
	Closed      *time.Time `db:"closed_at"`
	// Extra is a figure of the record a measure counted (seconds, a
	// credit in minor units of the report currency); nil when none.
	Extra *int64 `db:"extra"`
}

// oppRecordColumns are the columns of an opportunity (rm_opportunities
// as alias) an oppRecord reads, its extra aside.
func oppRecordColumns(alias string) string {
	var out []string
	for _, c := range []string{"id", "name", "status", "owner_id", "stage_id", "amount_minor", "currency", "exponent",
		"probability", "created_at", "closed_at"} {
		out = append(out, alias+"."+c)
	}
	return strings.Join(out, ", ")
}

// selectOppRecords runs sql, whose rows are oppRecords, and returns them
// as records; extra names the figure an oppRecord's Extra is ("" none),
// written as money of the report currency when money.
func selectOppRecords(ctx context.Context, tx *sqlx.Tx, report, sql string, q *reportSQL, extra string, money bool) ([]Record, error) {
	var rows []oppRecord
	if err := tx.SelectContext(ctx, &rows, sql, q.Args...); err != nil {
		return nil, fmt.Errorf("reports: %s records: %w", report, err)
	}
	out := make([]Record, 0, len(rows))
	for _, r := range rows {
		f := map[string]any{"status": r.Status, "ownerId": r.Owner, "stageId": pgrecord.Deref(r.Stage),
			"amount": Money(r.Minor, r.Exponent), "currency": r.Currency, "probability": r.Probability,
			"createdAt": r.Created.UTC().Format(time.RFC3339)}
		if r.Closed != nil {
			f["closedAt"] = r.Closed.UTC().Format(time.RFC3339)
		}
		if extra != "" && r.Extra != nil {
			f[extra] = *r.Extra
			if money {
				f[extra] = q.p.Currency.Money(*r.Extra)
			}
		}
		out = append(out, Record{Kind: "opportunity", ID: r.ID, Name: r.Name, Fields: f})
	}
	return out, nil
}

// errMeasure is the error of a drill-down naming a measure report has no
// records for (the framework lets only its columns through).
func errMeasure(report, measure string) error {
	return invalid(paramMeasure, "report "+report+" has no records behind "+strconv.Quote(measure))
}

// reportGroup returns the column of groupBy in cols; the empty string
// literal of SQL for no grouping.
func reportGroup(groupBy string, cols map[string]string) string {
	if c, ok := cols[groupBy]; ok {
		return c
	}
	return "''"
}
