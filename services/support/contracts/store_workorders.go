package contracts

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// workOrderRow is a row of work_orders.
type workOrderRow struct {
	ID             string     `db:"id"`
	Number         int64      `db:"number"`
	CaseID         string     `db:"case_id"`
	AccountID      *string    `db:"account_id"`
	AssetID        *string    `db:"asset_id"`
	ProductID      *string    `db:"product_id"`
	SerialNumber   string     `db:"serial_number"`
	Address        string     `db:"address"`
	TechnicianID   string     `db:"technician_id"`
	ScheduledStart *time.Time `db:"scheduled_start"`
	ScheduledEnd   *time.Time `db:"scheduled_end"`
	Parts          []byte     `db:"parts"`
	Labour         []byte     `db:"labour"`
	Status         string     `db:"status"`
	SignOff        []byte     `db:"sign_off"`
	CompletedAt    *time.Time `db:"completed_at"`
	CreatedBy      string     `db:"created_by"`
	CreatedAt      time.Time  `db:"created_at"`
	UpdatedAt      time.Time  `db:"updated_at"`
	Version        int64      `db:"version"`
}

// workOrderColumns are the columns of a workOrderRow.
const workOrderColumns = `id, number, case_id, account_id, asset_id, product_id, serial_number, address, technician_id,
	scheduled_start, scheduled_end, parts, labour, status, sign_off, completed_at, created_by, created_at, updated_at, version`

// utc is t in UTC, nil for nil.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// workOrder is the WorkOrder of r, with its totals.
func (r workOrderRow) workOrder() (WorkOrder, error) {
	w := WorkOrder{ID: r.ID, Number: r.Number, CaseID: r.CaseID, AccountID: pgrecord.Deref(r.AccountID), AssetID: pgrecord.Deref(r.AssetID),
		ProductID: pgrecord.Deref(r.ProductID), SerialNumber: r.SerialNumber, Address: r.Address, TechnicianID: r.TechnicianID,
		ScheduledStart: utc(r.ScheduledStart), ScheduledEnd: utc(r.ScheduledEnd), Status: r.Status, CompletedAt: utc(r.CompletedAt),
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if err := json.Unmarshal(r.Parts, &w.Parts); err != nil {
		return w, fmt.Errorf("read parts: %w", err)
	}
	if err := json.Unmarshal(r.Labour, &w.Labour); err != nil {
		return w, fmt.Errorf("read labour: %w", err)
	}
	if r.SignOff != nil {
		w.SignOff = &SignOff{}
		if err := json.Unmarshal(r.SignOff, w.SignOff); err != nil {
			return w, fmt.Errorf("read sign-off: %w", err)
		}
	}
	return w, w.total()
}

// saveWorkOrder inserts or updates w's row.
func saveWorkOrder(ctx context.Context, tx *outbox.Tx, w *WorkOrder, insert bool) error {
	parts, err := json.Marshal(w.Parts)
	if err != nil {
		return err
	}
	labour, err := json.Marshal(w.Labour)
	if err != nil {
		return err
	}
	var signOff any
	if w.SignOff != nil {
		b, err := json.Marshal(w.SignOff)
		if err != nil {
			return err
		}
		signOff = string(b)
	}
	args := []any{w.ID, w.Number, w.CaseID, pgrecord.OrNull(w.AccountID), pgrecord.OrNull(w.AssetID), pgrecord.OrNull(w.ProductID),
		w.SerialNumber, w.Address, w.TechnicianID, w.ScheduledStart, w.ScheduledEnd, string(parts), string(labour), w.Status, signOff,
		w.CompletedAt, w.CreatedBy, w.CreatedAt, w.UpdatedAt, w.Version}
	q := `UPDATE work_orders SET number = $2, case_id = $3, account_id = $4, asset_id = $5, product_id = $6, serial_number = $7,
		address = $8, technician_id = $9, scheduled_start = $10, scheduled_end = $11, parts = $12, labour = $13, status = $14,
		sign_off = $15, completed_at = $16, created_by = $17, created_at = $18, updated_at = $19, version = $20 WHERE id = $1`
	if insert {
		q = `INSERT INTO work_orders (tenant_id, id, number, case_id, account_id, asset_id, product_id, serial_number, address,
			technician_id, scheduled_start, scheduled_end, parts, labour, status, sign_off, completed_at, created_by, created_at,
			updated_at, version) VALUES (` + pgrecord.CurrentTenant + `, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
			$15, $16, $17, $18, $19, $20)`
	}
	if _, err := tx.Prepared().ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("save work order: %w", pg.MapError(err))
	}
	return nil
}

// getWorkOrder reads the work order id, locking it when lock.
func getWorkOrder(ctx context.Context, tx *outbox.Tx, id string, lock bool) (WorkOrder, error) {
	var r workOrderRow
	if err := pgrecord.GetRow(ctx, tx, &r, "work_orders", workOrderColumns, id, lock, ErrWorkOrderNotFound, "work order"); err != nil {
		return WorkOrder{}, err
	}
	return r.workOrder()
}

// WorkOrderFilter selects work orders: each set field must match.
type WorkOrderFilter struct {
	CaseID, Status, TechnicianID string
}

// listWorkOrders reads up to limit work orders f selects, newest (highest
// number) first, numbered below before (0: from the newest).
func listWorkOrders(ctx context.Context, tx *outbox.Tx, f WorkOrderFilter, before int64, limit int) ([]WorkOrder, error) {
	var q pgrecord.Query
	for _, c := range []struct{ col, v string }{{"case_id", f.CaseID}, {"status", f.Status}, {"technician_id", f.TechnicianID}} {
		if c.v != "" {
			q.Add(c.col+" = ?", c.v)
		}
	}
	if before > 0 {
		q.Add("number < ?", before)
	}
	var rows []workOrderRow
	sql := "SELECT " + workOrderColumns + " FROM work_orders" + q.Where() + fmt.Sprintf(" ORDER BY number DESC LIMIT %d", limit)
	if err := tx.SQL().SelectContext(ctx, &rows, sql, q.Args...); err != nil {
		return nil, fmt.Errorf("list work orders: %w", pg.MapError(err))
	}
	out := make([]WorkOrder, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.workOrder(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
