package svcclient

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/rapport-crm/rapport/libs/auth"
)

// Team is a team of the caller's tenant as the gateway's directory holds
// it: its parent (nil at the top) and the ids of the active users who
// manage it.
type Team struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	ParentID *string  `json:"parentId"`
	Managers []string `json:"managers"`
}

// maxTeamDepth bounds the walk up a team hierarchy (the gateway refuses
// cycles; this only guards the walk).
const maxTeamDepth = 64

// Team returns team id of the tenant of ctx's request from the gateway's
// directory, read afresh on every call. A team the tenant does not have is
// ErrTeamNotFound.
func (c *Client) Team(ctx context.Context, id string) (Team, error) {
	token, ok := auth.TokenFrom(ctx)
	if !ok {
		return Team{}, ErrNoCaller
	}
	var t Team
	err := c.gatewayCall(ctx, http.MethodGet, teamsPath+url.PathEscape(id), token, nil, &t)
	var p *Problem
	if errors.As(err, &p) && p.Status == http.StatusNotFound {
		return Team{}, ErrTeamNotFound.WithDetail("team %s not found", id).Wrap(p)
	}
	return t, err
}

// TeamChain returns team id and every team above it, nearest first: whom
// to ask, level by level, for an approval beyond a team's managers.
func (c *Client) TeamChain(ctx context.Context, id string) ([]Team, error) {
	var chain []Team
	for next := &id; next != nil && len(chain) < maxTeamDepth; {
		t, err := c.Team(ctx, *next)
		if err != nil {
			return nil, err
		}
		chain = append(chain, t)
		next = t.ParentID
	}
	return chain, nil
}
