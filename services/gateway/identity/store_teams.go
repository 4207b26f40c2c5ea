package identity

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
)

const teamCols = `id, name, parent_id, created_at, updated_at, version`

func teamByID(ctx context.Context, tx *sqlx.Tx, id string) (Team, error) {
	if !ids.Valid(id) {
		return Team{}, ErrTeamNotFound
	}
	var t Team
	if err := tx.GetContext(ctx, &t, `SELECT `+teamCols+` FROM teams WHERE id = $1`, id); err != nil {
		return Team{}, notFound(err, ErrTeamNotFound)
	}
	return t, nil
}

func listTeams(ctx context.Context, tx *sqlx.Tx, after string, limit int) ([]Team, error) {
	out := []Team{}
	err := tx.SelectContext(ctx, &out, `SELECT `+teamCols+` FROM teams
		WHERE ($1 = '' OR id > $1::uuid) ORDER BY id LIMIT $2`, after, limit)
	return out, pg.MapError(err)
}

func insertTeam(ctx context.Context, tx *sqlx.Tx, tenantID string, t Team) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO teams (tenant_id, `+teamCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		tenantID, t.ID, t.Name, t.ParentID, t.CreatedAt, t.UpdatedAt, t.Version)
	if pg.IsUniqueViolation(err, "teams_name") {
		return ErrTeamNameTaken
	}
	return pg.MapError(err)
}

func updateTeam(ctx context.Context, tx *sqlx.Tx, t Team) error {
	_, err := tx.ExecContext(ctx, `UPDATE teams SET name = $2, parent_id = $3, updated_at = $4, version = $5 WHERE id = $1`,
		t.ID, t.Name, t.ParentID, t.UpdatedAt, t.Version)
	if pg.IsUniqueViolation(err, "teams_name") {
		return ErrTeamNameTaken
	}
	return pg.MapError(err)
}

// teamAncestors returns the ids of team id and every team above it.
func teamAncestors(ctx context.Context, tx *sqlx.Tx, id string) ([]string, error) {
	var ids []string
	err := tx.SelectContext(ctx, &ids, `
		WITH RECURSIVE up(id, parent_id) AS (
			SELECT id, parent_id FROM teams WHERE id = $1
			UNION
			SELECT t.id, t.parent_id FROM teams t JOIN up ON t.id = up.parent_id
		) SELECT id FROM up`, id)
	return ids, pg.MapError(err)
}

// deleteTeam removes a team that has neither members nor sub-teams.
func deleteTeam(ctx context.Context, tx *sqlx.Tx, id string) error {
	var busy bool
	if err := tx.GetContext(ctx, &busy, `SELECT EXISTS (SELECT 1 FROM user_teams WHERE team_id = $1)
		OR EXISTS (SELECT 1 FROM teams WHERE parent_id = $1)`, id); err != nil {
		return pg.MapError(err)
	}
	if busy {
		return ErrTeamHasMembers
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM teams WHERE id = $1`, id)
	return pg.MapError(err)
}

// teamManagers returns the ids of the active users who manage team id, in
// id order.
func teamManagers(ctx context.Context, tx *sqlx.Tx, id string) ([]string, error) {
	out := []string{}
	err := tx.SelectContext(ctx, &out, `SELECT ut.user_id FROM user_teams ut
		JOIN users u ON u.tenant_id = ut.tenant_id AND u.id = ut.user_id
		WHERE ut.team_id = $1 AND ut.manager AND u.status = 'active' ORDER BY ut.user_id`, id)
	return out, pg.MapError(err)
}
