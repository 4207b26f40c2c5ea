package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/filter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// Segments are the RFM segments of customer-value, tested in this order.
var Segments = []string{"champions", "loyal", "new", "at_risk", "hibernating", "needs_attention"}

// valueGroups are customer-value's groupings and their columns (none: a
// row per account).
var valueGroups = map[string]string{"segment": "v.segment", "industry": "v.industry", "owner": "v.owner_id"}

// valueFilter is what customer-value's filter may name, of an account.
var valueFilter = filter.Schema{Fields: []filter.Field{
	{Name: "accountId", Column: "v.id", Type: filter.UUID},
	{Name: "industry", Column: "v.industry", Type: filter.String},
	{Name: "ownerId", Column: "v.owner_id", Type: filter.String},
	{Name: "teamId", Column: "v.team_id", Type: filter.String},
	{Name: "segment", Column: "v.segment", Type: filter.Enum, Values: Segments},
}}

// valueColumns are customer-value's columns: a row per account has them
// all (accounts 1); a row per group the group, accounts, monetary and clv.
var valueColumns = []Column{
	{Name: "group", Label: "Group", LabelZh: "分组", Type: TypeString},
	{Name: "name", Label: "Account", LabelZh: "客户", Type: TypeString},
	{Name: "segment", Label: "Segment", LabelZh: "客户分群", Type: TypeString},
	{Name: "accounts", Label: "Accounts", LabelZh: "客户数", Type: TypeInteger},
	{Name: "recency", Label: "Recency (days)", LabelZh: "最近购买（天）", Type: TypeInteger},
	{Name: "frequency", Label: "Frequency", LabelZh: "购买频次", Type: TypeInteger},
	{Name: "monetary", Label: "Monetary", LabelZh: "消费金额", Type: TypeMoney},
	{Name: "recencyScore", Label: "R", LabelZh: "R评分", Type: TypeInteger},
	{Name: "frequencyScore", Label: "F", LabelZh: "F评分", Type: TypeInteger},
	{Name: "monetaryScore", Label: "M", LabelZh: "M评分", Type: TypeInteger},
	{Name: "clv", Label: "Customer lifetime value", LabelZh: "客户终身价值", Type: TypeMoney},
}

// valueReport is customer-value (not periodic; a row per account, or
// groupBy segment, industry or owner): the live accounts (merges
// resolved) with a won opportunity in the report currency closed before
// to, their recency (whole days from the last one to to), frequency and
// monetary value, quintiles of each over the tenant's accounts, RFM
// segment and lifetime value.
func valueReport() Definition {
	return Definition{Name: "customer-value", Contexts: []string{rm.Contacts, rm.Sales},
		GroupBys: []string{"segment", "industry", "owner"}, Filter: valueFilter, Columns: valueColumns,
		Extra: AmountExtra(nil), Run: runValue, Records: valueRecords}
}

