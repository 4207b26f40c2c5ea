package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

func TestLogin(t *testing.T) {
	e := setup(t)
	e.tenant(t, "acme")
	tests := []struct {
		name     string
		email    string
		password string
		want     int
	}{
		{"ok", "admin@acme.test", "admin-password-1", 200},
		{"email case-insensitive", "ADMIN@acme.test", "admin-password-1", 200},
		{"bad password", "admin@acme.test", "wrong-password-1", 401},
		{"unknown email", "nobody@acme.test", "admin-password-1", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, raw, _ := e.c.do(t, "POST", "/v1/auth/login", nil, map[string]string{
				"tenant": "acme", "email": tt.email, "password": tt.password})
			if got != tt.want {
				t.Fatalf("status %d, want %d: %s", got, tt.want, raw)
			}
		})
	}
}

// TestLoginDoesNotRevealEmails compares the answers to a wrong password and to
// an unknown email: same status, same body (but for the request id), and
// latencies of the same order.
func TestLoginDoesNotRevealEmails(t *testing.T) {
	e := setup(t)
	e.tenant(t, "acme")
	attempt := func(email string) (int, []byte, time.Duration) {
		start := time.Now()
		got, raw, _ := e.c.do(t, "POST", "/v1/auth/login", nil, map[string]string{
			"tenant": "acme", "email": email, "password": "wrong-password-1"})
		var p map[string]any
		_ = json.Unmarshal(raw, &p)
		delete(p, "requestId")
		norm, _ := json.Marshal(p)
		return got, norm, time.Since(start)
	}
	var known, unknown []time.Duration
	var knownBody, unknownBody []byte
	const n = 4 // below the throttle's free attempts
	for range n {
		s1, b1, d1 := attempt("admin@acme.test")
		s2, b2, d2 := attempt("ghost@acme.test")
		if s1 != 401 || s2 != 401 {
			t.Fatalf("statuses %d and %d, want 401 and 401", s1, s2)
		}
		known, unknown, knownBody, unknownBody = append(known, d1), append(unknown, d2), b1, b2
	}
	if !bytes.Equal(knownBody, unknownBody) {
		t.Errorf("bodies differ:\n known:   %s\n unknown: %s", knownBody, unknownBody)
	}
	slices.Sort(known)
	slices.Sort(unknown)
	ratio := float64(known[n/2]) / float64(unknown[n/2])
	t.Logf("median latency: existing email %v, unknown email %v", known[n/2], unknown[n/2])
	if ratio > 3 || ratio < 1.0/3 {
		t.Errorf("latency ratio %.2f reveals which email exists", ratio)
	}
}

func TestLoginThrottled(t *testing.T) {
	e := setup(t)
	e.tenant(t, "acme")
	for i := range 5 {
		got, _, _ := e.c.do(t, "POST", "/v1/auth/login", nil, map[string]string{
			"tenant": "acme", "email": "admin@acme.test", "password": "wrong-password-1"})
		if got != 401 {
			t.Fatalf("attempt %d: status %d, want 401", i+1, got)
		}
	}
	// The sixth failure locks the account: even the right password waits.
	e.c.do(t, "POST", "/v1/auth/login", nil, map[string]string{"tenant": "acme", "email": "admin@acme.test", "password": "wrong"})
	got, raw, _ := e.c.do(t, "POST", "/v1/auth/login", nil, map[string]string{
		"tenant": "acme", "email": "admin@acme.test", "password": "admin-password-1"})
	if got != 429 || problemType(t, raw) != "too-many-attempts" {
		t.Fatalf("locked login: status %d %s, want 429 too-many-attempts", got, raw)
	}
}

