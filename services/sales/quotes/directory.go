package quotes

import "context"

// Team is a team of the tenant as the gateway's directory knows it: its
// parent ("" at the top) and the users who manage it.
type Team struct {
	ID       string
	ParentID string
	Managers []string
}

// Directory finds a team of the caller's tenant, with the caller's
// authority from ctx: the gateway's teams, where managers are kept. A
// team it does not know is a nil Team and no error.
type Directory interface {
	Team(ctx context.Context, id string) (*Team, error)
}
