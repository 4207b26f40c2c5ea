package identity

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
)

// userRow is a users row with the columns the API never shows.
type userRow struct {
	User
	PasswordHash string         `db:"password_hash"`
	OIDCSubject  sql.NullString `db:"oidc_subject"`
}

const userCols = `id, email, name, password_hash, status, locale, time_zone, oidc_subject,
	last_login_at, created_at, updated_at, version`

// notFound maps sql.ErrNoRows (and RLS refusals) to the domain error nf.
func notFound(err error, nf *errs.Error) error {
	mapped := pg.MapError(err)
	if errs.KindOf(mapped) == errs.NotFound {
		return nf
	}
	return mapped
}

func userByEmail(ctx context.Context, tx *sqlx.Tx, email string) (userRow, error) {
	var u userRow
	err := tx.GetContext(ctx, &u, `SELECT `+userCols+` FROM users WHERE lower(email) = lower($1)`, email)
	return u, notFound(err, ErrUserNotFound)
}

func userByOIDCSubject(ctx context.Context, tx *sqlx.Tx, subject string) (userRow, error) {
	var u userRow
	err := tx.GetContext(ctx, &u, `SELECT `+userCols+` FROM users WHERE oidc_subject = $1`, subject)
	return u, notFound(err, ErrUserNotFound)
}

func userRowByID(ctx context.Context, tx *sqlx.Tx, id string) (userRow, error) {
	if !ids.Valid(id) {
		return userRow{}, ErrUserNotFound
	}
	var u userRow
	err := tx.GetContext(ctx, &u, `SELECT `+userCols+` FROM users WHERE id = $1`, id)
	return u, notFound(err, ErrUserNotFound)
}

// userByID reads a user with their roles and teams.
func userByID(ctx context.Context, tx *sqlx.Tx, id string) (User, error) {
	r, err := userRowByID(ctx, tx, id)
	if err != nil {
		return User{}, err
	}
	u := r.User
	if err := fillUsers(ctx, tx, []*User{&u}); err != nil {
		return User{}, err
	}
	return u, nil
}

// fillUsers loads the role names and team memberships of users.
func fillUsers(ctx context.Context, tx *sqlx.Tx, users []*User) error {
	if len(users) == 0 {
		return nil
	}
	ids := make([]string, len(users))
	byID := make(map[string]*User, len(users))
	for i, u := range users {
		ids[i] = u.ID
		byID[u.ID] = u
		u.Roles, u.Teams = []string{}, []TeamMembership{}
	}
	var roles []struct {
		UserID string `db:"user_id"`
		Name   string `db:"name"`
	}
	if err := tx.SelectContext(ctx, &roles, `SELECT ur.user_id, r.name FROM user_roles ur
		JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
		WHERE ur.user_id = ANY($1::uuid[]) ORDER BY r.name`, pq.StringArray(ids)); err != nil {
		return pg.MapError(err)
	}
	for _, r := range roles {
		byID[r.UserID].Roles = append(byID[r.UserID].Roles, r.Name)
	}
	var teams []struct {
		UserID string `db:"user_id"`
		TeamMembership
	}
	if err := tx.SelectContext(ctx, &teams, `SELECT user_id, team_id, manager FROM user_teams
		WHERE user_id = ANY($1::uuid[]) ORDER BY team_id`, pq.StringArray(ids)); err != nil {
		return pg.MapError(err)
	}
	for _, t := range teams {
		byID[t.UserID].Teams = append(byID[t.UserID].Teams, t.TeamMembership)
	}
	return nil
}

func listUsers(ctx context.Context, tx *sqlx.Tx, after string, limit int) ([]User, error) {
	var rows []userRow
	err := tx.SelectContext(ctx, &rows, `SELECT `+userCols+` FROM users
		WHERE ($1 = '' OR id > $1::uuid) ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, pg.MapError(err)
	}
	out := make([]User, len(rows))
	ptrs := make([]*User, len(rows))
	for i := range rows {
		out[i] = rows[i].User
		ptrs[i] = &out[i]
	}
	return out, fillUsers(ctx, tx, ptrs)
}

func insertUser(ctx context.Context, tx *sqlx.Tx, tenantID string, u userRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO users (tenant_id, `+userCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		tenantID, u.ID, u.Email, u.Name, u.PasswordHash, u.Status, u.Locale, u.TimeZone, u.OIDCSubject,
		u.LastLoginAt, u.CreatedAt, u.UpdatedAt, u.Version)
	if pg.IsUniqueViolation(err, "users_email") {
		return ErrEmailTaken
	}
	return pg.MapError(err)
}

