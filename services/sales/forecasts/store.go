package forecasts

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/sales/deals"
	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
	"github.com/rapport-crm/rapport/services/sales/money"
)

// Store keeps the tenant's exchange rates and overrides and reads the
// opportunities' sums.
type Store struct{ db *outbox.DB }

// NewStore returns the Store on db.
func NewStore(db *outbox.DB) *Store { return &Store{db: db} }

// keyColumn is the column a grouping groups by.
var keyColumn = map[string]string{GroupTenant: "''", GroupOwner: "owner_id", GroupTeam: "team_id"}

// inputs is what a forecast is computed from, read in one transaction.
type inputs struct {
	rows      []sumRow
	rates     *Rates
	overrides []Override
}

// read reads, for p, the sums of the opportunities of req that p may see
// (aggregated in SQL per group, currency and category, in that order, so
// that a missing rate is named the same way each time), the tenant's rates
// (empty when unset) and the period's overrides of req's grouping.
func (s *Store) read(ctx context.Context, p auth.Principal, req Request) (in inputs, err error) {
	q := &pgrecord.Query{}
	q.Add("deleted_at IS NULL")
	q.Add("close_date >= ?::date", req.Period.From)
	q.Add("close_date <= ?::date", req.Period.To)
	deals.Scope(q, p, "")
	if req.OwnerID != "" {
		q.Add("owner_id = ?", req.OwnerID)
	}
	if req.TeamID != "" {
		q.Add("team_id = ?", req.TeamID)
	}
	sql := "SELECT " + keyColumn[req.GroupBy] + ` AS key, coalesce(currency, '') AS currency, forecast_category AS category, count(*) AS n,
		coalesce(sum(amount_minor), 0)::text AS total, coalesce(sum(amount_minor::numeric * probability), 0)::text AS weighted
		FROM opportunities` + q.Where() + " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		if err := tx.SQL().SelectContext(ctx, &in.rows, sql, q.Args...); err != nil {
			return fmt.Errorf("forecast sums: %w", pg.MapError(err))
		}
		if in.rates, err = getRates(ctx, tx); err != nil {
			return err
		}
		if req.GroupBy == GroupTenant {
			return nil
		}
		in.overrides, err = listOverrides(ctx, tx, req.Period.Name, req.GroupBy)
		return err
	})
	return in, err
}

// ratesRow is the row of forecast_rates.
type ratesRow struct {
	Base      string    `db:"base_currency"`
	Rates     []byte    `db:"rates"`
	UpdatedAt time.Time `db:"updated_at"`
	UpdatedBy string    `db:"updated_by"`
}

// getRates reads the tenant's rates; empty when unset.
func getRates(ctx context.Context, tx *outbox.Tx) (*Rates, error) {
	var r ratesRow
	err := tx.SQL().GetContext(ctx, &r, "SELECT base_currency, rates, updated_at, updated_by FROM forecast_rates")
	if errs.KindOf(pg.MapError(err)) == errs.NotFound {
		return &Rates{Rates: map[string]string{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get rates: %w", pg.MapError(err))
	}
	out := &Rates{BaseCurrency: r.Base, UpdatedBy: r.UpdatedBy}
	at := r.UpdatedAt.UTC()
	out.UpdatedAt = &at
	return out, json.Unmarshal(r.Rates, &out.Rates)
}

// Rates reads the tenant's rates.
func (s *Store) Rates(ctx context.Context, tenant string) (out *Rates, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		out, err = getRates(ctx, tx)
		return err
	})
	return out, err
}

// SetRates replaces the tenant's rates.
func (s *Store) SetRates(ctx context.Context, tenant string, r *Rates) error {
	b, err := json.Marshal(r.Rates)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		_, err := tx.SQL().ExecContext(ctx, `INSERT INTO forecast_rates (tenant_id, base_currency, rates, updated_at, updated_by)
			VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4) ON CONFLICT (tenant_id) DO UPDATE
			SET base_currency = EXCLUDED.base_currency, rates = EXCLUDED.rates, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
			r.BaseCurrency, string(b), *r.UpdatedAt, r.UpdatedBy)
		if err != nil {
			return fmt.Errorf("set rates: %w", pg.MapError(err))
		}
		return nil
	})
}

// overrideRow is a row of forecast_overrides.
type overrideRow struct {
	Period      string    `db:"period"`
	SubjectKind string    `db:"subject_kind"`
	SubjectID   string    `db:"subject_id"`
	Category    string    `db:"category"`
	AmountMinor int64     `db:"amount_minor"`
	Currency    string    `db:"currency"`
	Note        string    `db:"note"`
	SetBy       string    `db:"set_by"`
	SetAt       time.Time `db:"set_at"`
}

// listOverrides reads the overrides of period on owners or teams (kind).
func listOverrides(ctx context.Context, tx *outbox.Tx, period, kind string) ([]Override, error) {
	var rows []overrideRow
	if err := tx.SQL().SelectContext(ctx, &rows, `SELECT period, subject_kind, subject_id, category, amount_minor, currency, note, set_by, set_at
		FROM forecast_overrides WHERE period = $1 AND subject_kind = $2 ORDER BY subject_id, category`, period, kind); err != nil {
		return nil, fmt.Errorf("list overrides: %w", pg.MapError(err))
	}
	out := make([]Override, len(rows))
	for i, r := range rows {
		exp, _ := money.Exponent(r.Currency)
		out[i] = Override{Period: r.Period, Category: r.Category, Note: r.Note, SetBy: r.SetBy, SetAt: r.SetAt.UTC(),
			Amount: money.Money{Minor: r.AmountMinor, Currency: r.Currency, Exponent: &exp}}
		if r.SubjectKind == GroupOwner {
			out[i].OwnerID = r.SubjectID
		} else {
			out[i].TeamID = r.SubjectID
		}
	}
	return out, nil
}

// SetOverride stores o, replacing the override of its period, subject and
// category, and publishes forecast.overridden, its subject OverrideSubject.
func (s *Store) SetOverride(ctx context.Context, tenant string, o *Override) error {
	kind, id := GroupOwner, o.OwnerID
	if o.TeamID != "" {
		kind, id = GroupTeam, o.TeamID
	}
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		_, err := tx.SQL().ExecContext(ctx, `INSERT INTO forecast_overrides (tenant_id, period, subject_kind, subject_id, category, amount_minor, currency, note, set_by, set_at)
			VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant_id, period, subject_kind, subject_id, category) DO UPDATE
			SET amount_minor = EXCLUDED.amount_minor, currency = EXCLUDED.currency, note = EXCLUDED.note, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at`,
			o.Period, kind, id, o.Category, o.Amount.Minor, o.Amount.Currency, o.Note, o.SetBy, o.SetAt)
		if err != nil {
			return fmt.Errorf("set override: %w", pg.MapError(err))
		}
		return tx.Emit(ctx, pgstore.EntityForecast, pgstore.VerbOverridden, OverrideSubject(o.Period, kind, id), o, nil)
	})
}

// OverrideSubject is the subject of the events of the overrides of an
// owner's or a team's (kind) figures in a period: a UUID (version 5) of
// "period/kind/id", the same for each of its categories and every change.
func OverrideSubject(period, kind, id string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("rapport:forecast-override:"+period+"/"+kind+"/"+id)).String()
}
