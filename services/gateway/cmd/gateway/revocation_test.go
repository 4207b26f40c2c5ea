package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/testkit"
)

func TestRevocationPollConfig(t *testing.T) {
	tests := []struct {
		name, value string
		want        time.Duration
		wantErr     bool
	}{
		{"default", "", 500 * time.Millisecond, false},
		{"set", "250ms", 250 * time.Millisecond, false},
		{"at the bound", "1s", time.Second, false},
		{"beyond the bound", "2s", 0, true},
		{"zero", "0s", 0, true},
		{"not a duration", "often", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := validEnv()
			env["GATEWAY_REVOCATION_POLL"] = tt.value
			c, err := loadConfig(func(k string) string { return env[k] })
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "GATEWAY_REVOCATION_POLL") {
					t.Fatalf("loadConfig: %v, want an error naming GATEWAY_REVOCATION_POLL", err)
				}
				return
			}
			if err != nil || c.RevocationPoll != tt.want {
				t.Fatalf("loadConfig: poll %v, %v; want %v", c.RevocationPoll, err, tt.want)
			}
		})
	}
}

// gatewayPair is two gateway processes on one database: the replicas of
// one platform.
type gatewayPair struct {
	a, b     string // their public base URLs
	platform string // GATEWAY_PLATFORM_TOKEN
}

// buildGateway compiles this command into a temporary directory and
// returns the binary's path.
func buildGateway(t *testing.T) string {
	t.Helper()
	root, err := proc.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := proc.Build(t.Context(), root, dir, "./services/gateway/cmd/gateway"); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "gateway")
}

// startGatewayPair runs two gateways (the binary bin) on a fresh database
// with the same keys, each with extra environment env.
func startGatewayPair(t *testing.T, bin string, env []string) gatewayPair {
	t.Helper()
	dir := t.TempDir()
	db := testkit.Postgres(t)
	keyFile := filepath.Join(dir, "signing-key.pem")
	if _, err := auth.WriteKeyFile(keyFile); err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 56)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	pair := gatewayPair{platform: hex.EncodeToString(secret[32:])}
	addrs := testkit.FreeAddrs(t, 5)
	common := append(env, "LOG_LEVEL=warn", "DATABASE_URL="+db.AppURL,
		"GATEWAY_DATA_KEY="+base64.StdEncoding.EncodeToString(secret[:32]),
		"GATEWAY_PLATFORM_TOKEN="+pair.platform, "GATEWAY_SIGNING_KEYS="+keyFile,
		"STATIC_UPSTREAMS=contacts="+addrs[4])
	for i, base := range []*string{&pair.a, &pair.b} {
		public, internal := addrs[2*i], addrs[2*i+1]
		*base = "http://" + public
		own := []string{"GATEWAY_ADDR=" + public, "GATEWAY_METRICS_ADDR=" + internal, "GATEWAY_PUBLIC_URL=" + *base}
		if i == 0 {
			own = append(own, "DATABASE_MIGRATE_URL="+db.AdminURL) // the second waits for the first's migration
		}
		name := fmt.Sprintf("gateway-%d", i+1)
		p, err := proc.Start(proc.Config{Name: name, Path: bin,
			Env: append(append(os.Environ(), common...), own...)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			p.Stop(5 * time.Second)
			if t.Failed() {
				t.Logf("%s log (tail):\n%s", name, p.Tail(3000))
			}
		})
		if err := p.WaitReady(t.Context(), *base, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	return pair
}

// call sends a JSON request to base+path with header (name, value pairs)
// and decodes the answer into out when it is not nil; it returns the
// status.
func call(t *testing.T, method, url string, body any, out any, header ...string) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, raw)
		}
	}
	return resp.StatusCode
}

// must is call, failing the test unless the status is want.
func must(t *testing.T, method, url string, body any, want int, out any, header ...string) {
	t.Helper()
	if got := call(t, method, url, body, out, header...); got != want {
		t.Fatalf("%s %s: %d, want %d", method, url, got, want)
	}
}

// tokens is a sign-in's answer.
type tokens struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
}

// invite creates user email with roles through base as admin and accepts
// the invitation; it returns the user's id and tokens.
func invite(t *testing.T, base, admin, email string, roles []string) (string, tokens) {
	t.Helper()
	var inv struct {
		User            struct{ ID string }
		InvitationToken string
	}
	must(t, "POST", base+"/v1/users", map[string]any{"email": email, "name": email, "roles": roles}, 201, &inv,
		"Authorization", "Bearer "+admin)
	var tok tokens
	must(t, "POST", base+"/v1/auth/accept-invitation", map[string]string{
		"token": inv.InvitationToken, "password": "member-password-1"}, 200, &tok)
	return inv.User.ID, tok
}

