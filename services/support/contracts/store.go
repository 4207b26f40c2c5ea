package contracts

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// contractRow is a row of service_contracts with the units its usage adds
// up to.
type contractRow struct {
	ID           string     `db:"id"`
	Number       int64      `db:"number"`
	AccountID    string     `db:"account_id"`
	Name         string     `db:"name"`
	StartsOn     time.Time  `db:"starts_on"`
	EndsOn       time.Time  `db:"ends_on"`
	CalendarID   *string    `db:"calendar_id"`
	SLAPolicyID  *string    `db:"sla_policy_id"`
	Kind         string     `db:"entitlement_kind"`
	Total        int        `db:"entitlement_total"`
	Status       string     `db:"status"`
	ReminderDays int        `db:"reminder_days"`
	ExpiringAt   *time.Time `db:"expiring_at"`
	CreatedBy    string     `db:"created_by"`
	CreatedAt    time.Time  `db:"created_at"`
	UpdatedAt    time.Time  `db:"updated_at"`
	Version      int64      `db:"version"`
	Used         int64      `db:"used"`
}

// contractColumns are the columns of a contractRow, of service_contracts c.
const contractColumns = `c.id, c.number, c.account_id, c.name, c.starts_on, c.ends_on, c.calendar_id, c.sla_policy_id,
	c.entitlement_kind, c.entitlement_total, c.status, c.reminder_days, c.expiring_at, c.created_by, c.created_at, c.updated_at,
	c.version, (SELECT coalesce(sum(u.units), 0) FROM contract_usages u WHERE u.contract_id = c.id) AS used`

// contract is the Contract of r.
func (r contractRow) contract() Contract {
	c := Contract{ID: r.ID, Number: r.Number, AccountID: r.AccountID, Name: r.Name, StartDate: r.StartsOn.Format(dateLayout),
		EndDate: r.EndsOn.Format(dateLayout), CalendarID: pgrecord.Deref(r.CalendarID), SLAPolicyID: pgrecord.Deref(r.SLAPolicyID),
		Entitlement: Entitlement{Kind: r.Kind, Total: r.Total}, Status: r.Status, ReminderDays: r.ReminderDays,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if r.ExpiringAt != nil {
		t := r.ExpiringAt.UTC()
		c.ExpiringAt = &t
	}
	c.withUsage(r.Used)
	return c
}

// saveContract inserts or updates c's row.
func saveContract(ctx context.Context, tx *outbox.Tx, c *Contract, insert bool) error {
	args := []any{c.ID, c.Number, c.AccountID, c.Name, c.StartDate, c.EndDate, pgrecord.OrNull(c.CalendarID), pgrecord.OrNull(c.SLAPolicyID),
		c.Entitlement.Kind, c.Entitlement.Total, c.Status, c.ReminderDays, c.ExpiringAt, c.CreatedBy, c.CreatedAt, c.UpdatedAt, c.Version}
	q := `UPDATE service_contracts SET number = $2, account_id = $3, name = $4, starts_on = $5, ends_on = $6, calendar_id = $7,
		sla_policy_id = $8, entitlement_kind = $9, entitlement_total = $10, status = $11, reminder_days = $12, expiring_at = $13,
		created_by = $14, created_at = $15, updated_at = $16, version = $17 WHERE id = $1`
	if insert {
		q = `INSERT INTO service_contracts (tenant_id, id, number, account_id, name, starts_on, ends_on, calendar_id, sla_policy_id,
			entitlement_kind, entitlement_total, status, reminder_days, expiring_at, created_by, created_at, updated_at, version)
			VALUES (` + pgrecord.CurrentTenant + `, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`
	}
	if _, err := tx.Prepared().ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("save service contract: %w", pg.MapError(err))
	}
	return nil
}

// getContract reads the contract id, locking it when lock.
func getContract(ctx context.Context, tx *outbox.Tx, id string, lock bool) (Contract, error) {
	var r contractRow
	q := "SELECT " + contractColumns + " FROM service_contracts c WHERE c.id = $1"
	if lock {
		q += " FOR UPDATE OF c"
	}
	if err := tx.SQL().GetContext(ctx, &r, q, id); err != nil {
		if err = pg.MapError(err); errs.KindOf(err) == errs.NotFound {
			return Contract{}, ErrNotFound
		}
		return Contract{}, fmt.Errorf("read service contract: %w", err)
	}
	return r.contract(), nil
}

// ContractFilter selects contracts: each set field must match.
type ContractFilter struct {
	AccountID, Status string
}

