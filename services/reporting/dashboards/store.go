package dashboards

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// dashboardRow is a row of dashboards, its widgets as JSON.
type dashboardRow struct {
	ID          string         `db:"id"`
	Name        string         `db:"name"`
	Description string         `db:"description"`
	Widgets     []byte         `db:"widgets"`
	SharedRoles pq.StringArray `db:"shared_roles"`
	OwnerID     string         `db:"owner_id"`
	CreatedAt   time.Time      `db:"created_at"`
	UpdatedAt   time.Time      `db:"updated_at"`
	Version     int64          `db:"version"`
}

// dashboardColumns are the columns of a dashboardRow.
const dashboardColumns = `id, name, description, widgets, shared_roles, owner_id, created_at, updated_at, version`

// dashboard is the Dashboard of r.
func (r dashboardRow) dashboard() (Dashboard, error) {
	d := Dashboard{ID: r.ID, Name: r.Name, Description: r.Description, SharedRoles: []string(r.SharedRoles), OwnerID: r.OwnerID,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if d.SharedRoles == nil {
		d.SharedRoles = []string{}
	}
	if err := json.Unmarshal(r.Widgets, &d.Widgets); err != nil {
		return Dashboard{}, fmt.Errorf("read dashboard %s's widgets: %w", r.ID, err)
	}
	return d, nil
}

// visibleTo ANDs to q what p may see: its own dashboards and those shared
// with one of its roles; a reporting:admin sees all.
func visibleTo(q *pgrecord.Query, p auth.Principal) {
	if !p.Can(rm.PermAdmin) {
		q.Add("(owner_id = ? OR shared_roles && ?)", p.UserID, pq.StringArray(p.Roles))
	}
}

// listDashboards reads up to n saved dashboards p may see, newest first,
// with ids before before ("" from the newest).
func listDashboards(ctx context.Context, tx *outbox.Tx, p auth.Principal, before string, n int) ([]Dashboard, error) {
	var q pgrecord.Query
	visibleTo(&q, p)
	if before != "" {
		q.Add("id < ?", before)
	}
	var rows []dashboardRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+dashboardColumns+" FROM dashboards"+q.Where()+
		fmt.Sprintf(" ORDER BY id DESC LIMIT %d", n), q.Args...); err != nil {
		return nil, fmt.Errorf("list dashboards: %w", pg.MapError(err))
	}
	out := make([]Dashboard, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.dashboard(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// getDashboard reads the saved dashboard id, locked for the transaction
// when lock.
func getDashboard(ctx context.Context, tx *outbox.Tx, id string, lock bool) (Dashboard, error) {
	var r dashboardRow
	if err := pgrecord.GetRow(ctx, tx, &r, "dashboards", dashboardColumns, id, lock, ErrNotFound, "dashboard"); err != nil {
		return Dashboard{}, err
	}
	return r.dashboard()
}

// saveDashboard inserts d or updates its row.
func saveDashboard(ctx context.Context, tx *outbox.Tx, d Dashboard, insert bool) error {
	widgets, err := json.Marshal(d.Widgets)
	if err != nil {
		return fmt.Errorf("save dashboard: %w", err)
	}
	q := `UPDATE dashboards SET name = $2, description = $3, widgets = $4, shared_roles = $5, owner_id = $6,
		created_at = $7, updated_at = $8, version = $9 WHERE id = $1`
	if insert {
		q = `INSERT INTO dashboards (tenant_id, id, name, description, widgets, shared_roles, owner_id, created_at, updated_at, version)
			VALUES (` + pgrecord.CurrentTenant + `, $1, $2, $3, $4, $5, $6, $7, $8, $9)`
	}
	if _, err := tx.SQL().ExecContext(ctx, q, d.ID, d.Name, d.Description, widgets, pq.StringArray(d.SharedRoles), d.OwnerID,
		d.CreatedAt, d.UpdatedAt, d.Version); err != nil {
		return fmt.Errorf("save dashboard: %w", pg.MapError(err))
	}
	return nil
}

// deleteDashboard removes the dashboard id and the schedules that mail
// it, and returns those.
func deleteDashboard(ctx context.Context, tx *outbox.Tx, id string) ([]Schedule, error) {
	var rows []scheduleRow
	if err := tx.SQL().SelectContext(ctx, &rows, "DELETE FROM report_schedules WHERE dashboard_id = $1 RETURNING "+scheduleColumns, id); err != nil {
		return nil, fmt.Errorf("delete dashboard's schedules: %w", pg.MapError(err))
	}
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM dashboards WHERE id = $1", id); err != nil {
		return nil, fmt.Errorf("delete dashboard: %w", pg.MapError(err))
	}
	out := make([]Schedule, len(rows))
	for i, r := range rows {
		var err error
		if out[i], _, err = r.schedule(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