// valueAccounts is the SQL of customer-value: with defines won (the won
// opportunities counted, by their account's merge winner) and v (the
// accounts scored), where is the condition on v of the caller's scope and
// the filter. The quintiles are over every account of the tenant.
func valueAccounts(q *reportSQL) (with, where string, err error) {
	scope := q.scope("v.owner_id", "v.team_id")
	filtered, err := q.filter(valueFilter)
	if err != nil {
		return "", "", err
	}
	cur := q.cur()
	return `WITH won AS (
			SELECT coalesce(m.winner_id, o.account_id) AS account_id, o.id, o.name, o.amount_minor, o.closed_at
			FROM rm_opportunities o
			LEFT JOIN rm_merges m ON m.gen = o.gen AND m.kind = 'account' AND m.loser_id = o.account_id
			WHERE o.gen = ` + q.gen() + ` AND NOT o.deleted AND o.status = 'won' AND o.currency = ` + cur + `
				AND o.closed_at < ` + q.to() + ` AND o.account_id IS NOT NULL),
		acc AS (
			SELECT a.id, a.name, a.industry, a.owner_id, a.team_id,
				floor(extract(epoch FROM ` + q.to() + ` - max(w.closed_at)) / 86400)::bigint AS recency,
				count(*) AS frequency, sum(w.amount_minor)::bigint AS monetary,
				floor(extract(epoch FROM ` + q.to() + ` - min(w.closed_at)) / 86400)::bigint AS age
			FROM won w JOIN rm_accounts a ON a.gen = ` + q.gen() + ` AND a.id = w.account_id AND NOT a.deleted AND a.merged_into IS NULL
			GROUP BY a.tenant_id, a.gen, a.id),
		scored AS (
			SELECT acc.*, ntile(5) OVER (ORDER BY recency DESC, id) AS r, ntile(5) OVER (ORDER BY frequency, id) AS f,
				ntile(5) OVER (ORDER BY monetary, id) AS m
			FROM acc),
		v AS (
			SELECT scored.*, CASE WHEN r >= 4 AND f >= 4 THEN 'champions' WHEN r >= 3 AND f >= 3 THEN 'loyal'
				WHEN r >= 4 AND f <= 2 THEN 'new' WHEN r <= 2 AND f >= 3 THEN 'at_risk'
				WHEN r <= 2 AND f <= 2 THEN 'hibernating' ELSE 'needs_attention' END AS segment
			FROM scored)`, scope + ` AND ` + filtered, nil
}

// scoredAccount is an account customer-value counted.
type scoredAccount struct {
	ID        string `db:"id"`
	Name      string `db:"name"`
	Group     string `db:"grp"`
	Segment   string `db:"segment"`
	Recency   int64  `db:"recency"`
	Frequency int64  `db:"frequency"`
	Monetary  int64  `db:"monetary"`
	Age       int64  `db:"age"`
	R         int64  `db:"r"`
	F         int64  `db:"f"`
	M         int64  `db:"m"`
}

// clv is the account's lifetime value in minor units: monetary × 3 /
// max(1, years since its first won opportunity), half-even.
func (a scoredAccount) clv() (int64, error) {
	if a.Age <= 365 {
		return a.Monetary * 3, nil
	}
	var quo, whole apd.Decimal
	if _, err := exact.Quo(&quo, apd.New(a.Monetary*3*365, 0), apd.New(a.Age, 0)); err != nil {
		return 0, fmt.Errorf("reports: clv: %w", err)
	}
	if _, err := exact.Quantize(&whole, &quo, 0); err != nil {
		return 0, fmt.Errorf("reports: clv: %w", err)
	}
	return whole.Int64()
}

// runValue computes customer-value.
func runValue(ctx context.Context, tx *sqlx.Tx, p Params) (Table, error) {
	t := Table{Columns: valueColumns, Rows: [][]any{}}
	if p.Currency.Code == "" {
		return t, nil
	}
	q := newReportSQL(p)
	with, where, err := valueAccounts(q)
	if err != nil {
		return Table{}, err
	}
	var accs []scoredAccount
	sql := with + ` SELECT v.id, v.name, ` + reportGroup(p.GroupBy, valueGroups) + ` AS grp, v.segment, v.recency,
		v.frequency, v.monetary, v.age, v.r, v.f, v.m FROM v WHERE ` + where + ` ORDER BY v.id`
	if err := tx.SelectContext(ctx, &accs, sql, q.Args...); err != nil {
		return Table{}, fmt.Errorf("reports: customer-value: %w", err)
	}
	money := p.Currency.Money
	if p.GroupBy == "" {
		for _, a := range accs {
			clv, err := a.clv()
			if err != nil {
				return Table{}, err
			}
			t.Rows = append(t.Rows, []any{a.ID, a.Name, a.Segment, int64(1), a.Recency, a.Frequency, money(a.Monetary),
				a.R, a.F, a.M, money(clv)})
		}
		return t, nil
	}
	type sums struct{ accounts, monetary, clv int64 }
	groups := map[string]*sums{}
	for _, a := range accs {
		clv, err := a.clv()
		if err != nil {
			return Table{}, err
		}
		g := groups[a.Group]
		if g == nil {
			g = &sums{}
			groups[a.Group] = g
		}
		g.accounts, g.monetary, g.clv = g.accounts+1, g.monetary+a.Monetary, g.clv+clv
	}
	for _, k := range sortedKeys(groups) {
		g, segment := groups[k], ""
		if p.GroupBy == "segment" {
			segment = k
		}
		t.Rows = append(t.Rows, []any{k, "", segment, g.accounts, nil, nil, money(g.monetary), nil, nil, nil, money(g.clv)})
	}
	return t, nil
}

