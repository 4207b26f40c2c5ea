package reports

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/filter"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// What the customer reports (lifecycle, lifecycle-flows, customer-value,
// service, activity) share to write their SQL: a query whose arguments
// are bound in order, the period of a row (its interval's bucket in UTC),
// the series of periods with their ends, the caller's record scope and
// the report's filter.

// periodFormat is how a period's first day is written in the rows.
const periodFormat = "YYYY-MM-DD"

// custQuery is the SQL of one customer report being written: its bound
// arguments and the placeholders of the parameters every report binds.
// (PostgreSQL refuses a parameter the query does not use: from and to are
// bound when first used.)
type custQuery struct {
	pgrecord.Query
	p              Params
	gen            string // the generation's placeholder
	fromArg, toArg string
}

// newCustQuery binds p's generation.
func newCustQuery(p Params) *custQuery {
	q := &custQuery{p: p}
	q.gen = q.bind(p.Gen) + "::integer"
	return q
}

// from is the placeholder of the period's start.
func (q *custQuery) from() string {
	if q.fromArg == "" {
		q.fromArg = q.bind(q.p.From.UTC()) + "::timestamptz"
	}
	return q.fromArg
}

// to is the placeholder of the period's end (exclusive).
func (q *custQuery) to() string {
	if q.toArg == "" {
		q.toArg = q.bind(q.p.To.UTC()) + "::timestamptz"
	}
	return q.toArg
}

// bind binds v and returns its placeholder.
func (q *custQuery) bind(v any) string {
	q.Args = append(q.Args, v)
	return "$" + strconv.Itoa(len(q.Args))
}

// period is the period holding the timestamptz col as written in the rows
// ("2026-03-01").
func (q *custQuery) period(col string) string {
	return "to_char(" + q.p.BucketSQL(col) + ", '" + periodFormat + "')"
}

// inRange is the condition that col lies in [from, to).
func (q *custQuery) inRange(col string) string {
	return "(" + col + " >= " + q.from() + " AND " + col + " < " + q.to() + ")"
}

// periods is a query of the report's periods (Periods): label (the period
// as written in the rows) and e, its end, no later than to — the moment a
// snapshot of the period (a stage, a backlog) is taken before.
func (q *custQuery) periods() string {
	var labels []string
	var ends []time.Time
	for _, b := range Periods(q.p.From, q.p.To, q.p.Interval) {
		labels = append(labels, b.Format(time.DateOnly))
		ends = append(ends, minTime(Next(b, q.p.Interval), q.p.To).UTC())
	}
	return "SELECT * FROM unnest(" + q.bind(pq.StringArray(labels)) + "::text[], " + q.bind(pq.GenericArray{A: ends}) +
		"::timestamptz[]) AS ps(label, e)"
}

// minTime is the earlier of a and b.
func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// scope is the caller's record scope on the owner and team columns given
// (rm.Scope): "TRUE" for scope all.
func (q *custQuery) scope(owner, team string) string {
	n := len(q.Conds)
	rm.Scope(&q.Query, q.p.Principal, owner, team)
	return q.pop(n)
}

// filter is the report's filter compiled over schema (Params.AddFilter):
// "TRUE" without one.
func (q *custQuery) filter(schema filter.Schema) (string, error) {
	n := len(q.Conds)
	if err := q.p.AddFilter(&q.Query, schema); err != nil {
		return "", err
	}
	return q.pop(n), nil
}

// pop takes the condition added after the first n off q's conditions:
// "TRUE" when none was.
func (q *custQuery) pop(n int) string {
	if len(q.Conds) == n {
		return "TRUE"
	}
	cond := q.Conds[n]
	q.Conds = q.Conds[:n]
	return cond
}

// cellPeriod is the period of a drill-down's cell as written in the rows.
func cellPeriod(c Cell) string { return c.Period.UTC().Format(time.DateOnly) }

// groupColumn returns the column of groupBy in cols; "”" for no grouping.
func groupColumn(groupBy string, cols map[string]string) string {
	if c, ok := cols[groupBy]; ok {
		return c
	}
	return "''"
}

// selectRows runs sql with q's arguments and returns its rows, each value
// as the report's table has it: strings, int64 or nil.
func selectRows(ctx context.Context, tx *sqlx.Tx, name, sql string, q *custQuery) ([][]any, error) {
	rows, err := tx.QueryxContext(ctx, sql, q.Args...)
	if err != nil {
		return nil, fmt.Errorf("reports: %s: %w", name, err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals, err := rows.SliceScan()
		if err != nil {
			return nil, fmt.Errorf("reports: %s: %w", name, err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reports: %s: %w", name, err)
	}
	return out, nil
}