func TestRefreshRotationAndReuse(t *testing.T) {
	e := setup(t)
	_, first := e.tenant(t, "acme")
	var second TokenPair
	e.c.call(t, "POST", "/v1/auth/refresh", nil, map[string]string{"refreshToken": first.RefreshToken}, 200, &second)
	if second.RefreshToken == first.RefreshToken || second.AccessToken == "" {
		t.Fatal("refresh did not rotate the token")
	}
	// Reusing the spent token revokes the family: the successor dies too.
	raw := e.c.call(t, "POST", "/v1/auth/refresh", nil, map[string]string{"refreshToken": first.RefreshToken}, 401, nil)
	if got := problemType(t, raw); got != "invalid-refresh-token" {
		t.Errorf("reuse: problem %q", got)
	}
	e.c.call(t, "POST", "/v1/auth/refresh", nil, map[string]string{"refreshToken": second.RefreshToken}, 401, nil)
}

func TestLogout(t *testing.T) {
	e := setup(t)
	_, pair := e.tenant(t, "acme")
	e.c.call(t, "POST", "/v1/auth/logout", nil, map[string]string{"refreshToken": pair.RefreshToken}, 204, nil)
	e.c.call(t, "POST", "/v1/auth/refresh", nil, map[string]string{"refreshToken": pair.RefreshToken}, 401, nil)
	e.c.call(t, "POST", "/v1/auth/logout", nil, map[string]string{"refreshToken": pair.RefreshToken}, 204, nil)
}

func TestLoginEvents(t *testing.T) {
	e := setup(t)
	tenant, _ := e.tenant(t, "acme")
	for _, email := range []string{"admin@acme.test", "ghost@acme.test"} {
		e.c.do(t, "POST", "/v1/auth/login", nil, map[string]string{"tenant": "acme", "email": email, "password": "wrong-password-1"})
	}
	var pair TokenPair
	e.c.call(t, "POST", "/v1/auth/login", nil, map[string]string{"tenant": "acme", "email": "Admin@acme.test", "password": "admin-password-1"}, 200, &pair)
	me, _, err := e.s.keys.verifyAccessToken(pair.AccessToken, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.logins) != 3 {
		t.Fatalf("got %d login events, want 3: %+v", len(e.logins), e.logins)
	}
	tests := []struct {
		got                  LoginEvent
		wantUser, wantReason string
		wantSuccess          bool
	}{
		{e.logins[0], me.UserID, "bad-credentials", false},
		{e.logins[1], "", "bad-credentials", false},
		{e.logins[2], me.UserID, "", true},
	}
	for i, tt := range tests {
		if tt.got.TenantID != tenant.ID || tt.got.UserID != tt.wantUser || tt.got.Reason != tt.wantReason ||
			tt.got.Success != tt.wantSuccess || tt.got.Method != LoginPassword || tt.got.ClientAddr != "127.0.0.1" || tt.got.At.IsZero() {
			t.Errorf("event %d = %+v, want user %q reason %q success %v", i, tt.got, tt.wantUser, tt.wantReason, tt.wantSuccess)
		}
	}
}

// TestReplicasShareKeys: a token issued by one gateway replica authenticates
// on another that loaded the same GATEWAY_SIGNING_KEYS.
func TestReplicasShareKeys(t *testing.T) {
	e := setup(t)
	_, pair := e.tenant(t, "acme")
	other, err := New(Config{DB: e.s.db, Keys: e.s.keys, DataKey: bytes.Repeat([]byte{7}, DataKeyLen), Argon2: testArgon2})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/v1/contacts", nil)
	r.Header.Set("Authorization", "Bearer "+pair.AccessToken)
	p, err := other.Authenticate(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if want, _, _ := e.s.keys.verifyAccessToken(pair.AccessToken, time.Now()); p.UserID != want.UserID || p.TenantID != want.TenantID || !p.Can("users:manage") {
		t.Errorf("principal on the other replica = %+v", p)
	}
	alone, _ := GenerateKeys()
	stranger, err := New(Config{DB: e.s.db, Keys: alone, DataKey: bytes.Repeat([]byte{7}, DataKeyLen), Argon2: testArgon2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stranger.Authenticate(context.Background(), r); err == nil {
		t.Error("a replica with other keys accepted the token")
	}
}
