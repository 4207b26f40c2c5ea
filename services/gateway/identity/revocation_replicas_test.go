package identity

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
)

// testRedis returns a client of the test Redis (TEST_REDIS_URL, else
// 127.0.0.1:6379).
func testRedis(t *testing.T) *redis.Client {
	t.Helper()
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Ping(t.Context()).Err(); err != nil {
		t.Fatalf("Redis at %s: %v", url, err)
	}
	return c
}

// downRedis returns a client of a Redis that is not there.
func downRedis(t *testing.T) *redis.Client {
	t.Helper()
	ln := httptest.NewUnstartedServer(nil).Listener // a free port, closed at once
	addr := ln.Addr().String()
	_ = ln.Close()
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// replica returns another Service on e's database and keys, keeping its
// revocations current with cfg until the test ends, once it has read them.
func (e *env) replica(t *testing.T, cfg RevocationConfig) *Service {
	t.Helper()
	s, err := New(Config{DB: e.s.db, Keys: e.s.keys, DataKey: bytes.Repeat([]byte{7}, DataKeyLen),
		PublicURL: e.srv.URL, PlatformToken: testPlatformToken, Argon2: testArgon2, Logger: e.s.logger})
	if err != nil {
		t.Fatal(err)
	}
	runRevocations(t, s, cfg)
	return s
}

// runRevocations runs s.RunRevocations until the test ends and waits until
// s has read the table.
func runRevocations(t *testing.T, s *Service, cfg RevocationConfig) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.RunRevocations(ctx, cfg) }()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(10 * time.Second)
	for s.RevocationsLoaded(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the replica did not read the revocations table")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// authenticateKey calls s.Authenticate with an API key.
func authenticateKey(s *Service, key string) (auth.Principal, error) {
	r := httptest.NewRequest("GET", "/v1/contacts", nil)
	r.Header.Set("X-API-Key", key)
	return s.Authenticate(context.Background(), r)
}

// refusedWithin polls check every 50ms until it reports the credential
// refused, failing the test if that takes longer than bound from start.
func refusedWithin(t *testing.T, start time.Time, bound time.Duration, check func() string) {
	t.Helper()
	for {
		why := check()
		if why == "" {
			return
		}
		if time.Since(start) > bound {
			t.Fatalf("still accepted %v after the revoking response: %s", time.Since(start).Round(time.Millisecond), why)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// revokedToken is a check of refusedWithin: token must be refused by s
// with detail want.
func revokedToken(s *Service, token, want string) func() string {
	return func() string {
		_, err := authenticate(s, token)
		if err == nil {
			return "authenticated"
		}
		if e, ok := errs.As(err); !ok || e.Kind != errs.Unauthenticated || e.Message != want {
			return fmt.Sprintf("refused with %v, want 401 %q", err, want)
		}
		return ""
	}
}

// TestRevocationAcrossServices runs two replicas of the identity on one
// database: A serves the API (and the revoking requests), B only
// authenticates. Every revoking action on A reaches B within a second,
// through Redis (B polls the table only every hour) and, with Redis down,
// through the table alone.
func TestRevocationAcrossServices(t *testing.T) {
	transports := []struct {
		name string
		cfg  func(t *testing.T) RevocationConfig
	}{
		{"through Redis", func(t *testing.T) RevocationConfig {
			return RevocationConfig{Redis: testRedis(t), Channel: "rapport-test:revocations:" + uuid.NewString(), Poll: time.Hour}
		}},
		{"Redis down: through the table", func(t *testing.T) RevocationConfig {
			return RevocationConfig{Redis: downRedis(t), Poll: DefaultRevocationPoll}
		}},
	}
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			e := setup(t)
			cfg := tr.cfg(t)
			runRevocations(t, e.s, cfg)
			b := e.replica(t, cfg)
			_, admin := e.tenant(t, "acme")
			const bound = time.Second

			t.Run("logout ends the session's access tokens", func(t *testing.T) {
				_, pair := e.member(t, admin, "leaver@acme.test", []string{"sales_rep"}, nil)
				var again TokenPair
				e.c.call(t, "POST", "/v1/auth/login", nil, map[string]string{
					"tenant": "acme", "email": "leaver@acme.test", "password": "member-password-1"}, 200, &again)
				for _, tok := range []string{pair.AccessToken, again.AccessToken} {
					if _, err := authenticate(b, tok); err != nil {
						t.Fatalf("before the logout: %v", err)
					}
				}
				e.c.call(t, "POST", "/v1/auth/logout", nil, map[string]string{"refreshToken": pair.RefreshToken}, 204, nil)
				start := time.Now()
				refusedWithin(t, start, bound, revokedToken(b, pair.AccessToken, "the session has ended"))
				refusedWithin(t, start, bound, revokedToken(e.s, pair.AccessToken, "the session has ended"))
				if _, err := authenticate(b, again.AccessToken); err != nil {
					t.Errorf("the user's other session: %v", err)
				}
			})

			t.Run("disabling a user refuses their tokens and keys", func(t *testing.T) {
				member, pair := e.member(t, admin, "gone@acme.test", []string{AdminRole}, nil) // admins may hold API keys
				var key CreatedAPIKey
				e.c.call(t, "POST", "/v1/api-keys", bearer(pair.AccessToken), map[string]any{
					"name": "gone's key", "scopes": []string{"contacts:read"}}, 201, &key)
				if _, err := authenticateKey(b, key.Secret); err != nil {
					t.Fatalf("the key before the disable: %v", err)
				}
				if _, err := authenticate(b, pair.AccessToken); err != nil {
					t.Fatalf("the token before the disable: %v", err)
				}
				e.c.call(t, "POST", "/v1/users/"+member.ID+"/disable", bearer(admin.AccessToken), nil, 200, nil)
				start := time.Now()
				refusedWithin(t, start, bound, revokedToken(b, pair.AccessToken, "the user has been disabled"))
				refusedWithin(t, start, bound, func() string {
					if _, err := authenticateKey(b, key.Secret); err == nil {
						return "the key authenticated"
					}
					return ""
				})
			})

			t.Run("changing a user's roles changes what their token grants", func(t *testing.T) {
				member, pair := e.member(t, admin, "moved@acme.test", []string{"sales_rep"}, nil)
				if p, err := authenticate(b, pair.AccessToken); err != nil || !p.Can("contacts:write") {
					t.Fatalf("before the change: %v, contacts:write %v", err, p.Can("contacts:write"))
				}
				e.c.call(t, "PATCH", "/v1/users/"+member.ID, bearer(admin.AccessToken), map[string]any{"roles": []string{"read_only"}}, 200, nil)
				start := time.Now()
				refusedWithin(t, start, bound, func() string {
					p, err := authenticate(b, pair.AccessToken)
					switch {
					case err != nil:
						return fmt.Sprintf("refused: %v, want the new grants", err)
					case p.Can("contacts:write") || !p.Can("contacts:read"):
						return fmt.Sprintf("grants %v, want read_only's", p.Permissions)
					}
					return ""
				})
			})

			t.Run("changing a role changes what its holders' tokens grant", func(t *testing.T) {
				var role Role
				e.c.call(t, "POST", "/v1/roles", bearer(admin.AccessToken), map[string]any{
					"name": "closer", "permissions": []string{"sales:read", "sales:write"}}, 201, &role)
				_, pair := e.member(t, admin, "closer@acme.test", []string{"closer"}, nil)
				if p, err := authenticate(b, pair.AccessToken); err != nil || !p.Can("sales:write") {
					t.Fatalf("before the change: %v, sales:write %v", err, p.Can("sales:write"))
				}
				e.c.call(t, "PATCH", "/v1/roles/"+role.ID, bearer(admin.AccessToken), map[string]any{"permissions": []string{"sales:read"}}, 200, nil)
				start := time.Now()
				refusedWithin(t, start, bound, func() string {
					if p, err := authenticate(b, pair.AccessToken); err != nil || p.Can("sales:write") {
						return fmt.Sprintf("%v, sales:write %v", err, p.Can("sales:write"))
					}
					return ""
				})
			})

			t.Run("a refresh token's reuse ends the session", func(t *testing.T) {
				_, first := e.member(t, admin, "stolen@acme.test", []string{"sales_rep"}, nil)
				var second TokenPair
				e.c.call(t, "POST", "/v1/auth/refresh", nil, map[string]string{"refreshToken": first.RefreshToken}, 200, &second)
				if _, err := authenticate(b, second.AccessToken); err != nil {
					t.Fatalf("before the reuse: %v", err)
				}
				e.c.call(t, "POST", "/v1/auth/refresh", nil, map[string]string{"refreshToken": first.RefreshToken}, 401, nil)
				start := time.Now()
				refusedWithin(t, start, bound, revokedToken(b, second.AccessToken, "the session has ended"))
				refusedWithin(t, start, bound, revokedToken(b, first.AccessToken, "the session has ended"))
			})

			t.Run("moving a team changes its managers' subordinates", func(t *testing.T) {
				var top, sub Team
				e.c.call(t, "POST", "/v1/teams", bearer(admin.AccessToken), map[string]any{"name": "Top"}, 201, &top)
				e.c.call(t, "POST", "/v1/teams", bearer(admin.AccessToken), map[string]any{"name": "Sub", "parentId": top.ID}, 201, &sub)
				_, pair := e.member(t, admin, "boss@acme.test", []string{"manager"}, []TeamMembership{{TeamID: top.ID, Manager: true}})
				if p, err := authenticate(b, pair.AccessToken); err != nil || !slices.Contains(p.Subordinates, sub.ID) {
					t.Fatalf("before the move: %v, subordinates %v", err, p.Subordinates)
				}
				e.c.call(t, "PATCH", "/v1/teams/"+sub.ID, bearer(admin.AccessToken), map[string]any{"parentId": ""}, 200, nil)
				start := time.Now()
				refusedWithin(t, start, bound, func() string {
					if p, err := authenticate(b, pair.AccessToken); err != nil || slices.Contains(p.Subordinates, sub.ID) {
						return fmt.Sprintf("%v, subordinates %v", err, p.Subordinates)
					}
					return ""
				})
			})

			t.Run("revoking an API key", func(t *testing.T) {
				var key CreatedAPIKey
				e.c.call(t, "POST", "/v1/api-keys", bearer(admin.AccessToken), map[string]any{
					"name": "ci", "scopes": []string{"contacts:read"}}, 201, &key)
				if _, err := authenticateKey(b, key.Secret); err != nil {
					t.Fatalf("before the revocation: %v", err)
				}
				e.c.call(t, "DELETE", "/v1/api-keys/"+key.ID, bearer(admin.AccessToken), nil, 204, nil)
				start := time.Now()
				refusedWithin(t, start, bound, func() string {
					if _, err := authenticateKey(b, key.Secret); !isErr(err, ErrInvalidAPIKey) {
						return fmt.Sprintf("%v, want %v", err, ErrInvalidAPIKey)
					}
					return ""
				})
			})
		})
	}
}

// TestRevocationOnStart starts a replica after a logout and a disable: it
// reads the table before it is ready, and refuses both users' tokens though
// it never saw the announcements.
func TestRevocationOnStart(t *testing.T) {
	e := setup(t)
	_, admin := e.tenant(t, "acme")
	member, disabled := e.member(t, admin, "gone@acme.test", []string{"sales_rep"}, nil)
	_, leaver := e.member(t, admin, "leaver@acme.test", []string{"sales_rep"}, nil)
	e.c.call(t, "POST", "/v1/users/"+member.ID+"/disable", bearer(admin.AccessToken), nil, 200, nil)
	e.c.call(t, "POST", "/v1/auth/logout", nil, map[string]string{"refreshToken": leaver.RefreshToken}, 204, nil)

	late := e.replica(t, RevocationConfig{Poll: time.Hour})
	tests := []struct {
		name, token, want string
	}{
		{"the disabled user's token", disabled.AccessToken, "the user has been disabled"},
		{"the ended session's token", leaver.AccessToken, "the session has ended"},
		{"the admin's token", admin.AccessToken, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := authenticate(late, tt.token)
			if got := message(err); got != tt.want || (err == nil) != (tt.want == "") {
				t.Errorf("Authenticate: %v, want detail %q", err, tt.want)
			}
		})
	}
}
