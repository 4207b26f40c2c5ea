package identity

import (
	"context"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
)

// ConsoleLocales are the languages of the web console.
var ConsoleLocales = []string{"en", "zh-CN"}

// consoleLocale is the console language of a user's locale (a BCP 47 tag):
// Chinese for any zh tag, else English.
func consoleLocale(tag string) string {
	if l := strings.ToLower(tag); l == "zh" || strings.HasPrefix(l, "zh-") {
		return "zh-CN"
	}
	return "en"
}

// Me is the answer of GET /v1/me: the caller's user, tenant and effective
// grants.
type Me struct {
	User User `json:"user"`
	// Locale is the console's language for the user (ConsoleLocales).
	Locale       string                `json:"locale"`
	Tenant       TenantRef             `json:"tenant"`
	Permissions  []string              `json:"permissions"`
	RecordScopes map[string]auth.Scope `json:"recordScopes"`
	Subordinates []string              `json:"subordinateTeams"`
	Scopes       []string              `json:"scopes,omitempty"`
}

// TenantRef names a tenant.
type TenantRef struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// Me describes the caller.
func (s *Service) Me(ctx context.Context) (Me, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return Me{}, auth.ErrUnauthenticated
	}
	t, err := tenantByID(ctx, s.db, p.TenantID)
	if err != nil {
		return Me{}, err
	}
	out := Me{Tenant: TenantRef{ID: t.ID, Slug: t.Slug, Name: t.Name}, Permissions: nonNil(p.Permissions),
		RecordScopes: p.RecordScope, Subordinates: nonNil(p.Subordinates), Scopes: p.Scopes}
	if out.RecordScopes == nil {
		out.RecordScopes = map[string]auth.Scope{}
	}
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		out.User, err = userByID(ctx, tx, p.UserID)
		return err
	})
	out.Locale = consoleLocale(out.User.Locale)
	return out, err
}

// UpdateMeRequest is the body of PATCH /v1/me: the caller's own
// preferences; absent fields are unchanged.
type UpdateMeRequest struct {
	// Locale is the console's language, one of ConsoleLocales; it is stored
	// as the user's locale.
	Locale *string `json:"locale"`
}

// UpdateMe changes the caller's own preferences; any signed-in user may.
func (s *Service) UpdateMe(ctx context.Context, req UpdateMeRequest) (Me, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return Me{}, auth.ErrUnauthenticated
	}
	v := errs.NewValidator()
	v.Check(req.Locale == nil || slices.Contains(ConsoleLocales, *req.Locale), "locale", "en or zh-CN")
	if err := v.Err(); err != nil {
		return Me{}, err
	}
	if req.Locale != nil {
		err := s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
			u, err := userRowByID(ctx, tx, p.UserID)
			if err != nil || u.Locale == *req.Locale {
				return err
			}
			u.Locale, u.UpdatedAt, u.Version = *req.Locale, s.now(), u.Version+1
			return updateUser(ctx, tx, u)
		})
		if err != nil {
			return Me{}, err
		}
	}
	return s.Me(ctx)
}
