package identity

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
)

// Person is an active user of the tenant as every colleague may see them:
// who they are and their teams, nothing of their roles, status or sign-ins.
type Person struct {
	ID      string         `json:"id" db:"id"`
	Name    string         `json:"name" db:"name"`
	Email   string         `json:"email" db:"email"`
	TeamIDs pq.StringArray `json:"teamIds" db:"team_ids"`
}

// PersonPage is one page of the people directory.
type PersonPage = Page[Person]

// maxPeopleIDs bounds the ids a people query may resolve at once.
const maxPeopleIDs = 200

// PeopleQuery filters GET /v1/people: Q is part of a name or email (any
// case), IDs the users to resolve, TeamID a team they belong to.
type PeopleQuery struct {
	Q      string
	IDs    []string
	TeamID string
	Cursor string
	Limit  int
}

// ListPeople returns a page of the active users of the caller's tenant that
// match q, in id order. Any signed-in user or API key may read it: the
// console shows colleagues by name, offers them as owners and mentions.
func (s *Service) ListPeople(ctx context.Context, q PeopleQuery) (PersonPage, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return PersonPage{}, auth.ErrUnauthenticated
	}
	v := errs.NewValidator()
	v.Check(len(q.Q) <= 200, "q", "at most 200 characters")
	v.Check(len(q.IDs) <= maxPeopleIDs, "ids", "at most 200 comma-separated user ids")
	for _, id := range q.IDs {
		v.Check(ids.Valid(id), "ids", "comma-separated user ids")
	}
	v.Check(q.TeamID == "" || ids.Valid(q.TeamID), "teamId", "a team id")
	if err := v.Err(); err != nil {
		return PersonPage{}, err
	}
	after, err := s.decodeCursor(q.Cursor)
	if err != nil {
		return PersonPage{}, err
	}
	var page PersonPage
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		items, err := listPeople(ctx, tx, q, after, q.Limit+1)
		page = paginate(s, items, q.Limit, func(x Person) string { return x.ID })
		return err
	})
	return page, err
}

// likeEscaper escapes the wildcards of LIKE (with ESCAPE '\').
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func listPeople(ctx context.Context, tx *sqlx.Tx, q PeopleQuery, after string, limit int) ([]Person, error) {
	pattern := ""
	if q.Q != "" {
		pattern = "%" + likeEscaper.Replace(q.Q) + "%"
	}
	people := []Person{}
	err := tx.SelectContext(ctx, &people, `SELECT u.id, u.name, u.email,
			ARRAY(SELECT ut.team_id::text FROM user_teams ut WHERE ut.user_id = u.id ORDER BY ut.team_id) AS team_ids
		FROM users u
		WHERE u.status = $1
			AND ($2 = '' OR u.id > $2::uuid)
			AND ($3 = '' OR u.name ILIKE $3 ESCAPE '\' OR u.email ILIKE $3 ESCAPE '\')
			AND (coalesce(cardinality($4::uuid[]), 0) = 0 OR u.id = ANY($4::uuid[]))
			AND ($5 = '' OR EXISTS (SELECT 1 FROM user_teams ut WHERE ut.user_id = u.id AND ut.team_id = $5::uuid))
		ORDER BY u.id LIMIT $6`,
		UserActive, after, pattern, pq.StringArray(q.IDs), q.TeamID, limit)
	return people, pg.MapError(err)
}
