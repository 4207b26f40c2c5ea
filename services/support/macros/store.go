package macros

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// macroRow is a row of support_macros.
type macroRow struct {
	ID        string    `db:"id"`
	Name      string    `db:"name"`
	Body      string    `db:"body"`
	Shared    bool      `db:"shared"`
	OwnerID   string    `db:"owner_id"`
	Actions   []byte    `db:"actions"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
	Version   int64     `db:"version"`
}

// macroColumns are the columns of a macroRow.
const macroColumns = "id, name, body, shared, owner_id, actions, created_at, updated_at, version"

// visible is the condition of the macros user sees: the shared ones and
// their own ($1 is user).
const visible = "(shared OR owner_id = $1)"

// macro is the Macro of r.
func (r macroRow) macro() (Macro, error) {
	m := Macro{ID: r.ID, Name: r.Name, Body: r.Body, Shared: r.Shared, OwnerID: r.OwnerID, CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if err := json.Unmarshal(r.Actions, &m.Actions); err != nil {
		return m, fmt.Errorf("read macro actions: %w", err)
	}
	return m, nil
}

// listMacros reads the macros user sees, by name.
func listMacros(ctx context.Context, tx *outbox.Tx, user string) ([]Macro, error) {
	var rows []macroRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+macroColumns+" FROM support_macros WHERE "+visible+
		" ORDER BY lower(name), id", user); err != nil {
		return nil, fmt.Errorf("list macros: %w", pg.MapError(err))
	}
	out := make([]Macro, len(rows))
	for i, r := range rows {
		m, err := r.macro()
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	return out, nil
}

// getMacro reads the macro id if user sees it, locked for the
// transaction when lock.
func getMacro(ctx context.Context, tx *outbox.Tx, user, id string, lock bool) (Macro, error) {
	q := "SELECT " + macroColumns + " FROM support_macros WHERE " + visible + " AND id = $2"
	if lock {
		q += " FOR UPDATE"
	}
	var r macroRow
	err := pg.MapError(tx.SQL().GetContext(ctx, &r, q, user, id))
	if errs.KindOf(err) == errs.NotFound {
		return Macro{}, ErrNotFound
	}
	if err != nil {
		return Macro{}, fmt.Errorf("read macro: %w", err)
	}
	return r.macro()
}

// saveMacro inserts m or updates its row.
func saveMacro(ctx context.Context, tx *outbox.Tx, m Macro, insert bool) error {
	actions, err := json.Marshal(m.Actions)
	if err != nil {
		return err
	}
	q := `UPDATE support_macros SET name = $2, body = $3, shared = $4, owner_id = $5, actions = $6, created_at = $7, updated_at = $8,
		version = $9 WHERE id = $1`
	if insert {
		q = `INSERT INTO support_macros (tenant_id, ` + macroColumns + `) VALUES (` + pgrecord.CurrentTenant + `,
			$1, $2, $3, $4, $5, $6, $7, $8, $9)`
	}
	if _, err := tx.SQL().ExecContext(ctx, q, m.ID, m.Name, m.Body, m.Shared, m.OwnerID, string(actions), m.CreatedAt, m.UpdatedAt,
		m.Version); err != nil {
		return fmt.Errorf("save macro: %w", pg.MapError(err))
	}
	return nil
}

// deleteMacro removes the macro id.
func deleteMacro(ctx context.Context, tx *outbox.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM support_macros WHERE id = $1", id); err != nil {
		return fmt.Errorf("delete macro: %w", pg.MapError(err))
	}
	return nil
}
