package identity

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/pg"
)

// APIKeyPrefix starts every API key.
const APIKeyPrefix = "rpk_"

// Authenticator turns a request's credentials into a Principal. The edge
// proxy calls it for every request it forwards; the gateway's own
// management routes use it too.
type Authenticator interface {
	// Authenticate reads "Authorization: Bearer <token>" (or X-API-Key) from r:
	// a user access token (a JWT issued by /v1/auth/login, /refresh or SSO) or
	// an API key (rpk_...); a WebSocket upgrade without either may offer a
	// user access token as the subprotocol BearerProtocolPrefix+<token>. It
	// returns the caller's tenant, user, roles, teams, subordinate teams,
	// permissions and record scopes, or an error of kind
	// errs.Unauthenticated (write it with kitx.WriteProblem: 401) when the
	// credentials are missing, forged, expired, revoked, addressed to another
	// audience, or belong to a suspended or deleted tenant.
	Authenticate(ctx context.Context, r *http.Request) (auth.Principal, error)
}

var _ Authenticator = (*Service)(nil)

// Authenticate implements Authenticator.
func (s *Service) Authenticate(ctx context.Context, r *http.Request) (auth.Principal, error) {
	token, ok := credentials(r)
	if !ok && r.Header.Get("Authorization") == "" {
		var err error
		if token, ok, err = protocolToken(r); err != nil {
			return auth.Principal{}, err
		}
	}
	if !ok {
		return auth.Principal{}, auth.ErrUnauthenticated.WithDetail("an Authorization: Bearer token or API key is required")
	}
	if strings.HasPrefix(token, APIKeyPrefix) {
		p, err := s.authenticateAPIKey(ctx, token)
		s.metrics.Login(obs.LoginAPIKey, err == nil)
		return p, err
	}
	p, err := s.authenticateAccessToken(ctx, token, s.now())
	if err != nil {
		return auth.Principal{}, err
	}
	if err := s.tenants.active(ctx, p.TenantID); err != nil {
		return auth.Principal{}, err
	}
	return p, nil
}

// authenticateAccessToken returns the principal of a user access token:
// from the cache when this replica verified the token before, else verified
// and then cached until the token expires. A token of a revoked session is
// refused; one whose user or tenant was marked since it was issued (or since
// its principal was last read) has its principal read again from the
// database, which refuses a user no longer active (revocation.go).
func (s *Service) authenticateAccessToken(ctx context.Context, token string, now time.Time) (auth.Principal, error) {
	k := keyOf(token)
	e, hit := s.accessTokens.get(k, now)
	if !hit {
		p, tt, err := s.keys.verifyAccessToken(token, now)
		if err != nil {
			return auth.Principal{}, err
		}
		e = tokenEntry{p: p, jti: tt.jti, iat: tt.iat, expires: tt.expires}
	}
	if s.revoked.sessionRevoked(e.jti) {
		return auth.Principal{}, auth.ErrInvalidToken.WithDetail("the session has ended")
	}
	if s.revoked.stale(e.p.TenantID, e.p.UserID, e.iat, e.reloaded) {
		reloaded := s.now()
		p, err := s.reloadPrincipal(ctx, e.p.TenantID, e.p.UserID)
		if errs.KindOf(err) == errs.Unauthenticated {
			e.refused, e.reloaded = err, reloaded // answered from memory until the next mark
			s.accessTokens.put(k, e)
		}
		if err != nil {
			return auth.Principal{}, err
		}
		e.p, e.reloaded, hit = p, reloaded, false
	}
	if e.refused != nil {
		return auth.Principal{}, e.refused
	}
	if !hit {
		s.accessTokens.put(k, e)
	}
	return e.p, nil
}

// reloadPrincipal reads the principal of user userID of tenantID again, for
// a token whose grants were revoked since it was issued: a user no longer
// active is refused.
func (s *Service) reloadPrincipal(ctx context.Context, tenantID, userID string) (auth.Principal, error) {
	var p auth.Principal
	err := s.tenantTx(ctx, tenantID, func(tx *sqlx.Tx) error {
		u, err := userRowByID(ctx, tx, userID)
		switch {
		case isErr(err, ErrUserNotFound):
			return auth.ErrInvalidToken.WithDetail("the user no longer exists")
		case err != nil:
			return err
		case u.Status == UserDisabled:
			return auth.ErrInvalidToken.WithDetail("the user has been disabled")
		case u.Status != UserActive:
			return auth.ErrInvalidToken.WithDetail("the user is not active")
		}
		p, err = principalFor(ctx, tx, tenantID, userID)
		return err
	})
	return p, err
}

