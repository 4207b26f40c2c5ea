package identity

import (
	"context"

	"github.com/go-kit/kit/endpoint"
)

// Endpoints are the go-kit endpoints of the identity service, one per route
// of api/openapi.yaml (the JWKS and the SSO redirect are plain handlers).
type Endpoints struct {
	Login, Refresh, Logout, AcceptInvitation, SSOCallback endpoint.Endpoint
	SSOCLIToken                                           endpoint.Endpoint

	Me, UpdateMe endpoint.Endpoint

	ListUsers, InviteUser, GetUser, UpdateUser, DisableUser endpoint.Endpoint
	ListPeople                                              endpoint.Endpoint
	ListTeams, CreateTeam, GetTeam, UpdateTeam, DeleteTeam  endpoint.Endpoint
	ListRoles, CreateRole, GetRole, UpdateRole, DeleteRole  endpoint.Endpoint
	ListAPIKeys, CreateAPIKey, GetAPIKey, RevokeAPIKey      endpoint.Endpoint
	GetSSO, PutSSO, DeleteSSO                               endpoint.Endpoint

	CreateTenant, ListTenants, GetTenant, UpdateTenant endpoint.Endpoint
	SuspendTenant, ResumeTenant, DeleteTenant          endpoint.Endpoint
	ReinviteAdmin                                      endpoint.Endpoint

	// The internal routes of api/internal.yaml.
	ExchangeToken, DirectoryTeam endpoint.Endpoint
}

// loginRequest is a LoginRequest with the client's address and whether a
// browser session's cookies must be Secure.
type loginRequest struct {
	LoginRequest
	ClientAddr string
	Secure     bool
}

// ssoCallbackRequest is what the provider's redirect carries.
type ssoCallbackRequest struct {
	Cookie, State, Code, Error, ClientAddr string
	Secure                                 bool
}

// idRequest names one resource.
type idRequest struct{ ID string }

// pageRequest asks for one page of a list.
type pageRequest struct {
	Cursor string
	Limit  int
}

// patchRequest is a PATCH of resource ID with its If-Match version.
type patchRequest[T any] struct {
	ID      string
	IfMatch *int64
	Body    T
}

