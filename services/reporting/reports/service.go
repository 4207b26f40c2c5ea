package reports

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// Result is a report computed: its name, period, interval ("" when it has
// no periods), grouping, currency ("" when it has no amounts or the
// tenant no opportunities), the time of the newest event applied to what
// it read (zero: none) and its table.
type Result struct {
	Report   string
	From, To time.Time
	Interval string
	GroupBy  string
	Currency string
	AsOf     time.Time
	Table    Table
}

// Records are the records behind a figure of a report (the drill-down).
type Records struct {
	Report  string    `json:"report"`
	Period  string    `json:"period,omitempty"`
	Group   string    `json:"group"`
	Measure string    `json:"measure"`
	AsOf    time.Time `json:"-"`
	Items   []Record  `json:"records"`
}

// now is the clock of named ranges and default periods.
var now = time.Now

// Run computes the report name in tx (a transaction of p's tenant) for
// the query q, validated exactly as GET /v1/reports/{name} validates it,
// over the active generation and limited to p's record scope.
func Run(ctx context.Context, tx *sqlx.Tx, name string, q url.Values, p auth.Principal) (Result, error) {
	d, err := lookup(name)
	if err != nil {
		return Result{}, err
	}
	params, err := parseParams(d, q, now().UTC())
	if err != nil {
		return Result{}, err
	}
	return run(ctx, tx, d, params, p)
}

// run computes d for params in tx.
func run(ctx context.Context, tx *sqlx.Tx, d Definition, params Params, p auth.Principal) (Result, error) {
	if err := prepare(ctx, tx, d, &params, p); err != nil {
		return Result{}, err
	}
	table, err := d.Run(ctx, tx, params)
	if err != nil {
		return Result{}, err
	}
	asOf, err := rm.AsOf(ctx, tx, params.Gen, d.Contexts...)
	if err != nil {
		return Result{}, err
	}
	return Result{Report: d.Name, From: params.From, To: params.To, Interval: params.Interval, GroupBy: params.GroupBy,
		Currency: params.Currency.Code, AsOf: asOf, Table: table}, nil
}

// prepare completes params in tx: the active generation, the caller and
// the report currency when d has amounts. It turns PostgreSQL's JIT off
// for the rest of tx: a report's statement over a large tenant is costed
// above the JIT thresholds, and compiling it took longer than running it
// (0.3–5 s of a request at 1,000,000 events' worth of rows, bench part 14).
func prepare(ctx context.Context, tx *sqlx.Tx, d Definition, params *Params, p auth.Principal) error {
	if _, err := tx.ExecContext(ctx, `SET LOCAL jit = off`); err != nil {
		return fmt.Errorf("reports: jit off: %w", err)
	}
	gen, err := rm.Active(ctx, tx)
	if err != nil {
		return err
	}
	params.Gen, params.Principal = gen, p
	if HasAmounts(d) {
		c, err := ReportCurrency(ctx, tx, gen, params.Extra.Get(CurrencyParam))
		if err != nil {
			return err
		}
		params.Currency = c
	}
	return nil
}

// HasAmounts reports whether d has amount measures (a currency parameter).
func HasAmounts(d Definition) bool {
	_, ok := d.Extra[CurrencyParam]
	return ok
}

// lookup returns the report called name; an unknown name is Invalid,
// naming the reports there are.
func lookup(name string) (Definition, error) {
	defs := Definitions()
	d, ok := defs[name]
	if !ok {
		return Definition{}, invalid("name", "no report "+strconv.Quote(name)+"; "+oneOf(sortedKeys(defs)))
	}
	return d, nil
}

// RecordsQuery asks for the records behind a figure: the report's query
// and the figure's period, group, measure and the limit.
type RecordsQuery struct {
	Name, Period, Group, Measure string
	Limit                        int
	Query                        url.Values
}

// The drill-down's own query parameters.
const (
	paramPeriod  = "period"
	paramGroup   = "group"
	paramMeasure = "measure"
	paramLimit   = "limit"
)

