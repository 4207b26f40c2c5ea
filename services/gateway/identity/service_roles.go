package identity

import (
	"context"
	"regexp"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
)

var (
	roleNameRE   = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)
	permissionRE = regexp.MustCompile(`^(\*|[a-z][a-z0-9-]*:(\*|[a-z][a-z0-9-]*))$`)
)

// RoleRequest is the body of POST /v1/roles and PATCH /v1/roles/{id}.
type RoleRequest struct {
	Name         *string                `json:"name"`
	Description  *string                `json:"description"`
	Permissions  *[]string              `json:"permissions"`
	RecordScopes *map[string]auth.Scope `json:"recordScopes"`
}

// applyRole validates req and applies it to r.
func applyRole(r *Role, req RoleRequest, create bool) error {
	v := errs.NewValidator()
	if req.Name != nil || create {
		if req.Name != nil {
			r.Name = strings.TrimSpace(*req.Name)
		}
		v.Check(roleNameRE.MatchString(r.Name), "name", "lower-case letters, digits and underscores, 2 to 40")
	}
	if req.Description != nil {
		v.Check(len(*req.Description) <= 500, "description", "at most 500 characters")
		r.Description = *req.Description
	}
	if req.Permissions != nil {
		r.Permissions = uniq(*req.Permissions)
	}
	for _, p := range r.Permissions {
		v.Check(permissionRE.MatchString(p), "permissions", `each "module:action", "module:*" or "*"`)
	}
	if req.RecordScopes != nil {
		r.RecordScopes = *req.RecordScopes
	}
	if r.RecordScopes == nil {
		r.RecordScopes = map[string]auth.Scope{}
	}
	for m, sc := range r.RecordScopes {
		v.Check(scopeRank[sc] > 0, "recordScopes/"+m, "own, team or all")
	}
	return v.Err()
}

// roleCreated marks a created role for a 201.
type roleCreated struct{ Role }

// StatusCode implements kitx.StatusCoder.
func (roleCreated) StatusCode() int { return 201 }

// CreateRole adds a custom role (needs roles:manage).
func (s *Service) CreateRole(ctx context.Context, req RoleRequest) (Role, error) {
	p, err := caller(ctx, PermRolesManage)
	if err != nil {
		return Role{}, err
	}
	now := s.now()
	r := Role{ID: ids.New(), Permissions: []string{}, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := applyRole(&r, req, true); err != nil {
		return Role{}, err
	}
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error { return insertRole(ctx, tx, p.TenantID, r) })
	return r, err
}

// ListRoles returns a page of roles, built-in and custom (needs roles:read).
func (s *Service) ListRoles(ctx context.Context, cursor string, limit int) (RolePage, error) {
	return listPage(ctx, s, PermRolesRead, cursor, limit, listRoles, func(x Role) string { return x.ID })
}

// GetRole returns a role (needs roles:read).
func (s *Service) GetRole(ctx context.Context, id string) (Role, error) {
	p, err := caller(ctx, PermRolesRead)
	if err != nil {
		return Role{}, err
	}
	var r Role
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		r, err = roleByID(ctx, tx, id)
		return err
	})
	return r, err
}

// UpdateRole changes a custom role (needs roles:manage). Holders get the new
// grants within a second on every replica (revocation.go).
func (s *Service) UpdateRole(ctx context.Context, id string, req RoleRequest, ifMatch *int64) (Role, error) {
	p, err := caller(ctx, PermRolesManage)
	if err != nil {
		return Role{}, err
	}
	var out Role
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		r, err := roleByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Builtin {
			return ErrBuiltinRole
		}
		if ifMatch != nil && *ifMatch != r.Version {
			return ErrVersionMismatch
		}
		if err := applyRole(&r, req, false); err != nil {
			return err
		}
		r.UpdatedAt, r.Version = s.now(), r.Version+1
		out = r
		if err := updateRole(ctx, tx, r); err != nil {
			return err
		}
		if req.Name == nil && req.Permissions == nil && req.RecordScopes == nil {
			return nil // the description grants nothing
		}
		return s.revokeTenantGrants(ctx, tx, p.TenantID)
	})
	return out, err
}

// DeleteRole removes a custom role and its assignments (needs roles:manage);
// its holders lose its grants within a second on every replica.
func (s *Service) DeleteRole(ctx context.Context, id string) error {
	p, err := caller(ctx, PermRolesManage)
	if err != nil {
		return err
	}
	return s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		r, err := roleByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Builtin {
			return ErrBuiltinRole
		}
		if err := deleteRole(ctx, tx, id); err != nil {
			return err
		}
		return s.revokeTenantGrants(ctx, tx, p.TenantID)
	})
}
