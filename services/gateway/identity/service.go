package identity

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/services/gateway/internal/secretbox"
)

// Lifetimes of the gateway's opaque tokens.
const (
	RefreshTokenTTL = 30 * 24 * time.Hour
	InvitationTTL   = 7 * 24 * time.Hour
)

// Config is what New needs.
type Config struct {
	// DB connects as the runtime role (no BYPASSRLS).
	DB *sqlx.DB
	// Keys sign user access tokens (and, through Keys.Signer, internal tokens).
	Keys *Keys
	// DataKey (DataKeyLen bytes) seals OIDC client secrets and signs cursors
	// and the OIDC state cookie. Every replica needs the same one.
	DataKey []byte
	// PublicURL is the gateway's external base URL, e.g.
	// https://crm.example.com; OIDC redirect URIs and invitation links are
	// built from it.
	PublicURL string
	// PlatformToken authenticates the operator's /admin/v1 API.
	PlatformToken string
	// Argon2 sets the password hash cost; the zero value means
	// DefaultArgon2Params.
	Argon2 Argon2Params
	// HTTPClient talks to OIDC providers (http.DefaultClient if nil).
	HTTPClient *http.Client
	// Logger logs (slog.Default() if nil).
	Logger *slog.Logger
	// Throttles slow failed logins; the zero value means MemoryThrottles
	// (per replica). RedisThrottles shares them across replicas.
	Throttles LoginThrottles
	// OnLogin, if set, is told of every password or SSO sign-in attempt,
	// successful or not, after it completes (the audit log's hook). It runs
	// on the request's goroutine: it must hand the event off, not write it.
	OnLogin func(context.Context, LoginEvent)
	// OnExchange, if set, is told of every token exchange an authenticated
	// service asks (POST /internal/v1/token-exchange), granted or not, for
	// the audit log; like OnLogin it must hand the event off.
	OnExchange func(context.Context, ExchangeEvent)
	// Metrics counts sign-ins and API-key authentications by method and
	// result, and logins refused by the throttle (nil: not counted).
	Metrics *obs.GatewayMetrics
}

// Service is the gateway's identity: sign-in, tokens, users, teams, roles,
// API keys, single sign-on and the operator's tenant administration.
type Service struct {
	db            *sqlx.DB
	keys          *Keys
	box           *secretbox.Box // OIDC client secrets and command-line sign-in codes
	dataKey       []byte         // what the SSO state's key derives from
	cursors       *kitx.Cursors
	publicURL     string
	platformToken []byte
	params        Argon2Params
	dummyHash     string
	throttles     LoginThrottles // failed logins per account and per client address
	tenants       *tenantCache
	portals       *portalTenants // the public portal's tenants (portal.go)
	accessTokens  *accessTokenCache
	apiKeys       *apiKeyCache
	lastUsed      *lastUsed
	httpClient    *http.Client
	logger        *slog.Logger
	onLogin       func(context.Context, LoginEvent)
	onExchange    func(context.Context, ExchangeEvent)
	metrics       *obs.GatewayMetrics
	now           func() time.Time

	revocationState // what every replica revoked (revocation.go)
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.Keys == nil {
		return nil, errors.New("identity: New needs a DB and keys")
	}
	box, err := secretbox.New(cfg.DataKey, "oidc-client-secret")
	if err != nil {
		return nil, err
	}
	cursors, err := kitx.NewCursors(secretbox.DeriveKey(cfg.DataKey, "cursor"))
	if err != nil {
		return nil, err
	}
	if cfg.Argon2 == (Argon2Params{}) {
		cfg.Argon2 = DefaultArgon2Params
	}
	dummy, err := HashPassword(randomToken(24), cfg.Argon2)
	if err != nil {
		return nil, err
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Throttles.Accounts == nil || cfg.Throttles.Addresses == nil {
		cfg.Throttles = MemoryThrottles()
	}
	s := &Service{
		db: cfg.DB, keys: cfg.Keys, box: box, dataKey: append([]byte(nil), cfg.DataKey...), cursors: cursors, publicURL: cfg.PublicURL,
		platformToken: []byte(cfg.PlatformToken), params: cfg.Argon2, dummyHash: dummy,
		throttles: cfg.Throttles, httpClient: cfg.HTTPClient, logger: cfg.Logger, onLogin: cfg.OnLogin,
		onExchange: cfg.OnExchange, metrics: cfg.Metrics, now: pg.Now,
	}
	s.tenants = newTenantCache(cfg.DB, 5*time.Second)
	s.portals = newPortalTenants()
	s.accessTokens = newAccessTokenCache(accessTokenCacheSize)
	s.revoked = newRevocationSet(func() time.Time { return s.now() })
	s.apiKeys = newAPIKeyCache(10 * time.Second)
	s.lastUsed = newLastUsed(cfg.DB, cfg.Logger)
	return s, nil
}

// Keys returns the signing keys; the edge mints internal tokens with
// Keys().Signer().
func (s *Service) Keys() *Keys { return s.keys }

// Run flushes API-key last-use times every interval until ctx ends, then
// flushes once more. Start it in its own goroutine.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	s.lastUsed.run(ctx, interval)
}

// FlushLastUsed writes pending API-key last-use times now.
func (s *Service) FlushLastUsed(ctx context.Context) error { return s.lastUsed.flush(ctx) }

// tenantTx runs fn in a transaction scoped to tenantID.
func (s *Service) tenantTx(ctx context.Context, tenantID string, fn func(tx *sqlx.Tx) error) error {
	return pg.WithTenantTx(ctx, s.db, tenantID, fn)
}

// principalFor builds the principal of user userID of tenantID from their
// roles and teams, inside tx.
func principalFor(ctx context.Context, tx *sqlx.Tx, tenantID, userID string) (auth.Principal, error) {
	g, err := loadGrants(ctx, tx, userID)
	if err != nil {
		return auth.Principal{}, err
	}
	return auth.Principal{
		TenantID: tenantID, UserID: userID, Roles: g.Roles, Teams: g.Teams,
		Subordinates: g.Subordinates, Permissions: normalisePerms(g.Permissions),
		RecordScope: mergeScopes(g.RecordScopes),
	}, nil
}

// normalisePerms sorts and de-duplicates permissions, collapsing to "*" when
// it is held.
func normalisePerms(perms []string) []string {
	u := uniq(perms)
	for _, p := range u {
		if p == "*" {
			return []string{"*"}
		}
	}
	sort.Strings(u)
	return u
}

// scopeRank orders record scopes from narrowest to widest.
var scopeRank = map[auth.Scope]int{auth.ScopeOwn: 1, auth.ScopeTeam: 2, auth.ScopeAll: 3}

// mergeScopes combines the record scopes of several roles: for every module
// any role names (and "*"), the widest scope any role grants it.
func mergeScopes(roles []map[string]string) map[string]auth.Scope {
	out := map[string]auth.Scope{}
	modules := map[string]bool{"*": true}
	for _, r := range roles {
		for m := range r {
			modules[m] = true
		}
	}
	for m := range modules {
		best := auth.Scope("")
		for _, r := range roles {
			sc := auth.Scope(r[m])
			if scopeRank[sc] == 0 {
				sc = auth.Scope(r["*"])
			}
			if scopeRank[sc] > scopeRank[best] {
				best = sc
			}
		}
		if best != "" {
			out[m] = best
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Cursors signs the opaque cursors of the gateway's lists (derived from the
// data key, so every replica reads every other's).
func (s *Service) Cursors() *kitx.Cursors { return s.cursors }