// credentials returns the bearer token or X-API-Key of r.
func credentials(r *http.Request) (string, bool) {
	if k := strings.TrimSpace(r.Header.Get("X-API-Key")); k != "" {
		return k, true
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// splitAPIKey parses rpk_<8 chars>_<secret> into its visible prefix.
func splitAPIKey(key string) (prefix string, ok bool) {
	rest := strings.TrimPrefix(key, APIKeyPrefix)
	id, secret, found := strings.Cut(rest, "_")
	if !found || len(id) != 8 || len(secret) < 32 || len(key) > 200 {
		return "", false
	}
	return APIKeyPrefix + id, true
}

// authenticateAPIKey verifies an API key. Its principal acts as the key's
// owner, limited to the key's scopes that the owner still holds. A
// revocation of the key, its owner or their tenant drops it from the cache
// (revocation.go), so its next use reads the database.
func (s *Service) authenticateAPIKey(ctx context.Context, key string) (auth.Principal, error) {
	hash := hashToken(key)
	if e, ok := s.apiKeys.get(hash); ok {
		if err := s.tenants.active(ctx, e.p.TenantID); err != nil {
			return auth.Principal{}, err
		}
		s.lastUsed.mark(e.p.TenantID, e.keyID, s.now())
		return e.p, nil
	}
	prefix, ok := splitAPIKey(key)
	if !ok {
		return auth.Principal{}, ErrInvalidAPIKey
	}
	var p auth.Principal
	var row apiKeyRow
	read := s.now()
	err := pg.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		row, err = apiKeyByPrefix(ctx, tx, prefix)
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare(row.SecretHash, []byte(hash)) != 1 {
			return ErrInvalidAPIKey
		}
		if row.RevokedAt != nil {
			return ErrInvalidAPIKey.WithDetail("the API key has been revoked")
		}
		if row.ExpiresAt != nil && !row.ExpiresAt.After(s.now()) {
			return ErrInvalidAPIKey.WithDetail("the API key has expired")
		}
		if err := setTenant(ctx, tx, row.TenantID); err != nil {
			return err
		}
		owner, err := userRowByID(ctx, tx, row.UserID)
		if err != nil || owner.Status != UserActive {
			return ErrInvalidAPIKey.WithDetail("the API key's owner is not active")
		}
		op, err := principalFor(ctx, tx, row.TenantID, row.UserID)
		if err != nil {
			return err
		}
		p = op
		p.Scopes = append([]string{}, row.ScopesArr...)
		var perms []string
		for _, sc := range row.ScopesArr {
			if op.Can(sc) {
				perms = append(perms, sc)
			}
		}
		p.Permissions = perms
		return nil
	})
	if err != nil {
		return auth.Principal{}, err
	}
	if err := s.tenants.active(ctx, p.TenantID); err != nil {
		return auth.Principal{}, err
	}
	if !s.revoked.arrivedSince(p.TenantID, p.UserID, row.ID, read) {
		s.apiKeys.put(hash, row.ID, p, row.ExpiresAt) // else read before a revocation: read again next time
	}
	s.lastUsed.mark(p.TenantID, row.ID, s.now())
	return p, nil
}

// Tenant returns the slug of tenant id and whether it is on the dedicated
// tier, for routing to its upstreams (the proxy's TenantDirectory). It reads
// through the same short-lived cache as Authenticate, so it costs no query on
// the request path; a tenant that is not active is ErrTenantInactive.
func (s *Service) Tenant(ctx context.Context, id string) (slug string, dedicated bool, err error) {
	e, err := s.tenants.get(ctx, id)
	if err != nil {
		return "", false, err
	}
	if e.status != TenantActive {
		return "", false, ErrTenantInactive
	}
	return e.slug, e.tier == TierDedicated, nil
}