// refusedWithin asks get every 50ms until it answers want, failing the
// test if that takes more than a second from start (the revoking answer).
func refusedWithin(t *testing.T, start time.Time, want int, get func() int) {
	t.Helper()
	for {
		got := get()
		if got == want {
			t.Logf("refused (%d) %v after the revoking answer", got, time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Since(start) > time.Second {
			t.Fatalf("still %d %v after the revoking answer, want %d", got, time.Since(start).Round(time.Millisecond), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRevocationAcrossReplicas runs two gateway processes on one database:
// a user signs in on A and uses the token on B; then, on A, a logout, a
// disable, a change of roles and an API key's revocation are refused by B
// within a second of A's answer, with Redis relaying them and without Redis
// (each replica polling the revocations table).
func TestRevocationAcrossReplicas(t *testing.T) {
	bin := buildGateway(t)
	redisURL := os.Getenv("TEST_REDIS_URL")
	if redisURL == "" {
		redisURL = "redis://127.0.0.1:6379/0"
	}
	for _, tr := range []struct {
		name string
		env  []string
	}{
		{"with Redis", []string{"REDIS_URL=" + redisURL, "GATEWAY_REVOCATION_POLL=1s"}},
		{"without Redis", nil},
	} {
		t.Run(tr.name, func(t *testing.T) {
			g := startGatewayPair(t, bin, tr.env)
			var created struct {
				Admin struct{ InvitationToken string }
			}
			must(t, "POST", g.a+"/admin/v1/tenants", map[string]any{"slug": "acme", "name": "Acme",
				"admin": map[string]string{"email": "admin@acme.test"}}, 201, &created, "Authorization", "Bearer "+g.platform)
			var admin tokens
			must(t, "POST", g.a+"/v1/auth/accept-invitation", map[string]string{
				"token": created.Admin.InvitationToken, "password": "admin-password-1"}, 200, &admin)
			bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
			onB := func(path string, header []string) func() int {
				return func() int { return call(t, "GET", g.b+path, nil, nil, header...) }
			}

			t.Run("logout", func(t *testing.T) {
				_, tok := invite(t, g.a, admin.AccessToken, "leaver@acme.test", []string{"sales_rep"})
				must(t, "GET", g.b+"/v1/me", nil, 200, nil, bearer(tok.AccessToken)...)
				must(t, "POST", g.a+"/v1/auth/logout", map[string]string{"refreshToken": tok.RefreshToken}, 204, nil)
				refusedWithin(t, time.Now(), 401, onB("/v1/me", bearer(tok.AccessToken)))
			})
			t.Run("disabling the user", func(t *testing.T) {
				id, tok := invite(t, g.a, admin.AccessToken, "gone@acme.test", []string{"sales_rep"})
				must(t, "GET", g.b+"/v1/me", nil, 200, nil, bearer(tok.AccessToken)...)
				must(t, "POST", g.a+"/v1/users/"+id+"/disable", nil, 200, nil, bearer(admin.AccessToken)...)
				refusedWithin(t, time.Now(), 401, onB("/v1/me", bearer(tok.AccessToken)))
			})
			t.Run("changing the user's roles", func(t *testing.T) {
				id, tok := invite(t, g.a, admin.AccessToken, "demoted@acme.test", []string{"admin"})
				must(t, "GET", g.b+"/v1/users", nil, 200, nil, bearer(tok.AccessToken)...)
				must(t, "PATCH", g.a+"/v1/users/"+id, map[string]any{"roles": []string{"sales_rep"}}, 200, nil, bearer(admin.AccessToken)...)
				refusedWithin(t, time.Now(), 403, onB("/v1/users", bearer(tok.AccessToken)))
				must(t, "GET", g.b+"/v1/me", nil, 200, nil, bearer(tok.AccessToken)...) // still signed in, with fewer grants
			})
			t.Run("revoking an API key", func(t *testing.T) {
				var key struct{ ID, Secret string }
				must(t, "POST", g.a+"/v1/api-keys", map[string]any{"name": "ci", "scopes": []string{"contacts:read"}}, 201, &key,
					bearer(admin.AccessToken)...)
				must(t, "GET", g.b+"/v1/me", nil, 200, nil, "X-API-Key", key.Secret)
				must(t, "DELETE", g.a+"/v1/api-keys/"+key.ID, nil, 204, nil, bearer(admin.AccessToken)...)
				refusedWithin(t, time.Now(), 401, onB("/v1/me", []string{"X-API-Key", key.Secret}))
			})
		})
	}
}
