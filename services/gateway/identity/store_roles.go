package identity

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
)

// jsonMap is a jsonb object of strings.
type jsonMap map[string]string

// Scan implements sql.Scanner.
func (m *jsonMap) Scan(src any) error {
	b, ok := src.([]byte)
	if !ok {
		return fmt.Errorf("identity: jsonb is %T", src)
	}
	return json.Unmarshal(b, m)
}

// Value implements driver.Valuer.
func (m jsonMap) Value() (driver.Value, error) {
	if m == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(map[string]string(m))
}

// roleRow is a roles row with its array and jsonb columns.
type roleRow struct {
	Role
	Perms  pq.StringArray `db:"permissions"`
	Scopes jsonMap        `db:"record_scopes"`
}

func (r roleRow) role() Role {
	out := r.Role
	out.Permissions = append([]string{}, r.Perms...)
	out.RecordScopes = make(map[string]auth.Scope, len(r.Scopes))
	for k, v := range r.Scopes {
		out.RecordScopes[k] = auth.Scope(v)
	}
	return out
}

func scopesMap(s map[string]auth.Scope) jsonMap {
	m := make(jsonMap, len(s))
	for k, v := range s {
		m[k] = string(v)
	}
	return m
}

const roleCols = `id, name, description, permissions, record_scopes, builtin, created_at, updated_at, version`

func roleByID(ctx context.Context, tx *sqlx.Tx, id string) (Role, error) {
	if !ids.Valid(id) {
		return Role{}, ErrRoleNotFound
	}
	var r roleRow
	if err := tx.GetContext(ctx, &r, `SELECT `+roleCols+` FROM roles WHERE id = $1`, id); err != nil {
		return Role{}, notFound(err, ErrRoleNotFound)
	}
	return r.role(), nil
}

func listRoles(ctx context.Context, tx *sqlx.Tx, after string, limit int) ([]Role, error) {
	var rows []roleRow
	err := tx.SelectContext(ctx, &rows, `SELECT `+roleCols+` FROM roles
		WHERE ($1 = '' OR id > $1::uuid) ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, pg.MapError(err)
	}
	out := make([]Role, len(rows))
	for i, r := range rows {
		out[i] = r.role()
	}
	return out, nil
}

func insertRole(ctx context.Context, tx *sqlx.Tx, tenantID string, r Role) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO roles (tenant_id, `+roleCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		tenantID, r.ID, r.Name, r.Description, pq.StringArray(r.Permissions), scopesMap(r.RecordScopes),
		r.Builtin, r.CreatedAt, r.UpdatedAt, r.Version)
	if pg.IsUniqueViolation(err, "roles_name") {
		return ErrRoleNameTaken
	}
	return pg.MapError(err)
}

func updateRole(ctx context.Context, tx *sqlx.Tx, r Role) error {
	_, err := tx.ExecContext(ctx, `UPDATE roles SET name = $2, description = $3, permissions = $4,
		record_scopes = $5, updated_at = $6, version = $7 WHERE id = $1`,
		r.ID, r.Name, r.Description, pq.StringArray(r.Permissions), scopesMap(r.RecordScopes), r.UpdatedAt, r.Version)
	if pg.IsUniqueViolation(err, "roles_name") {
		return ErrRoleNameTaken
	}
	return pg.MapError(err)
}

func deleteRole(ctx context.Context, tx *sqlx.Tx, id string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM roles WHERE id = $1`, id)
	return pg.MapError(err)
}
