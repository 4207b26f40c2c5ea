package identity

import (
	"context"
	"crypto/sha256"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/pg"
)

// authenticate calls s.Authenticate with token as the bearer credential.
func authenticate(s *Service, token string) (auth.Principal, error) {
	r := httptest.NewRequest("GET", "/v1/contacts", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return s.Authenticate(context.Background(), r)
}

// cached reports whether s holds token's principal at now.
func cached(s *Service, token string, now time.Time) bool {
	_, ok := s.accessTokens.get(keyOf(token), now)
	return ok
}

// message returns the problem message of err, "" for nil.
func message(err error) string {
	if e, ok := errs.As(err); ok {
		return e.Message
	}
	return ""
}

func TestAuthenticateCachesAccessTokens(t *testing.T) {
	e := setup(t)
	tenant, admin := e.tenant(t, "acme")
	member, pair := e.member(t, admin, "rep@acme.test", []string{"sales_rep"}, nil)
	tampered := pair.AccessToken[:len(pair.AccessToken)-2] + "AA"
	now := pg.Now()
	at := func(d time.Duration) func() time.Time { return func() time.Time { return now.Add(d) } }

	steps := []struct {
		name       string
		before     func(t *testing.T)
		token      string
		clock      func() time.Time
		wantDetail string // "" means authenticated as member
		wantCached bool   // the token is in the cache afterwards
	}{
		{name: "first use verifies and caches", token: pair.AccessToken, clock: at(0), wantCached: true},
		{name: "a cached token authenticates", token: pair.AccessToken, clock: at(AccessTokenTTL - 2*time.Second), wantCached: true},
		{name: "a tampered token is refused and not cached", token: tampered, clock: at(0),
			wantDetail: "the token's signature does not verify"},
		{name: "a cached token of a suspended tenant is refused", token: pair.AccessToken, clock: at(0), wantCached: true,
			before: func(t *testing.T) {
				e.c.call(t, "POST", "/admin/v1/tenants/"+tenant.ID+"/suspend", platformAuth(), nil, 200, nil)
			},
			wantDetail: ErrTenantInactive.Message},
		{name: "and accepted again once it resumes", token: pair.AccessToken, clock: at(0), wantCached: true,
			before: func(t *testing.T) {
				e.c.call(t, "POST", "/admin/v1/tenants/"+tenant.ID+"/resume", platformAuth(), nil, 200, nil)
			}},
		{name: "a cached token is refused once expired, and forgotten", token: pair.AccessToken, clock: at(AccessTokenTTL + tokenLeeway + time.Second),
			wantDetail: "the token has expired"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.before != nil {
				s.before(t)
			}
			e.s.now = s.clock
			defer func() { e.s.now = pg.Now }()
			p, err := authenticate(e.s, s.token)
			if got := message(err); got != s.wantDetail || (err == nil) != (s.wantDetail == "") {
				t.Fatalf("Authenticate: error %v, want detail %q", err, s.wantDetail)
			}
			if err == nil && (p.UserID != member.ID || p.TenantID != tenant.ID || !p.Can("contacts:write")) {
				t.Errorf("principal = %+v, want the sales rep %s", p, member.ID)
			}
			if got := cached(e.s, s.token, s.clock()); got != s.wantCached {
				t.Errorf("cached = %v, want %v", got, s.wantCached)
			}
		})
	}
}

func TestKeyOf(t *testing.T) {
	tests := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"a short token", "eyJhbGciOiJFUzI1NiJ9.e30.sig"},
		{"as long as the stack buffer", strings.Repeat("a", 2048)},
		{"longer than the stack buffer", strings.Repeat("b", 2049)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := keyOf(tt.token), tokenKey(sha256.Sum256([]byte(tt.token))); got != want {
				t.Errorf("keyOf = %x, want %x", got, want)
			}
		})
	}
}
