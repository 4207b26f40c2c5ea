package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// What the customer reports (lifecycle, lifecycle-flows, customer-value,
// service, activity) add to the SQL helpers of report_sql.go: the series
// of periods with their ends (a snapshot's moment), a drill-down cell's
// period and rows read as a table's.

// snapshotPeriods is a query of the report's periods (Periods): label
// (the period as written in the rows) and e, its end, no later than to —
// the moment a snapshot of the period (a stage, a backlog) is taken before.
func snapshotPeriods(q *reportSQL) string {
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

// cellPeriod is the period of a drill-down's cell as written in the rows.
func cellPeriod(c Cell) string { return c.Period.UTC().Format(time.DateOnly) }

// selectRows runs sql with q's arguments and returns its rows, each value
// as the report's table has it: strings, int64 or nil.
func selectRows(ctx context.Context, tx *sqlx.Tx, name, sql string, q *reportSQL) ([][]any, error) {
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
