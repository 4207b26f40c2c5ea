package identity

import (
	"bytes"
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

func TestDisabledUserTokens(t *testing.T) {
	e := setup(t)
	_, admin := e.tenant(t, "acme")
	member, pair := e.member(t, admin, "rep@acme.test", []string{"sales_rep"}, nil)
	_, other := e.member(t, admin, "other@acme.test", []string{"sales_rep"}, nil)
	p, _, err := e.s.keys.verifyAccessToken(pair.AccessToken, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	uncached, err := e.s.keys.signAccessToken(p, time.Now().Add(-time.Minute)) // issued before the disable, never seen
	if err != nil {
		t.Fatal(err)
	}
	// A second replica on the same database and keys, which did not handle
	// the disable.
	replica, err := New(Config{DB: e.s.db, Keys: e.s.keys, DataKey: bytes.Repeat([]byte{7}, DataKeyLen),
		PublicURL: e.srv.URL, PlatformToken: testPlatformToken, Argon2: testArgon2, Logger: e.s.logger})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Service{e.s, replica} {
		if _, err := authenticate(s, pair.AccessToken); err != nil {
			t.Fatalf("before the disable: %v", err)
		}
	}
	e.c.call(t, "POST", "/v1/users/"+member.ID+"/disable", bearer(admin.AccessToken), nil, 200, nil)

	tests := []struct {
		name       string
		s          *Service
		token      string
		wantDetail string
	}{
		{"the cached token, on the replica that disabled", e.s, pair.AccessToken, "the user has been disabled"},
		{"an uncached token of the user, on that replica", e.s, uncached, "the user has been disabled"},
		{"another user's token, on that replica", e.s, other.AccessToken, ""},
		{"the token on another replica, until it expires", replica, pair.AccessToken, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := authenticate(tt.s, tt.token)
			if got := message(err); got != tt.wantDetail || (err == nil) != (tt.wantDetail == "") {
				t.Errorf("Authenticate: error %v, want detail %q", err, tt.wantDetail)
			}
		})
	}
	if cached(e.s, pair.AccessToken, time.Now()) {
		t.Error("the disabled user's token is still cached")
	}
}

func TestAccessTokenCacheDisable(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	window := AccessTokenTTL + tokenLeeway
	c := newAccessTokenCache(10)
	c.disable("u1", t0)
	c.disable("u2", t0.Add(time.Minute))
	tests := []struct {
		name string
		user string
		at   time.Time
		want bool
	}{
		{"at the disable", "u1", t0, true},
		{"just before the last token could expire", "u1", t0.Add(window - time.Nanosecond), true},
		{"once every token has expired", "u1", t0.Add(window), false},
		{"a user never disabled", "u3", t0, false},
		{"a user disabled later, past the first one's window", "u2", t0.Add(window), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.refused(tt.user, tt.at); got != tt.want {
				t.Errorf("refused(%s) = %v, want %v", tt.user, got, tt.want)
			}
		})
	}
	c.disable("u3", t0.Add(window)) // prunes u1, whose window is over
	got := *c.disabled.Load()
	if _, ok := got["u1"]; ok || len(got) != 2 {
		t.Errorf("refused users after pruning = %v, want u2 and u3", got)
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