// records lists the records behind the figure rq names, in tx.
func records(ctx context.Context, tx *sqlx.Tx, rq RecordsQuery, p auth.Principal) (Records, error) {
	d, err := lookup(rq.Name)
	if err != nil {
		return Records{}, err
	}
	params, err := parseParams(d, rq.Query, now().UTC(), paramPeriod, paramGroup, paramMeasure, paramLimit)
	if err != nil {
		return Records{}, err
	}
	cell, err := parseCell(d, params, rq)
	if err != nil {
		return Records{}, err
	}
	if d.Records == nil {
		return Records{}, invalid("name", "report "+d.Name+" has no drill-down")
	}
	if err := prepare(ctx, tx, d, &params, p); err != nil {
		return Records{}, err
	}
	items, err := d.Records(ctx, tx, params, cell, rq.Limit)
	if err != nil {
		return Records{}, err
	}
	asOf, err := rm.AsOf(ctx, tx, params.Gen, d.Contexts...)
	if err != nil {
		return Records{}, err
	}
	if items == nil {
		items = []Record{}
	}
	return Records{Report: d.Name, Period: rq.Period, Group: cell.Group, Measure: cell.Measure, AsOf: asOf, Items: items}, nil
}

// parseCell reads the figure a drill-down names: its period (a periodic
// report's, the start of one of its periods), group and measure (one of
// d's measure columns).
func parseCell(d Definition, params Params, rq RecordsQuery) (Cell, error) {
	v := errs.NewValidator()
	cell := Cell{Group: rq.Group, Measure: rq.Measure}
	if d.Periodic {
		t, err := time.Parse(time.DateOnly, rq.Period)
		v.Check(err == nil && Bucket(t, params.Interval).Equal(t), paramPeriod,
			"must be the first day of one of the report's "+params.Interval+" periods (2026-03-01)")
		cell.Period = t
	} else {
		v.Check(rq.Period == "", paramPeriod, "report "+d.Name+" has no periods")
	}
	var measures []string
	for _, c := range d.Columns {
		if c.Type != TypePeriod && c.Type != TypeString {
			measures = append(measures, c.Name)
		}
	}
	v.Check(rq.Measure != "" && (measures == nil || slices.Contains(measures, rq.Measure)), paramMeasure, oneOf(measures))
	return cell, v.Err()
}

// Service is the API of reports: the catalogue, a report, the records
// behind a figure; each in the caller's tenant and record scope.
type Service interface {
	// Catalogue lists every report with its parameters and columns.
	Catalogue(ctx context.Context) ([]Entry, error)
	// Report computes the report name for the query q.
	Report(ctx context.Context, name string, q url.Values) (Result, error)
	// Records lists the records behind a figure.
	Records(ctx context.Context, rq RecordsQuery) (Records, error)
}

// service is the Service on a database.
type service struct{ db *outbox.DB }

// NewService returns the Service on db.
func NewService(db *outbox.DB) Service { return &service{db: db} }

// Entry is a report in the catalogue.
type Entry struct {
	Name      string              `json:"name"`
	Periodic  bool                `json:"periodic"`
	Intervals []string            `json:"intervals"`
	GroupBys  []string            `json:"groupBys"`
	GroupBy   string              `json:"defaultGroupBy"`
	Extra     map[string][]string `json:"extra"`
	Filter    []string            `json:"filterFields"`
	Columns   []Column            `json:"columns"`
	Drill     bool                `json:"drillDown"`
}

// Catalogue implements Service.
func (s *service) Catalogue(context.Context) ([]Entry, error) {
	defs := Definitions()
	out := make([]Entry, 0, len(defs))
	for _, name := range sortedKeys(defs) {
		d := defs[name]
		e := Entry{Name: d.Name, Periodic: d.Periodic, Intervals: []string{}, GroupBys: nonNil(d.GroupBys), GroupBy: d.DefaultGroupBy,
			Extra: map[string][]string{}, Filter: []string{}, Columns: d.Columns, Drill: d.Records != nil}
		if d.Periodic {
			e.Intervals = Intervals
			if d.Intervals != nil {
				e.Intervals = d.Intervals
			}
		}
		for k, v := range d.Extra {
			e.Extra[k] = nonNil(v)
		}
		for _, f := range d.Filter.Fields {
			e.Filter = append(e.Filter, f.Name)
		}
		if e.Columns == nil {
			e.Columns = []Column{}
		}
		out = append(out, e)
	}
	return out, nil
}

// nonNil returns s, or an empty slice for nil (a JSON array).
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Report implements Service.
func (s *service) Report(ctx context.Context, name string, q url.Values) (out Result, err error) {
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		out, err = Run(ctx, tx.SQL(), name, q, p)
		return err
	})
	return out, err
}

// Records implements Service.
func (s *service) Records(ctx context.Context, rq RecordsQuery) (out Records, err error) {
	err = s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		out, err = records(ctx, tx.SQL(), rq, p)
		return err
	})
	return out, err
}
