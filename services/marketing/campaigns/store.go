package campaigns

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// campaignRow is a row of campaigns, its amounts and dates read as text.
type campaignRow struct {
	ID                 string    `db:"id"`
	Name               string    `db:"name"`
	Type               string    `db:"type"`
	Status             string    `db:"status"`
	ParentID           *string   `db:"parent_id"`
	Description        string    `db:"description"`
	BudgetAmount       *string   `db:"budget_amount"`
	BudgetCurrency     *string   `db:"budget_currency"`
	ActualCostAmount   *string   `db:"actual_cost_amount"`
	ActualCostCurrency *string   `db:"actual_cost_currency"`
	StartsOn           *string   `db:"starts_on"`
	EndsOn             *string   `db:"ends_on"`
	OwnerID            string    `db:"owner_id"`
	CreatedBy          string    `db:"created_by"`
	CreatedAt          time.Time `db:"created_at"`
	UpdatedAt          time.Time `db:"updated_at"`
	Version            int64     `db:"version"`
}

// campaignColumns are the columns of a campaignRow.
const campaignColumns = `id, name, type, status, parent_id, description, budget_amount::text AS budget_amount, budget_currency,
	actual_cost_amount::text AS actual_cost_amount, actual_cost_currency, to_char(starts_on, 'YYYY-MM-DD') AS starts_on,
	to_char(ends_on, 'YYYY-MM-DD') AS ends_on, owner_id, created_by, created_at, updated_at, version`

// campaign is the Campaign of r.
func (r campaignRow) campaign() Campaign {
	c := Campaign{ID: r.ID, Name: r.Name, Type: r.Type, Status: r.Status, ParentID: r.ParentID, Description: r.Description,
		StartsOn: r.StartsOn, EndsOn: r.EndsOn, OwnerID: r.OwnerID, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if r.BudgetAmount != nil {
		c.Budget = &Money{Amount: *r.BudgetAmount, Currency: pgrecord.Deref(r.BudgetCurrency)}
	}
	if r.ActualCostAmount != nil {
		c.ActualCost = &Money{Amount: *r.ActualCostAmount, Currency: pgrecord.Deref(r.ActualCostCurrency)}
	}
	return c
}

// Filter selects campaigns: by status, type and parent, each "" for any.
type Filter struct {
	Status, Type, ParentID string
}

// listCampaigns reads up to n campaigns f selects, newest first, with ids
// before before ("" from the newest).
func listCampaigns(ctx context.Context, tx *outbox.Tx, f Filter, before string, n int) ([]Campaign, error) {
	var q pgrecord.Query
	if f.Status != "" {
		q.Add("status = ?", f.Status)
	}
	if f.Type != "" {
		q.Add("type = ?", f.Type)
	}
	if f.ParentID != "" {
		q.Add("parent_id = ?", f.ParentID)
	}
	if before != "" {
		q.Add("id < ?", before)
	}
	var rows []campaignRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+campaignColumns+" FROM campaigns"+q.Where()+
		fmt.Sprintf(" ORDER BY id DESC LIMIT %d", n), q.Args...); err != nil {
		return nil, fmt.Errorf("list campaigns: %w", pg.MapError(err))
	}
	out := make([]Campaign, len(rows))
	for i, r := range rows {
		out[i] = r.campaign()
	}
	return out, nil
}

// getCampaign reads the campaign id, locked for the transaction when lock.
func getCampaign(ctx context.Context, tx *outbox.Tx, id string, lock bool) (Campaign, error) {
	var r campaignRow
	if err := pgrecord.GetRow(ctx, tx, &r, "campaigns", campaignColumns, id, lock, ErrNotFound, "campaign"); err != nil {
		return Campaign{}, err
	}
	return r.campaign(), nil
}

// saveCampaign inserts c or updates its row.
func saveCampaign(ctx context.Context, tx *outbox.Tx, c Campaign, insert bool) error {
	var budget, budgetCur, cost, costCur *string
	if c.Budget != nil {
		budget, budgetCur = &c.Budget.Amount, &c.Budget.Currency
	}
	if c.ActualCost != nil {
		cost, costCur = &c.ActualCost.Amount, &c.ActualCost.Currency
	}
	q := `UPDATE campaigns SET name = $2, type = $3, status = $4, parent_id = $5, description = $6, budget_amount = $7,
		budget_currency = $8, actual_cost_amount = $9, actual_cost_currency = $10, starts_on = $11, ends_on = $12,
		owner_id = $13, created_by = $14, created_at = $15, updated_at = $16, version = $17 WHERE id = $1`
	if insert {
		q = `INSERT INTO campaigns (tenant_id, id, name, type, status, parent_id, description, budget_amount, budget_currency,
			actual_cost_amount, actual_cost_currency, starts_on, ends_on, owner_id, created_by, created_at, updated_at, version)
			VALUES (` + pgrecord.CurrentTenant + `, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`
	}
	if _, err := tx.SQL().ExecContext(ctx, q, c.ID, c.Name, c.Type, c.Status, c.ParentID, c.Description, budget, budgetCur,
		cost, costCur, c.StartsOn, c.EndsOn, c.OwnerID, c.CreatedBy, c.CreatedAt, c.UpdatedAt, c.Version); err != nil {
		return fmt.Errorf("save campaign: %w", pg.MapError(err))
	}
	return nil
}

// deleteCampaign removes the campaign id with its members, unless it has
// children (ErrHasChildren).
func deleteCampaign(ctx context.Context, tx *outbox.Tx, id string) error {
	var children bool
	if err := tx.SQL().GetContext(ctx, &children, "SELECT EXISTS (SELECT 1 FROM campaigns WHERE parent_id = $1)", id); err != nil {
		return fmt.Errorf("read campaign's children: %w", pg.MapError(err))
	}
	if children {
		return ErrHasChildren
	}
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM campaigns WHERE id = $1", id); err != nil {
		return fmt.Errorf("delete campaign: %w", pg.MapError(err))
	}
	return nil
}

// lockHierarchy takes the transaction-scoped lock of the tenant's
// campaign hierarchy.
func lockHierarchy(ctx context.Context, tx *outbox.Tx) error {
	if _, err := tx.SQL().ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('marketing-campaign-hierarchy'),
		hashtext(current_setting('app.tenant_id', true)))`); err != nil {
		return fmt.Errorf("lock the campaign hierarchy: %w", pg.MapError(err))
	}
	return nil
}

// ancestors are the ids of the campaign id and its ancestors, up to the
// root (bounded, should the data hold a cycle).
func ancestors(ctx context.Context, tx *outbox.Tx, id string) ([]string, error) {
	var out []string
	err := tx.SQL().SelectContext(ctx, &out, `WITH RECURSIVE up (id, parent_id, depth) AS (
			SELECT id, parent_id, 1 FROM campaigns WHERE id = $1
			UNION ALL SELECT c.id, c.parent_id, up.depth + 1 FROM campaigns c JOIN up ON c.id = up.parent_id WHERE up.depth < 1000)
		SELECT id FROM up`, id)
	if err != nil {
		return nil, fmt.Errorf("read campaign's ancestors: %w", pg.MapError(err))
	}
	return out, nil
}

// memberCounts are the members of the campaign id per status (every
// status, 0 for none).
func memberCounts(ctx context.Context, tx *outbox.Tx, id string) (map[string]int, error) {
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT status, count(*) AS n FROM campaign_members WHERE campaign_id = $1 GROUP BY status",
		id); err != nil {
		return nil, fmt.Errorf("count campaign's members: %w", pg.MapError(err))
	}
	out := emptyCounts()
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}