// valueRecords lists the accounts a customer-value cell counted, with
// their figures; for frequency and monetary, their won opportunities
// counted instead.
func valueRecords(ctx context.Context, tx *sqlx.Tx, p Params, cell Cell, limit int) ([]Record, error) {
	if p.Currency.Code == "" {
		return nil, nil
	}
	q := newReportSQL(p)
	with, where, err := valueAccounts(q)
	if err != nil {
		return nil, err
	}
	grp := reportGroup(p.GroupBy, valueGroups)
	if p.GroupBy == "" {
		grp = "v.id::text"
	}
	where += ` AND ` + grp + ` = ` + q.bind(cell.Group)
	if cell.Measure == "frequency" || cell.Measure == "monetary" {
		return valueOpportunities(ctx, tx, q, with+` SELECT w.id, w.name, w.amount_minor, w.closed_at, v.id AS account_id
			FROM v JOIN won w ON w.account_id = v.id WHERE `+where, limit)
	}
	var accs []scoredAccount
	sql := with + ` SELECT v.id, v.name, '' AS grp, v.segment, v.recency, v.frequency, v.monetary, v.age, v.r, v.f, v.m
		FROM v WHERE ` + where + ` ORDER BY v.id LIMIT ` + q.bind(limit)
	if err := tx.SelectContext(ctx, &accs, sql, q.Args...); err != nil {
		return nil, fmt.Errorf("reports: customer-value records: %w", err)
	}
	out := make([]Record, 0, len(accs))
	for _, a := range accs {
		clv, err := a.clv()
		if err != nil {
			return nil, err
		}
		out = append(out, Record{Kind: "account", ID: a.ID, Name: a.Name, Fields: map[string]any{"segment": a.Segment,
			"recency": a.Recency, "frequency": a.Frequency, "monetary": p.Currency.Money(a.Monetary),
			"recencyScore": a.R, "frequencyScore": a.F, "monetaryScore": a.M, "clv": p.Currency.Money(clv)}})
	}
	return out, nil
}

// valueOpportunities lists the won opportunities sql selects (accounts
// of valueAccounts joined to their won opportunities).
func valueOpportunities(ctx context.Context, tx *sqlx.Tx, q *reportSQL, sql string, limit int) ([]Record, error) {
	var opps []struct {
		ID      string    `db:"id"`
		Name    string    `db:"name"`
		Amount  int64     `db:"amount_minor"`
		Closed  time.Time `db:"closed_at"`
		Account string    `db:"account_id"`
	}
	if err := tx.SelectContext(ctx, &opps, sql+` ORDER BY w.closed_at, w.id LIMIT `+q.bind(limit), q.Args...); err != nil {
		return nil, fmt.Errorf("reports: customer-value records: %w", err)
	}
	out := make([]Record, 0, len(opps))
	for _, o := range opps {
		out = append(out, Record{Kind: "opportunity", ID: o.ID, Name: o.Name, Fields: map[string]any{
			"amount": q.p.Currency.Money(o.Amount), "closedAt": o.Closed.UTC().Format(time.RFC3339), "accountId": o.Account}})
	}
	return out, nil
}
