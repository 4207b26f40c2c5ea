package identity

import (
	"context"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
)

// TeamRequest is the body of POST /v1/teams and PATCH /v1/teams/{id}.
type TeamRequest struct {
	Name     *string `json:"name"`
	ParentID *string `json:"parentId"`
}

// teamCreated marks a created team for a 201.
type teamCreated struct{ Team }

// StatusCode implements kitx.StatusCoder.
func (teamCreated) StatusCode() int { return 201 }

// CreateTeam adds a team, under ParentID if set (needs teams:manage).
func (s *Service) CreateTeam(ctx context.Context, req TeamRequest) (Team, error) {
	p, err := caller(ctx, PermTeamsManage)
	if err != nil {
		return Team{}, err
	}
	var out Team
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		now := s.now()
		t := Team{ID: ids.New(), CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := s.applyTeam(ctx, tx, &t, req, true); err != nil {
			return err
		}
		out = t
		return insertTeam(ctx, tx, p.TenantID, t)
	})
	return out, err
}

// applyTeam validates req and applies it to t, refusing cycles.
func (s *Service) applyTeam(ctx context.Context, tx *sqlx.Tx, t *Team, req TeamRequest, create bool) error {
	v := errs.NewValidator()
	if req.Name != nil || create {
		name := ""
		if req.Name != nil {
			name = strings.TrimSpace(*req.Name)
		}
		v.Check(name != "" && len(name) <= 200, "name", "required, at most 200 characters")
		t.Name = name
	}
	if err := v.Err(); err != nil {
		return err
	}
	if req.ParentID != nil {
		if *req.ParentID == "" {
			t.ParentID = nil
			return nil
		}
		if _, err := teamByID(ctx, tx, *req.ParentID); err != nil {
			return ErrTeamNotFound.WithDetail("parent team %s does not exist", *req.ParentID)
		}
		above, err := teamAncestors(ctx, tx, *req.ParentID)
		if err != nil {
			return err
		}
		if slices.Contains(above, t.ID) {
			return ErrTeamCycle
		}
		parent := *req.ParentID
		t.ParentID = &parent
	}
	return nil
}

// ListTeams returns a page of teams (needs teams:read).
func (s *Service) ListTeams(ctx context.Context, cursor string, limit int) (TeamPage, error) {
	return listPage(ctx, s, PermTeamsRead, cursor, limit, listTeams, func(x Team) string { return x.ID })
}

// GetTeam returns a team (needs teams:read).
func (s *Service) GetTeam(ctx context.Context, id string) (Team, error) {
	p, err := caller(ctx, PermTeamsRead)
	if err != nil {
		return Team{}, err
	}
	var t Team
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		t, err = teamByID(ctx, tx, id)
		return err
	})
	return t, err
}

// UpdateTeam renames or moves a team (needs teams:manage). Moving one
// changes which teams their managers' record scope reaches: every replica
// reads the tenant's principals again within a second (revocation.go).
func (s *Service) UpdateTeam(ctx context.Context, id string, req TeamRequest, ifMatch *int64) (Team, error) {
	p, err := caller(ctx, PermTeamsManage)
	if err != nil {
		return Team{}, err
	}
	var out Team
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		t, err := teamByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != t.Version {
			return ErrVersionMismatch
		}
		if err := s.applyTeam(ctx, tx, &t, req, false); err != nil {
			return err
		}
		t.UpdatedAt, t.Version = s.now(), t.Version+1
		out = t
		if err := updateTeam(ctx, tx, t); err != nil {
			return err
		}
		if req.ParentID == nil {
			return nil
		}
		return s.revokeTenantGrants(ctx, tx, p.TenantID)
	})
	return out, err
}

// DeleteTeam removes a team without members or sub-teams (needs teams:manage).
func (s *Service) DeleteTeam(ctx context.Context, id string) error {
	p, err := caller(ctx, PermTeamsManage)
	if err != nil {
		return err
	}
	return s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		if _, err := teamByID(ctx, tx, id); err != nil {
			return err
		}
		return deleteTeam(ctx, tx, id)
	})
}