// MakeEndpoints returns the endpoints of s. Permission checks happen in the
// service, against the principal the transport put in the context.
func MakeEndpoints(s *Service) Endpoints {
	return Endpoints{
		Login: func(ctx context.Context, req any) (any, error) {
			r := req.(loginRequest)
			pair, err := s.Login(ctx, r.LoginRequest, r.ClientAddr)
			if err != nil || r.Session != SessionCookie {
				return pair, err
			}
			return browserSession{pair: pair, secure: r.Secure}, nil
		},
		Refresh: func(ctx context.Context, req any) (any, error) { return s.refresh(ctx, req.(sessionRequest)) },
		Logout:  func(ctx context.Context, req any) (any, error) { return s.logout(ctx, req.(sessionRequest)) },
		AcceptInvitation: func(ctx context.Context, req any) (any, error) {
			return s.AcceptInvitation(ctx, req.(AcceptInvitationRequest))
		},
		SSOCallback: func(ctx context.Context, req any) (any, error) {
			return s.ssoCallbackEndpoint(ctx, req.(ssoCallbackRequest))
		},
		SSOCLIToken: func(ctx context.Context, req any) (any, error) {
			return s.SSOCLIToken(ctx, req.(SSOCLITokenRequest))
		},
		Me:       func(ctx context.Context, _ any) (any, error) { return s.Me(ctx) },
		UpdateMe: func(ctx context.Context, req any) (any, error) { return s.UpdateMe(ctx, req.(UpdateMeRequest)) },

		ListUsers: func(ctx context.Context, req any) (any, error) {
			r := req.(pageRequest)
			return s.ListUsers(ctx, r.Cursor, r.Limit)
		},
		ListPeople: func(ctx context.Context, req any) (any, error) { return s.ListPeople(ctx, req.(PeopleQuery)) },
		InviteUser: func(ctx context.Context, req any) (any, error) { return s.InviteUser(ctx, req.(InviteUserRequest)) },
		GetUser:    func(ctx context.Context, req any) (any, error) { return s.GetUser(ctx, req.(idRequest).ID) },
		UpdateUser: func(ctx context.Context, req any) (any, error) {
			r := req.(patchRequest[UpdateUserRequest])
			return s.UpdateUser(ctx, r.ID, r.Body, r.IfMatch)
		},
		DisableUser: func(ctx context.Context, req any) (any, error) { return s.DisableUser(ctx, req.(idRequest).ID) },

		ListTeams: func(ctx context.Context, req any) (any, error) {
			r := req.(pageRequest)
			return s.ListTeams(ctx, r.Cursor, r.Limit)
		},
		CreateTeam: func(ctx context.Context, req any) (any, error) {
			t, err := s.CreateTeam(ctx, req.(TeamRequest))
			return teamCreated{t}, err
		},
		GetTeam: func(ctx context.Context, req any) (any, error) { return s.GetTeam(ctx, req.(idRequest).ID) },
		UpdateTeam: func(ctx context.Context, req any) (any, error) {
			r := req.(patchRequest[TeamRequest])
			return s.UpdateTeam(ctx, r.ID, r.Body, r.IfMatch)
		},
		DeleteTeam: func(ctx context.Context, req any) (any, error) { return nil, s.DeleteTeam(ctx, req.(idRequest).ID) },

		ListRoles: func(ctx context.Context, req any) (any, error) {
			r := req.(pageRequest)
			return s.ListRoles(ctx, r.Cursor, r.Limit)
		},
		CreateRole: func(ctx context.Context, req any) (any, error) {
			r, err := s.CreateRole(ctx, req.(RoleRequest))
			return roleCreated{r}, err
		},
		GetRole: func(ctx context.Context, req any) (any, error) { return s.GetRole(ctx, req.(idRequest).ID) },
		UpdateRole: func(ctx context.Context, req any) (any, error) {
			r := req.(patchRequest[RoleRequest])
			return s.UpdateRole(ctx, r.ID, r.Body, r.IfMatch)
		},
		DeleteRole: func(ctx context.Context, req any) (any, error) { return nil, s.DeleteRole(ctx, req.(idRequest).ID) },

		ListAPIKeys: func(ctx context.Context, req any) (any, error) {
			r := req.(pageRequest)
			return s.ListAPIKeys(ctx, r.Cursor, r.Limit)
		},
		CreateAPIKey: func(ctx context.Context, req any) (any, error) { return s.CreateAPIKey(ctx, req.(CreateAPIKeyRequest)) },
		GetAPIKey:    func(ctx context.Context, req any) (any, error) { return s.GetAPIKey(ctx, req.(idRequest).ID) },
		RevokeAPIKey: func(ctx context.Context, req any) (any, error) { return nil, s.RevokeAPIKey(ctx, req.(idRequest).ID) },

		GetSSO:    func(ctx context.Context, _ any) (any, error) { return s.GetSSO(ctx) },
		PutSSO:    func(ctx context.Context, req any) (any, error) { return s.PutSSO(ctx, req.(PutSSORequest)) },
		DeleteSSO: func(ctx context.Context, _ any) (any, error) { return nil, s.DeleteSSO(ctx) },

		CreateTenant: func(ctx context.Context, req any) (any, error) { return s.CreateTenant(ctx, req.(CreateTenantRequest)) },
		ListTenants: func(ctx context.Context, req any) (any, error) {
			r := req.(pageRequest)
			return s.ListTenants(ctx, r.Cursor, r.Limit)
		},
		GetTenant: func(ctx context.Context, req any) (any, error) { return s.GetTenant(ctx, req.(idRequest).ID) },
		UpdateTenant: func(ctx context.Context, req any) (any, error) {
			r := req.(patchRequest[UpdateTenantRequest])
			return s.UpdateTenant(ctx, r.ID, r.Body, r.IfMatch)
		},
		ReinviteAdmin: func(ctx context.Context, req any) (any, error) { return s.ReinviteAdmin(ctx, req.(idRequest).ID) },
		SuspendTenant: func(ctx context.Context, req any) (any, error) {
			return s.SetTenantStatus(ctx, req.(idRequest).ID, TenantSuspended)
		},
		ResumeTenant: func(ctx context.Context, req any) (any, error) {
			return s.SetTenantStatus(ctx, req.(idRequest).ID, TenantActive)
		},
		DeleteTenant: func(ctx context.Context, req any) (any, error) {
			_, err := s.SetTenantStatus(ctx, req.(idRequest).ID, TenantDeleted)
			return nil, err
		},

		ExchangeToken: func(ctx context.Context, req any) (any, error) { return s.ExchangeToken(ctx, req.(ExchangeRequest)) },
		DirectoryTeam: func(ctx context.Context, req any) (any, error) { return s.DirectoryTeam(ctx, req.(idRequest).ID) },
	}
}
