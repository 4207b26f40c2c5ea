package identity

import (
	"context"
	"crypto/subtle"
	"regexp"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
)

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

// portalWords are the first segments of the self-service portal's own
// paths on a tenant's domain (/portal/api/v1/…, /portal/articles/…,
// /portal/cases/…, /portal/chat): a tenant of such a slug would have
// /portal/<slug>/… taken for them, so none is a tenant's slug.
var portalWords = []string{"api", "articles", "cases", "chat"}

// CheckPlatformToken reports whether token is the operator's platform token,
// comparing in constant time.
func (s *Service) CheckPlatformToken(token string) error {
	if len(s.platformToken) == 0 || subtle.ConstantTimeCompare([]byte(token), s.platformToken) != 1 {
		return ErrPlatformToken
	}
	return nil
}

// CreateTenantRequest is the body of POST /admin/v1/tenants.
type CreateTenantRequest struct {
	Slug    string            `json:"slug"`
	Name    string            `json:"name"`
	Domains []string          `json:"domains"`
	Tier    string            `json:"tier"`
	Admin   CreateTenantAdmin `json:"admin"`
}

// CreateTenantAdmin names the tenant's first administrator.
type CreateTenantAdmin struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

// Invitation is a new user with the token that activates them.
type Invitation struct {
	User            User   `json:"user"`
	InvitationToken string `json:"invitationToken"`
	InvitationLink  string `json:"invitationLink"`
}

// CreatedTenant is the answer of POST /admin/v1/tenants.
type CreatedTenant struct {
	Tenant Tenant     `json:"tenant"`
	Admin  Invitation `json:"admin"`
}

// StatusCode implements kitx.StatusCoder.
func (CreatedTenant) StatusCode() int { return 201 }

// CreateTenant creates a tenant with its built-in roles and its first
// administrator, invited: the answer carries the invitation token, which
// POST /v1/auth/accept-invitation exchanges for a password.
func (s *Service) CreateTenant(ctx context.Context, req CreateTenantRequest) (CreatedTenant, error) {
	if req.Tier == "" {
		req.Tier = TierShared
	}
	v := errs.NewValidator()
	v.Check(slugRE.MatchString(req.Slug), "slug", "lower-case letters, digits and dashes, at most 40")
	v.Check(!slices.Contains(portalWords, req.Slug), "slug", "api, articles, cases and chat are the portal's own paths, not a tenant's slug")
	v.Check(!ids.Valid(req.Slug), "slug", "a UUID is a tenant's id, not its slug (the public marketing pages take either)")
	v.Check(strings.TrimSpace(req.Name) != "" && len(req.Name) <= 200, "name", "required, at most 200 characters")
	v.Check(req.Tier == TierShared || req.Tier == TierDedicated, "tier", "shared or dedicated")
	v.Check(validEmail(req.Admin.Email), "admin/email", "a valid email address")
	if err := v.Err(); err != nil {
		return CreatedTenant{}, err
	}
	now := s.now()
	t := Tenant{ID: ids.New(), Slug: req.Slug, Name: req.Name, Domains: normaliseDomains(req.Domains), Tier: req.Tier,
		Status: TenantActive, CreatedAt: now, UpdatedAt: now, Version: 1}
	var out CreatedTenant
	err := s.tenantTx(ctx, t.ID, func(tx *sqlx.Tx) error {
		if err := insertTenant(ctx, tx, t); err != nil {
			return err
		}
		for _, r := range BuiltinRoles {
			r.ID, r.Builtin, r.CreatedAt, r.UpdatedAt, r.Version = ids.New(), true, now, now, 1
			if err := insertRole(ctx, tx, t.ID, r); err != nil {
				return err
			}
		}
		name := req.Admin.Name
		if name == "" {
			name = req.Admin.Email
		}
		inv, err := s.createUser(ctx, tx, t.ID, InviteUserRequest{Email: req.Admin.Email, Name: name, Roles: []string{AdminRole}})
		if err != nil {
			return err
		}
		out = CreatedTenant{Tenant: t, Admin: inv}
		return nil
	})
	return out, err
}