func updateUser(ctx context.Context, tx *sqlx.Tx, u userRow) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET name = $2, password_hash = $3, status = $4, locale = $5,
		time_zone = $6, oidc_subject = $7, last_login_at = $8, updated_at = $9, version = $10 WHERE id = $1`,
		u.ID, u.Name, u.PasswordHash, u.Status, u.Locale, u.TimeZone, u.OIDCSubject, u.LastLoginAt, u.UpdatedAt, u.Version)
	return pg.MapError(err)
}

// setUserRoles replaces a user's roles by the roles of the given names.
func setUserRoles(ctx context.Context, tx *sqlx.Tx, tenantID, userID string, names []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = $1`, userID); err != nil {
		return pg.MapError(err)
	}
	if len(names) == 0 {
		return nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO user_roles (tenant_id, user_id, role_id)
		SELECT $1, $2, id FROM roles WHERE name = ANY($3)`, tenantID, userID, pq.StringArray(names))
	if err != nil {
		return pg.MapError(err)
	}
	if n, _ := res.RowsAffected(); int(n) != len(uniq(names)) {
		return ErrRoleNotFound.WithDetail("a role named in roles does not exist")
	}
	return nil
}

// setUserTeams replaces a user's team memberships.
func setUserTeams(ctx context.Context, tx *sqlx.Tx, tenantID, userID string, teams []TeamMembership) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_teams WHERE user_id = $1`, userID); err != nil {
		return pg.MapError(err)
	}
	for _, m := range teams {
		if !ids.Valid(m.TeamID) {
			return ErrTeamNotFound
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO user_teams (tenant_id, user_id, team_id, manager)
			VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, user_id, team_id) DO UPDATE SET manager = EXCLUDED.manager`,
			tenantID, userID, m.TeamID, m.Manager)
		if err != nil {
			if errs.KindOf(pg.MapError(err)) == errs.Invalid {
				return ErrTeamNotFound.WithDetail("team %s does not exist", m.TeamID)
			}
			return pg.MapError(err)
		}
	}
	return nil
}

// principalRow holds what a principal is built from.
type grants struct {
	Roles        []string
	Teams        []string
	Subordinates []string
	Permissions  []string
	RecordScopes []map[string]string
}

// loadGrants reads a user's roles with their permissions and scopes, their
// teams, and the teams under the teams they manage (recursively).
func loadGrants(ctx context.Context, tx *sqlx.Tx, userID string) (grants, error) {
	var g grants
	var roles []struct {
		Name   string         `db:"name"`
		Perms  pq.StringArray `db:"permissions"`
		Scopes jsonMap        `db:"record_scopes"`
	}
	if err := tx.SelectContext(ctx, &roles, `SELECT r.name, r.permissions, r.record_scopes FROM user_roles ur
		JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
		WHERE ur.user_id = $1 ORDER BY r.name`, userID); err != nil {
		return g, pg.MapError(err)
	}
	for _, r := range roles {
		g.Roles = append(g.Roles, r.Name)
		g.Permissions = append(g.Permissions, r.Perms...)
		g.RecordScopes = append(g.RecordScopes, r.Scopes)
	}
	if err := tx.SelectContext(ctx, &g.Teams, `SELECT team_id FROM user_teams WHERE user_id = $1 ORDER BY team_id`, userID); err != nil {
		return g, pg.MapError(err)
	}
	if err := tx.SelectContext(ctx, &g.Subordinates, `
		WITH RECURSIVE sub(id) AS (
			SELECT t.id FROM teams t
			JOIN user_teams ut ON ut.tenant_id = t.tenant_id AND ut.team_id = t.parent_id
			WHERE ut.user_id = $1 AND ut.manager
			UNION
			SELECT t.id FROM teams t JOIN sub ON t.parent_id = sub.id
		)
		SELECT id FROM sub ORDER BY id`, userID); err != nil {
		return g, pg.MapError(err)
	}
	return g, nil
}

// uniq returns the distinct strings of s in order.
func uniq(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := make([]string, 0, len(s))
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