// listContracts reads up to limit contracts f selects, newest (highest
// number) first, numbered below before (0: from the newest).
func listContracts(ctx context.Context, tx *outbox.Tx, f ContractFilter, before int64, limit int) ([]Contract, error) {
	var q pgrecord.Query
	if f.AccountID != "" {
		q.Add("c.account_id = ?", f.AccountID)
	}
	if f.Status != "" {
		q.Add("c.status = ?", f.Status)
	}
	if before > 0 {
		q.Add("c.number < ?", before)
	}
	var rows []contractRow
	sql := "SELECT " + contractColumns + " FROM service_contracts c" + q.Where() + fmt.Sprintf(" ORDER BY c.number DESC LIMIT %d", limit)
	if err := tx.SQL().SelectContext(ctx, &rows, sql, q.Args...); err != nil {
		return nil, fmt.Errorf("list service contracts: %w", pg.MapError(err))
	}
	out := make([]Contract, len(rows))
	for i, r := range rows {
		out[i] = r.contract()
	}
	return out, nil
}

// deleteContract deletes the contract id with its usage.
func deleteContract(ctx context.Context, tx *outbox.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM service_contracts WHERE id = $1", id); err != nil {
		return fmt.Errorf("delete service contract: %w", pg.MapError(err))
	}
	return nil
}

// coveringContract reads the contract of kind that covers the account on
// today (active, today within its dates) and has some entitlement left,
// ending soonest; failing that, one that covers it with none left
// (exhausted). ok is false when no contract of kind covers the account.
// lock locks the account's contracts of kind, so that uses are counted
// one at a time.
func coveringContract(ctx context.Context, tx *outbox.Tx, accountID, kind, today string, lock bool) (c Contract, ok bool, err error) {
	q := "SELECT " + contractColumns + ` FROM service_contracts c
		WHERE c.account_id = $1 AND c.entitlement_kind = $2 AND c.status = 'active' AND c.starts_on <= $3 AND c.ends_on >= $3
		ORDER BY c.ends_on, c.number`
	if lock {
		q += " FOR UPDATE OF c"
	}
	var rows []contractRow
	if err = tx.SQL().SelectContext(ctx, &rows, q, accountID, kind, today); err != nil {
		return c, false, fmt.Errorf("find the account's contract: %w", pg.MapError(err))
	}
	for i, r := range rows {
		if c = r.contract(); c.Entitlement.Remaining > 0 || i == len(rows)-1 {
			return c, true, nil
		}
	}
	return c, false, nil
}

// Usage is one use of a contract's entitlement: a case (Units 1) or a
// completed work order's labour (Units: minutes).
type Usage struct {
	ID         string    `json:"id" db:"id"`
	ContractID string    `json:"contractId" db:"contract_id"`
	Source     string    `json:"source" db:"source"`
	SourceID   string    `json:"sourceId" db:"source_id"`
	Units      int       `json:"units" db:"units"`
	CreatedAt  time.Time `json:"createdAt" db:"created_at"`
}

// The sources of a Usage.
const (
	SourceCase      = "case"
	SourceWorkOrder = "work_order"
)

// addUsage records u unless its source was counted already; it reports
// whether it was added.
func addUsage(ctx context.Context, tx *outbox.Tx, u Usage) (bool, error) {
	res, err := tx.Prepared().ExecContext(ctx, `INSERT INTO contract_usages (tenant_id, id, contract_id, source, source_id, units, created_at)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, source, source_id) DO NOTHING`,
		ids.New(), u.ContractID, u.Source, u.SourceID, u.Units, u.CreatedAt)
	if err != nil {
		return false, fmt.Errorf("record a contract's usage: %w", pg.MapError(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// usageOf reads the usage of source sourceID, if any.
func usageOf(ctx context.Context, tx *outbox.Tx, source, sourceID string) (u Usage, ok bool, err error) {
	err = tx.SQL().GetContext(ctx, &u, `SELECT id, contract_id, source, source_id, units, created_at FROM contract_usages
		WHERE source = $1 AND source_id = $2`, source, sourceID)
	if err = pg.MapError(err); errs.KindOf(err) == errs.NotFound {
		return u, false, nil
	}
	return u, err == nil, err
}

// listUsage reads the usage of the contract id, oldest first.
func listUsage(ctx context.Context, tx *outbox.Tx, id string) ([]Usage, error) {
	out := []Usage{}
	err := tx.SQL().SelectContext(ctx, &out, `SELECT id, contract_id, source, source_id, units, created_at FROM contract_usages
		WHERE contract_id = $1 ORDER BY created_at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("list a contract's usage: %w", pg.MapError(err))
	}
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
	}
	return out, nil
}

// dueContracts reads and locks up to limit of the tenant's active
// contracts ended before today or whose reminder is due unsent, skipping
// those another instance holds.
func dueContracts(ctx context.Context, tx *outbox.Tx, today string, limit int) ([]Contract, error) {
	var rows []contractRow
	err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+contractColumns+` FROM service_contracts c
		WHERE c.status = 'active' AND (c.ends_on < $1 OR (c.expiring_at IS NULL AND c.ends_on - c.reminder_days <= $1))
		ORDER BY c.ends_on, c.id LIMIT $2 FOR UPDATE OF c SKIP LOCKED`, today, limit)
	if err != nil {
		return nil, fmt.Errorf("find contracts due: %w", pg.MapError(err))
	}
	out := make([]Contract, len(rows))
	for i, r := range rows {
		out[i] = r.contract()
	}
	return out, nil
}
