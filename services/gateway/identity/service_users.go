package identity

import (
	"context"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
)

// caller returns the principal of ctx after checking permission.
func caller(ctx context.Context, permission string) (auth.Principal, error) {
	if err := auth.Require(ctx, permission); err != nil {
		return auth.Principal{}, err
	}
	p, _ := auth.PrincipalFrom(ctx)
	return p, nil
}

// InviteUserRequest is the body of POST /v1/users.
type InviteUserRequest struct {
	Email    string           `json:"email"`
	Name     string           `json:"name"`
	Locale   string           `json:"locale"`
	TimeZone string           `json:"timeZone"`
	Roles    []string         `json:"roles"`
	Teams    []TeamMembership `json:"teams"`
}

// StatusCode implements kitx.StatusCoder for the invitation answer.
func (Invitation) StatusCode() int { return 201 }

// InviteUser creates a user with status invited and returns the invitation
// token that activates them (needs users:manage).
func (s *Service) InviteUser(ctx context.Context, req InviteUserRequest) (Invitation, error) {
	p, err := caller(ctx, PermUsersManage)
	if err != nil {
		return Invitation{}, err
	}
	var out Invitation
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		out, err = s.createUser(ctx, tx, p.TenantID, req)
		return err
	})
	return out, err
}

func checkProfile(v *errs.Validator, name, locale, tz string) {
	v.Check(strings.TrimSpace(name) != "" && len(name) <= 200, "name", "required, at most 200 characters")
	v.Check(locale == "" || len(locale) <= 35, "locale", "a BCP 47 language tag")
	if tz != "" {
		_, err := time.LoadLocation(tz)
		v.Check(err == nil, "timeZone", "an IANA time zone such as Europe/Paris")
	}
}

// createUser inserts an invited user with roles and teams and an invitation.
func (s *Service) createUser(ctx context.Context, tx *sqlx.Tx, tenantID string, req InviteUserRequest) (Invitation, error) {
	if req.Name == "" {
		req.Name = req.Email
	}
	v := errs.NewValidator()
	v.Check(validEmail(req.Email), "email", "a valid email address")
	checkProfile(v, req.Name, req.Locale, req.TimeZone)
	if err := v.Err(); err != nil {
		return Invitation{}, err
	}
	now := s.now()
	u := userRow{User: User{ID: ids.New(), Email: req.Email, Name: req.Name, Status: UserInvited,
		Locale: orDefault(req.Locale, "en"), TimeZone: orDefault(req.TimeZone, "UTC"),
		CreatedAt: now, UpdatedAt: now, Version: 1}}
	if err := insertUser(ctx, tx, tenantID, u); err != nil {
		return Invitation{}, err
	}
	if err := setUserRoles(ctx, tx, tenantID, u.ID, req.Roles); err != nil {
		return Invitation{}, err
	}
	if err := setUserTeams(ctx, tx, tenantID, u.ID, req.Teams); err != nil {
		return Invitation{}, err
	}
	token, err := s.invite(ctx, tx, tenantID, u.ID)
	if err != nil {
		return Invitation{}, err
	}
	user, err := userByID(ctx, tx, u.ID)
	if err != nil {
		return Invitation{}, err
	}
	return Invitation{User: user, InvitationToken: token, InvitationLink: s.invitationLink(token)}, nil
}

// ListUsers returns a page of the tenant's users (needs users:read).
func (s *Service) ListUsers(ctx context.Context, cursor string, limit int) (UserPage, error) {
	return listPage(ctx, s, PermUsersRead, cursor, limit, listUsers, func(x User) string { return x.ID })
}

// GetUser returns a user of the caller's tenant (needs users:read).
func (s *Service) GetUser(ctx context.Context, id string) (User, error) {
	p, err := caller(ctx, PermUsersRead)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		u, err = userByID(ctx, tx, id)
		return err
	})
	return u, err
}

// UpdateUserRequest is the body of PATCH /v1/users/{id}; absent fields are
// unchanged.
type UpdateUserRequest struct {
	Name     *string           `json:"name"`
	Locale   *string           `json:"locale"`
	TimeZone *string           `json:"timeZone"`
	Roles    *[]string         `json:"roles"`
	Teams    *[]TeamMembership `json:"teams"`
}

// UpdateUser changes a user's profile, roles or teams (needs users:manage).
// Their refresh tokens are revoked when roles or teams change, so new grants
// apply at the next sign-in, and every replica reads the principal of their
// access tokens again within a second (revocation.go).
func (s *Service) UpdateUser(ctx context.Context, id string, req UpdateUserRequest, ifMatch *int64) (User, error) {
	p, err := caller(ctx, PermUsersManage)
	if err != nil {
		return User{}, err
	}
	var out User
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		u, err := userRowByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != u.Version {
			return ErrVersionMismatch
		}
		if req.Name != nil {
			u.Name = *req.Name
		}
		if req.Locale != nil {
			u.Locale = *req.Locale
		}
		if req.TimeZone != nil {
			u.TimeZone = *req.TimeZone
		}
		v := errs.NewValidator()
		checkProfile(v, u.Name, u.Locale, u.TimeZone)
		if err := v.Err(); err != nil {
			return err
		}
		now := s.now()
		u.UpdatedAt, u.Version = now, u.Version+1
		if err := updateUser(ctx, tx, u); err != nil {
			return err
		}
		if req.Roles != nil {
			if err := setUserRoles(ctx, tx, p.TenantID, u.ID, *req.Roles); err != nil {
				return err
			}
		}
		if req.Teams != nil {
			if err := setUserTeams(ctx, tx, p.TenantID, u.ID, *req.Teams); err != nil {
				return err
			}
		}
		if req.Roles != nil || req.Teams != nil {
			if err := revokeUserTokens(ctx, tx, u.ID, now); err != nil {
				return err
			}
			if err := s.revokeUserGrants(ctx, tx, p.TenantID, u.ID); err != nil {
				return err
			}
		}
		out, err = userByID(ctx, tx, u.ID)
		return err
	})
	return out, err
}

// DisableUser disables a user and revokes their refresh tokens (needs
// users:manage). Their API keys and access tokens stop working at once on
// this replica and within a second on the others (revocation.go).
func (s *Service) DisableUser(ctx context.Context, id string) (User, error) {
	p, err := caller(ctx, PermUsersManage)
	if err != nil {
		return User{}, err
	}
	if id == p.UserID {
		return User{}, ErrSelfDisable
	}
	var out User
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		u, err := userRowByID(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.now()
		u.Status, u.UpdatedAt, u.Version = UserDisabled, now, u.Version+1
		if err := updateUser(ctx, tx, u); err != nil {
			return err
		}
		if err := revokeUserTokens(ctx, tx, u.ID, now); err != nil {
			return err
		}
		if err := s.revokeUserGrants(ctx, tx, p.TenantID, u.ID); err != nil {
			return err
		}
		out, err = userByID(ctx, tx, u.ID)
		return err
	})
	return out, err
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