// ReinviteAdmin issues a new invitation for tenant id's first
// administrator while they have not joined, for an operator that lost the
// one CreateTenant returned; earlier unaccepted invitations of that user
// stop working. Once the administrator has joined it is ErrAdminJoined.
func (s *Service) ReinviteAdmin(ctx context.Context, id string) (Invitation, error) {
	t, err := tenantByID(ctx, s.db, id)
	if err != nil {
		return Invitation{}, err
	}
	if t.Status == TenantDeleted {
		return Invitation{}, ErrTenantNotFound.WithDetail("the tenant has been deleted")
	}
	var out Invitation
	err = s.tenantTx(ctx, t.ID, func(tx *sqlx.Tx) error {
		var userID, status string
		err := tx.QueryRowxContext(ctx, `SELECT u.id, u.status FROM users u
			JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
			WHERE r.name = $1 ORDER BY u.created_at, u.id LIMIT 1`, AdminRole).Scan(&userID, &status)
		if err != nil {
			return pg.MapError(err)
		}
		if status != UserInvited {
			return ErrAdminJoined
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM invitations WHERE user_id = $1 AND accepted_at IS NULL`, userID); err != nil {
			return pg.MapError(err)
		}
		token, err := s.invite(ctx, tx, t.ID, userID)
		if err != nil {
			return err
		}
		user, err := userByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		out = Invitation{User: user, InvitationToken: token, InvitationLink: s.invitationLink(token)}
		return nil
	})
	return out, err
}

// GetTenant returns a tenant.
func (s *Service) GetTenant(ctx context.Context, id string) (Tenant, error) {
	return tenantByID(ctx, s.db, id)
}

// ListTenants returns a page of tenants in id order.
func (s *Service) ListTenants(ctx context.Context, cursor string, limit int) (TenantPage, error) {
	after, err := s.decodeCursor(cursor)
	if err != nil {
		return TenantPage{}, err
	}
	items, err := listTenants(ctx, s.db, after, limit+1)
	if err != nil {
		return TenantPage{}, err
	}
	return paginate(s, items, limit, func(t Tenant) string { return t.ID }), nil
}

// UpdateTenantRequest is the body of PATCH /admin/v1/tenants/{id}; absent
// fields are unchanged.
type UpdateTenantRequest struct {
	Name    *string   `json:"name"`
	Domains *[]string `json:"domains"`
	Tier    *string   `json:"tier"`
	// ReadOnly opens (true) or ends (false) the tenant's read-only window.
	ReadOnly *bool `json:"readOnly"`
}

// UpdateTenant changes a tenant's name, domains, tier or read-only window.
func (s *Service) UpdateTenant(ctx context.Context, id string, req UpdateTenantRequest, ifMatch *int64) (Tenant, error) {
	return s.changeTenant(ctx, id, ifMatch, func(t *Tenant) error {
		v := errs.NewValidator()
		if req.Name != nil {
			v.Check(strings.TrimSpace(*req.Name) != "" && len(*req.Name) <= 200, "name", "required, at most 200 characters")
			t.Name = *req.Name
		}
		if req.Tier != nil {
			v.Check(*req.Tier == TierShared || *req.Tier == TierDedicated, "tier", "shared or dedicated")
			t.Tier = *req.Tier
		}
		if req.Domains != nil {
			t.Domains = normaliseDomains(*req.Domains)
		}
		if req.ReadOnly != nil {
			t.ReadOnly = *req.ReadOnly
		}
		return v.Err()
	})
}

// SetTenantStatus suspends (TenantSuspended), resumes (TenantActive) or
// deletes (TenantDeleted) a tenant. Logins and tokens of a tenant that is
// not active are refused; deletion is soft and keeps the slug reserved.
func (s *Service) SetTenantStatus(ctx context.Context, id, status string) (Tenant, error) {
	return s.changeTenant(ctx, id, nil, func(t *Tenant) error {
		if t.Status == TenantDeleted && status != TenantDeleted {
			return ErrTenantNotFound.WithDetail("the tenant has been deleted")
		}
		t.Status = status
		return nil
	})
}

func (s *Service) changeTenant(ctx context.Context, id string, ifMatch *int64, fn func(*Tenant) error) (Tenant, error) {
	var out Tenant
	err := pg.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		t, err := tenantByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != t.Version {
			return ErrVersionMismatch
		}
		if err := fn(&t); err != nil {
			return err
		}
		t.UpdatedAt, t.Version = s.now(), t.Version+1
		out = t
		return updateTenant(ctx, tx, t)
	})
	s.tenants.forget(id)
	return out, err
}

// decodeCursor reads the last id of the previous page ("" for the first).
func (s *Service) decodeCursor(cursor string) (string, error) {
	if cursor == "" {
		return "", nil
	}
	var id string
	if err := s.cursors.DecodeCursor(cursor, &id); err != nil {
		return "", err
	}
	return id, nil
}

// validEmail is a light syntax check; delivery proves the rest.
func validEmail(e string) bool {
	at := strings.LastIndexByte(e, '@')
	return at > 0 && at < len(e)-1 && len(e) <= 254 && !strings.ContainsAny(e, " \t\r\n<>")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
