package identity

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/registry"
)

// The internal routes: services call them with the internal token of the
// request they serve (api/internal.yaml). They are mounted beside the JWKS,
// never proxied and not in the public route table.
const (
	TokenExchangePath = "/internal/v1/token-exchange"
	TeamDirectoryPath = "/internal/v1/teams/{id}"
)

// exchanges are the calls a service may make to another with its caller's
// own authority: the service an internal token is addressed to → the
// audiences it may exchange that token for. Nothing else is exchanged; a
// service never holds a token of its own.
var exchanges = map[string][]string{
	// Lead conversion creates or links the contact and the account
	// (issue 15, point 4).
	registry.Sales: {registry.Contacts},
	// A case's links to opportunities are checked in sales when an agent
	// creates or changes the case (issue 18).
	registry.Support: {registry.Sales},
}

// ExchangeRequest is the body of POST /internal/v1/token-exchange.
type ExchangeRequest struct {
	// Audience is the service the new token is for ("contacts").
	Audience string `json:"audience"`
}

// ExchangedToken is an internal token for the caller's principal, addressed
// to the audience asked for.
type ExchangedToken struct {
	AccessToken string `json:"accessToken"`
	TokenType   string `json:"tokenType"` // always "Bearer"
	ExpiresIn   int    `json:"expiresIn"` // seconds
	Audience    string `json:"audience"`
}

// ExchangeEvent is one token exchange asked by an authenticated service, for
// the audit log: granted, or refused with Reason (a problem slug).
type ExchangeEvent struct {
	TenantID, UserID string
	Service          string // whose token was presented
	Audience         string // what was asked for
	Success          bool
	Reason           string // the problem slug of a refusal
	Status           int    // the HTTP status of the answer
	At               time.Time
}

// TeamEntry is a team as the services see it in the directory: its parent
// (null at the top) and the active users who manage it.
type TeamEntry struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	ParentID *string  `json:"parentId"`
	Managers []string `json:"managers"`
}

// internalCaller is the service an internal route's token was addressed to.
type internalCaller struct{}

// ExchangeToken returns an internal token for the same principal as the
// presenting service's token (same tenant, user, roles, teams, scopes,
// permissions and record scopes), addressed to req.Audience and living
// auth.DefaultTTL, when exchanges lets that service call that audience.
func (s *Service) ExchangeToken(ctx context.Context, req ExchangeRequest) (ExchangedToken, error) {
	p, _ := auth.PrincipalFrom(ctx)
	service, _ := ctx.Value(internalCaller{}).(string)
	out, err := s.exchange(p, service, req.Audience)
	s.recordExchange(ctx, ExchangeEvent{TenantID: p.TenantID, UserID: p.UserID, Service: service, Audience: req.Audience}, err)
	return out, err
}

// exchange checks and signs one exchange.
func (s *Service) exchange(p auth.Principal, service, audience string) (ExchangedToken, error) {
	v := errs.NewValidator()
	v.Check(audience != "", "audience", "required")
	v.Check(audience == "" || isService(audience), "audience", "not a service of the platform")
	if err := v.Err(); err != nil {
		return ExchangedToken{}, err
	}
	if !slices.Contains(exchanges[service], audience) {
		return ExchangedToken{}, ErrExchangeNotAllowed.WithDetail("%s may not call %s with its caller's authority", service, audience)
	}
	tok, err := s.keys.Signer().Sign(p, audience, auth.DefaultTTL)
	if err != nil {
		return ExchangedToken{}, err
	}
	return ExchangedToken{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(auth.DefaultTTL / time.Second), Audience: audience}, nil
}

// recordExchange completes ev with the outcome err and hands it to
// OnExchange.
func (s *Service) recordExchange(ctx context.Context, ev ExchangeEvent, err error) {
	if s.onExchange == nil {
		return
	}
	ev.At, ev.Success, ev.Status = s.now(), err == nil, http.StatusOK
	if err != nil {
		ev.Status = kitx.StatusCode(errs.KindOf(err))
	}
	if e, ok := errs.As(err); ok {
		ev.Reason = e.Slug
	} else if err != nil {
		ev.Reason = errs.Internal.String()
	}
	s.onExchange(ctx, ev)
}

// DirectoryTeam returns team id of the caller's tenant with its parent and
// managers; a team of another tenant is ErrTeamNotFound.
func (s *Service) DirectoryTeam(ctx context.Context, id string) (TeamEntry, error) {
	p, _ := auth.PrincipalFrom(ctx)
	var out TeamEntry
	err := s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		t, err := teamByID(ctx, tx, id)
		if err != nil {
			return err
		}
		managers, err := teamManagers(ctx, tx, id)
		out = TeamEntry{ID: t.ID, Name: t.Name, ParentID: t.ParentID, Managers: managers}
		return err
	})
	return out, err
}

// requireInternal admits a request bearing an internal token the gateway
// minted for a service, of a user this replica has not disabled, in an
// active tenant, as Authenticate does for user tokens; it puts the
// principal and the service in the request's context.
func (s *Service) requireInternal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, service, err := s.authenticateInternal(r)
		if err != nil {
			kitx.WriteProblem(w, r, err)
			return
		}
		ctx := context.WithValue(auth.WithPrincipal(r.Context(), p), internalCaller{}, service)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// authenticateInternal verifies the bearer internal token of r.
func (s *Service) authenticateInternal(r *http.Request) (auth.Principal, string, error) {
	token, ok := credentials(r)
	if !ok || r.Header.Get("X-API-Key") != "" {
		return auth.Principal{}, "", auth.ErrUnauthenticated.WithDetail("an Authorization: Bearer internal token is required")
	}
	now := s.now()
	p, service, err := s.keys.verifyInternalToken(token, now)
	if err != nil {
		return auth.Principal{}, "", err
	}
	if s.revoked.marked(p.UserID) {
		if _, err := s.reloadPrincipal(r.Context(), p.TenantID, p.UserID); err != nil {
			return auth.Principal{}, "", err // no longer active
		}
	}
	if err := s.tenants.active(r.Context(), p.TenantID); err != nil {
		return auth.Principal{}, "", err
	}
	return p, service, nil
}
