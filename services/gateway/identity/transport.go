package identity

import (
	"context"
	"net"
	"net/http"
	"strings"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// bodyLimit bounds the JSON bodies of the identity routes.
const bodyLimit = 64 << 10

// Mount registers the identity routes on mux (see api/openapi.yaml):
// sign-in and tokens, the JWKS, SSO, /v1/me, the people directory, user,
// team, role, API-key and SSO management, the operator's /admin/v1/tenants,
// and the services' internal routes (api/internal.yaml). guard wraps every
// route that needs a signed-in principal, inside the authentication (the
// gateway's rate limit and audit log); nil means none.
func Mount(mux *http.ServeMux, s *Service, guard func(http.Handler) http.Handler) {
	if guard == nil {
		guard = func(h http.Handler) http.Handler { return h }
	}
	e := MakeEndpoints(s)
	opts := append(kitx.ServerOptions(s.logger), kithttp.ServerAfter(noStore),
		kithttp.ServerErrorEncoder(sessionErrors(kitx.ErrorEncoder(s.logger))))
	server := func(ep func(context.Context, any) (any, error), dec kithttp.DecodeRequestFunc) http.Handler {
		return kithttp.NewServer(ep, dec, encodeResponse, opts...)
	}
	public := func(pattern string, h http.Handler) { mux.Handle(pattern, h) }
	authed := func(pattern string, h http.Handler) { mux.Handle(pattern, s.requireAuth(guard(h))) }
	admin := func(pattern string, h http.Handler) { mux.Handle(pattern, s.requirePlatform(h)) }
	internal := func(pattern string, h http.Handler) { mux.Handle(pattern, s.requireInternal(h)) }

	public("GET /.well-known/jwks.json", jwksHandler(s.keys))
	public("POST /v1/auth/login", server(e.Login, s.decodeLogin))
	public("POST /v1/auth/refresh", server(e.Refresh, s.decodeSession))
	public("POST /v1/auth/logout", server(e.Logout, s.decodeSession))
	public("POST /v1/auth/accept-invitation", server(e.AcceptInvitation, decodeBody[AcceptInvitationRequest]))
	public("GET /v1/auth/oidc/{tenant}/start", http.HandlerFunc(s.serveSSOStart))
	public("GET "+SSOCallbackPath, server(e.SSOCallback, s.decodeSSOCallback))
	public("POST "+SSOCLITokenPath, server(e.SSOCLIToken, decodeBody[SSOCLITokenRequest]))

	authed("GET /v1/me", server(e.Me, decodeNothing))
	authed("PATCH /v1/me", server(e.UpdateMe, decodeBody[UpdateMeRequest]))

	authed("GET /v1/users", server(e.ListUsers, decodePage))
	authed("POST /v1/users", server(e.InviteUser, decodeBody[InviteUserRequest]))
	authed("GET /v1/users/{id}", server(e.GetUser, decodeID))
	authed("PATCH /v1/users/{id}", server(e.UpdateUser, decodePatch[UpdateUserRequest]))
	authed("POST /v1/users/{id}/disable", server(e.DisableUser, decodeID))

	authed("GET /v1/people", server(e.ListPeople, decodePeople))

	authed("GET /v1/teams", server(e.ListTeams, decodePage))
	authed("POST /v1/teams", server(e.CreateTeam, decodeBody[TeamRequest]))
	authed("GET /v1/teams/{id}", server(e.GetTeam, decodeID))
	authed("PATCH /v1/teams/{id}", server(e.UpdateTeam, decodePatch[TeamRequest]))
	authed("DELETE /v1/teams/{id}", server(e.DeleteTeam, decodeID))

	authed("GET /v1/roles", server(e.ListRoles, decodePage))
	authed("POST /v1/roles", server(e.CreateRole, decodeBody[RoleRequest]))
	authed("GET /v1/roles/{id}", server(e.GetRole, decodeID))
	authed("PATCH /v1/roles/{id}", server(e.UpdateRole, decodePatch[RoleRequest]))
	authed("DELETE /v1/roles/{id}", server(e.DeleteRole, decodeID))

	authed("GET /v1/api-keys", server(e.ListAPIKeys, decodePage))
	authed("POST /v1/api-keys", server(e.CreateAPIKey, decodeBody[CreateAPIKeyRequest]))
	authed("GET /v1/api-keys/{id}", server(e.GetAPIKey, decodeID))
	authed("DELETE /v1/api-keys/{id}", server(e.RevokeAPIKey, decodeID))

	authed("GET /v1/sso", server(e.GetSSO, decodeNothing))
	authed("PUT /v1/sso", server(e.PutSSO, decodeBody[PutSSORequest]))
	authed("DELETE /v1/sso", server(e.DeleteSSO, decodeNothing))

	admin("POST /admin/v1/tenants", server(e.CreateTenant, decodeBody[CreateTenantRequest]))
	admin("GET /admin/v1/tenants", server(e.ListTenants, decodePage))
	admin("GET /admin/v1/tenants/{id}", server(e.GetTenant, decodeID))
	admin("PATCH /admin/v1/tenants/{id}", server(e.UpdateTenant, decodePatch[UpdateTenantRequest]))
	admin("POST /admin/v1/tenants/{id}/suspend", server(e.SuspendTenant, decodeID))
	admin("POST /admin/v1/tenants/{id}/invitation", server(e.ReinviteAdmin, decodeID))
	admin("POST /admin/v1/tenants/{id}/resume", server(e.ResumeTenant, decodeID))
	admin("DELETE /admin/v1/tenants/{id}", server(e.DeleteTenant, decodeID))

	internal("POST "+TokenExchangePath, server(e.ExchangeToken, decodeBody[ExchangeRequest]))
	internal("GET "+TeamDirectoryPath, server(e.DirectoryTeam, decodeID))
}

// noStore keeps credentials and identities out of caches.
func noStore(ctx context.Context, w http.ResponseWriter) context.Context {
	w.Header().Set("Cache-Control", "no-store")
	return ctx
}

func decodeBody[T any](_ context.Context, r *http.Request) (any, error) {
	var req T
	if err := kitx.Decode(r, &req, bodyLimit); err != nil {
		return nil, err
	}
	return req, nil
}

func (s *Service) decodeLogin(ctx context.Context, r *http.Request) (any, error) {
	req, err := decodeBody[LoginRequest](ctx, r)
	if err != nil {
		return nil, err
	}
	return loginRequest{LoginRequest: req.(LoginRequest), ClientAddr: clientAddr(r), Secure: s.secureCookies(r)}, nil
}

func (s *Service) decodeSSOCallback(_ context.Context, r *http.Request) (any, error) {
	req := ssoCallbackRequest{ClientAddr: clientAddr(r), Secure: s.secureCookies(r)}
	if c, err := r.Cookie(ssoCookie); err == nil {
		req.Cookie = c.Value
	}
	q := r.URL.Query()
	req.State, req.Code, req.Error = q.Get("state"), q.Get("code"), q.Get("error")
	return req, nil
}

func decodeNothing(context.Context, *http.Request) (any, error) { return nil, nil }

func decodeID(_ context.Context, r *http.Request) (any, error) {
	return idRequest{ID: r.PathValue("id")}, nil
}

func decodePage(_ context.Context, r *http.Request) (any, error) {
	limit, err := kitx.Limit(r)
	if err != nil {
		return nil, err
	}
	return pageRequest{Cursor: r.URL.Query().Get("cursor"), Limit: limit}, nil
}

// decodePeople reads the query of GET /v1/people; ListPeople checks it.
func decodePeople(_ context.Context, r *http.Request) (any, error) {
	limit, err := kitx.Limit(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	req := PeopleQuery{Q: strings.TrimSpace(q.Get("q")), TeamID: q.Get("teamId"), Cursor: q.Get("cursor"), Limit: limit}
	if raw := q.Get("ids"); raw != "" {
		req.IDs = strings.Split(raw, ",")
		for i := range req.IDs {
			req.IDs[i] = strings.TrimSpace(req.IDs[i])
		}
	}
	return req, nil
}

// decodePatch decodes a PATCH body and reads its If-Match version.
func decodePatch[T any](_ context.Context, r *http.Request) (any, error) {
	v, ok, err := kitx.ParseIfMatch(r)
	if err != nil {
		return nil, err
	}
	req := patchRequest[T]{ID: r.PathValue("id")}
	if err := kitx.Decode(r, &req.Body, bodyLimit); err != nil {
		return nil, err
	}
	if ok {
		req.IfMatch = &v
	}
	return req, nil
}

// requireAuth authenticates the request and puts the principal in its context.
func (s *Service) requireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.Authenticate(r.Context(), r)
		if err != nil {
			kitx.WriteProblem(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}

// requirePlatform admits requests bearing the platform token.
func (s *Service) requirePlatform(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") {
			token = ""
		}
		if err := s.CheckPlatformToken(strings.TrimSpace(token)); err != nil {
			kitx.WriteProblem(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Service) serveSSOStart(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var to string
	var cookie *http.Cookie
	var err error
	if q.Has("cli_redirect") {
		to, cookie, err = s.SSOStartCLI(r.Context(), r.PathValue("tenant"), q.Get("cli_redirect"), q.Get("cli_state"), q.Get("cli_challenge"))
	} else {
		to, cookie, err = s.SSOStart(r.Context(), r.PathValue("tenant"), q.Get("return"), q.Has("return"))
	}
	if err != nil {
		kitx.WriteProblem(w, r, err)
		return
	}
	http.SetCookie(w, cookie)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusFound)
}

// clientAddr is the client's IP address as the gateway's listener saw it.
// Behind a load balancer, have the balancer rewrite the connection's address
// (PROXY protocol) rather than trusting forwarded headers.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
