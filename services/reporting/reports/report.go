// Package reports answers GET /v1/reports/<name>: each report reads the
// active generation of the read models (internal/rm) for a period, an
// interval, a grouping and a filter, limited to the caller's record
// scope, and answers JSON series, CSV or XLSX, with asOf, the time of the
// newest event applied to what it read; GET /v1/reports/<name>/records
// drills down from a figure to the records behind it.
package reports

import (
	"context"
	"net/url"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/filter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// The intervals a report's periods may have.
const (
	Day     = "day"
	Week    = "week"
	Month   = "month"
	Quarter = "quarter"
	Year    = "year"
)

// Intervals are the intervals, shortest first.
var Intervals = []string{Day, Week, Month, Quarter, Year}

// Params are a report's parameters, validated against its Definition.
type Params struct {
	From, To  time.Time // the period [From, To), UTC
	Interval  string    // one of Intervals
	GroupBy   string    // "" or one of the Definition's GroupBys
	Filter    *filter.Node
	Gen       rm.Gen         // the generation read
	Principal auth.Principal // the caller, whose record scope limits the rows
	Extra     url.Values     // the report's own parameters (Definition.Extra)
	// Currency is the report currency (ReportCurrency), resolved before Run
	// for a Definition whose Extra has CurrencyParam (AmountExtra); amount
	// measures count only opportunities in Currency.Code and write with
	// Currency.Money / Currency.MoneyQuo.
	Currency Currency
}

// The types of a report's columns.
const (
	TypePeriod   = "period"   // a period's first day, "2026-03-01"
	TypeString   = "string"   // a group's key (an id, a source, a stage …)
	TypeInteger  = "integer"  // a count
	TypeDecimal  = "decimal"  // an exact decimal as a string ("1234.50")
	TypeMoney    = "money"    // an amount as a decimal string, its currency in the currency column
	TypePercent  = "percent"  // a ratio 0..1 as a decimal string, "" when undefined (no denominator)
	TypeDuration = "duration" // seconds, a number
)

// Column is a column of a report's table: its key in the JSON rows, its
// headers in English and Chinese (CSV and XLSX pick by Accept-Language)
// and its type.
type Column struct {
	Name    string `json:"name"`
	Label   string `json:"label"`
	LabelZh string `json:"labelZh"`
	Type    string `json:"type"`
}

// Table is what a report computes: its columns and its rows, each row a
// value per column in order (string, int64, float64 or nil).
type Table struct {
	Columns []Column
	Rows    [][]any
}

// Record is one of the records behind a figure (drill-down).
type Record struct {
	Kind string `json:"kind"` // opportunity, lead, contact, account, case, activity, campaign
	ID   string `json:"id"`
	Name string `json:"name"`
	// Fields are what the figure counted of it (amount, stage, dates …).
	Fields map[string]any `json:"fields,omitempty"`
}

// Cell names a figure of a report's table: its period, its group and its
// measure (a column's name).
type Cell struct {
	Period  time.Time // zero for a report without periods
	Group   string
	Measure string
}

// Definition is a report.
type Definition struct {
	Name string
	// Contexts are the source contexts whose read models it reads (asOf).
	Contexts []string
	// GroupBys are the groupings it allows; Periodic says whether it has
	// periods (interval applies).
	GroupBys []string
	Periodic bool
	// DefaultGroupBy is the groupBy when the query names none ("" none).
	DefaultGroupBy string
	// Intervals are the intervals it allows when periodic; nil: all of
	// Intervals (forecast: Month, Quarter).
	Intervals []string
	// Columns are the columns its table has (the catalogue lists them; a
	// drill-down's measure is one of them).
	Columns []Column
	// Filter is what its filter may name (libs/filter), over its rows.
	Filter filter.Schema
	// Extra are its own query parameters and their allowed values (nil
	// values: free text), e.g. campaign-roi's model.
	Extra map[string][]string
	// Run computes the table in tx, the caller's tenant transaction.
	Run func(ctx context.Context, tx *sqlx.Tx, p Params) (Table, error)
	// Records lists the records behind cell, at most limit.
	Records func(ctx context.Context, tx *sqlx.Tx, p Params, cell Cell, limit int) ([]Record, error)
}

// Definitions are every report, by name.
func Definitions() map[string]Definition {
	out := map[string]Definition{}
	for _, part := range [][]Definition{{funnel(), forecast()}, salesReports(), customerReports()} {
		for _, d := range part {
			out[d.Name] = d
		}
	}
	return out
}
