package quotes

import (
	"context"

	"github.com/rapport-crm/rapport/libs/svcclient"
)

// Directory is the gateway's team directory (libs/svcclient's Client):
// a team of the caller's tenant, with the caller's authority from ctx,
// its parent and the active users who manage it. A team the tenant does
// not have is svcclient.ErrTeamNotFound.
type Directory interface {
	Team(ctx context.Context, id string) (svcclient.Team, error)
}
