package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/testkit"
)

func TestVerifyValidToken(t *testing.T) {
	signer := newTestSigner(t)
	srv := newJWKSServer(t, signer)
	v := newTestVerifier(t, srv.URL)
	got, err := v.Verify(t.Context(), mustSign(t, signer))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !reflect.DeepEqual(got, testPrincipal) {
		t.Errorf("principal got %+v, want %+v", got, testPrincipal)
	}
	if err := v.Ready(); err != nil {
		t.Errorf("Ready got %v, want nil", err)
	}
}

func TestVerifyRejects(t *testing.T) {
	signer := newTestSigner(t)
	srv := newJWKSServer(t, signer)
	v := newTestVerifier(t, srv.URL)
	jwks, err := signer.PublicJWKS()
	if err != nil {
		t.Fatal(err)
	}

	atClock := func(offset time.Duration) string {
		s := *signer
		s.now = func() time.Time { return time.Now().Add(offset) }
		return mustSign(t, &s)
	}
	forAudience := func(aud string) string {
		tok, err := signer.Sign(testPrincipal, aud, DefaultTTL)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	with := func(k string, val any) string {
		c := validClaims()
		if val == nil {
			delete(c, k)
		} else {
			c[k] = val
		}
		return signClaims(t, signer, c)
	}
	otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	impostor, err := NewSignerFromKey(otherKey, signer.KeyID())
	if err != nil {
		t.Fatal(err)
	}
	valid := mustSign(t, signer)
	parts := strings.Split(valid, ".")

	tests := []struct {
		name       string
		token      string
		wantDetail string
	}{
		{"expired", atClock(-time.Hour), "expired"},
		{"not yet valid", atClock(time.Hour), "not valid yet"},
		{"wrong audience", forAudience("sales"), "not addressed to this service"},
		{"wrong issuer", with("iss", "someone-else"), "issuer"},
		{"no expiry", with("exp", nil), "lacks a required claim"},
		{"lives too long", with("exp", time.Now().Add(time.Hour)), "claims are not valid"},
		{"no tenant", with("tid", nil), "no subject or tenant"},
		{"signed by another key", mustSign(t, newTestSigner(t)), "key id"},
		{"another key under our kid", mustSign(t, impostor), "signature does not verify"},
		{"alg none", handCrafted(t, map[string]any{"alg": "none", "typ": "JWT", "kid": signer.KeyID()}, unixClaims(), nil), `"none" is not accepted`},
		{"alg none without kid", handCrafted(t, map[string]any{"alg": "none"}, unixClaims(), nil), "not accepted"},
		{"HS256 with the JWKS as secret", handCrafted(t, map[string]any{"alg": "HS256", "kid": signer.KeyID()}, unixClaims(), hs256(jwks)), `"HS256" is not accepted`},
		{"ES256 header with an HMAC signature", handCrafted(t, map[string]any{"alg": "ES256", "kid": signer.KeyID()}, unixClaims(), hs256(jwks)), "signature does not verify"},
		{"no kid", handCrafted(t, map[string]any{"alg": "ES256"}, unixClaims(), hs256(jwks)), "no key id"},
		{"payload swapped", parts[0] + "." + strings.Split(with("sub", "admin"), ".")[1] + "." + parts[2], "signature does not verify"},
		{"empty", "", "not a compact JWS"},
		{"garbage", "a.b.c", "not a compact JWS"},
		{"too long", strings.Repeat("a", maxTokenLen) + "..", "not a compact JWS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(t.Context(), tt.token)
			e, ok := errs.As(err)
			if !ok || e.Kind != errs.Unauthenticated {
				t.Fatalf("err got %v, want an Unauthenticated *errs.Error", err)
			}
			if !strings.Contains(e.Message, tt.wantDetail) {
				t.Errorf("detail got %q, want it to contain %q", e.Message, tt.wantDetail)
			}
		})
	}
}

func TestVerifyEdDSA(t *testing.T) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := NewSignerFromKey(key, "ed-1")
	if err != nil {
		t.Fatal(err)
	}
	srv := newJWKSServer(t, signer)
	v := newTestVerifier(t, srv.URL)
	got, err := v.Verify(t.Context(), mustSign(t, signer))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got.UserID != testPrincipal.UserID {
		t.Errorf("user got %q, want %q", got.UserID, testPrincipal.UserID)
	}
}

func TestNewSignerFromKeyRejects(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSignerFromKey(p384, ""); err == nil {
		t.Errorf("P-384 key got nil error, want one")
	}
}

func TestSignRejects(t *testing.T) {
	signer := newTestSigner(t)
	tests := []struct {
		name     string
		p        Principal
		audience string
		ttl      time.Duration
	}{
		{"no user", Principal{TenantID: "t"}, "contacts", DefaultTTL},
		{"no tenant", Principal{UserID: "u"}, "contacts", DefaultTTL},
		{"no audience", testPrincipal, "", DefaultTTL},
		{"zero ttl", testPrincipal, "contacts", 0},
		{"ttl over the maximum", testPrincipal, "contacts", MaxTTL + time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := signer.Sign(tt.p, tt.audience, tt.ttl); err == nil {
				t.Errorf("Sign got nil error, want one")
			}
		})
	}
}

// TestKeyRotation checks that a token with a new kid verifies once the
// gateway publishes the new key, through the unknown-kid refresh.
func TestKeyRotation(t *testing.T) {
	old, next := newTestSigner(t), newTestSigner(t)
	srv := newJWKSServer(t, old)
	v := newTestVerifier(t, srv.URL, WithMinRefreshInterval(0))
	if _, err := v.Verify(t.Context(), mustSign(t, old)); err != nil {
		t.Fatalf("old key before rotation: %v", err)
	}
	srv.serve(t, old, next)
	if _, err := v.Verify(t.Context(), mustSign(t, next)); err != nil {
		t.Fatalf("new key after rotation: %v", err)
	}
	if _, err := v.Verify(t.Context(), mustSign(t, old)); err != nil {
		t.Errorf("old key after rotation: %v", err)
	}
	if got, want := srv.fetches.Load(), int32(2); got != want {
		t.Errorf("fetches got %d, want %d", got, want)
	}
	srv.serve(t, next)
	if _, err := v.Verify(t.Context(), mustSign(t, newTestSigner(t))); err == nil {
		t.Fatalf("unknown key got nil error, want one")
	}
	if _, err := v.Verify(t.Context(), mustSign(t, old)); err == nil {
		t.Errorf("retired key got nil error, want one")
	}
}

// TestUnknownKidRefreshIsRateLimited checks that tokens with unknown kids
// trigger at most one fetch per minimum interval.
func TestUnknownKidRefreshIsRateLimited(t *testing.T) {
	old, next := newTestSigner(t), newTestSigner(t)
	srv := newJWKSServer(t, old)
	v := newTestVerifier(t, srv.URL, WithMinRefreshInterval(time.Hour))
	srv.serve(t, old, next)
	for range 5 {
		if _, err := v.Verify(t.Context(), mustSign(t, next)); errs.KindOf(err) != errs.Unauthenticated {
			t.Fatalf("new key within the interval: err got %v, want unauthenticated", err)
		}
	}
	if got, want := srv.fetches.Load(), int32(1); got != want {
		t.Errorf("fetches got %d, want %d", got, want)
	}
}

// TestPeriodicRefresh checks that the JWKS is fetched again on schedule.
func TestPeriodicRefresh(t *testing.T) {
	old, next := newTestSigner(t), newTestSigner(t)
	srv := newJWKSServer(t, old)
	v := newTestVerifier(t, srv.URL, WithRefreshInterval(20*time.Millisecond), WithMinRefreshInterval(time.Hour))
	srv.serve(t, next)
	tok := mustSign(t, next)
	testkit.Eventually(t, 5*time.Second, "the new key verifies", func() (bool, string) {
		_, err := v.Verify(t.Context(), tok)
		return err == nil, fmt.Sprint(err)
	})
}

// TestVerifierStartsBeforeGateway checks that a verifier whose first fetch
// fails reports it, answers Unavailable, and recovers once keys appear.
func TestVerifierStartsBeforeGateway(t *testing.T) {
	signer := newTestSigner(t)
	srv := newJWKSServer(t)
	v := newTestVerifier(t, srv.URL, WithMinRefreshInterval(0))
	if err := v.Ready(); err == nil {
		t.Errorf("Ready got nil, want an error")
	}
	tok := mustSign(t, signer)
	if _, err := v.Verify(t.Context(), tok); errs.KindOf(err) != errs.Unavailable {
		t.Errorf("Verify err got %v, want unavailable", err)
	}
	srv.serve(t, signer)
	if _, err := v.Verify(t.Context(), tok); err != nil {
		t.Errorf("Verify after the gateway started: %v", err)
	}
	if err := v.Ready(); err != nil {
		t.Errorf("Ready got %v, want nil", err)
	}
}

func TestNewVerifierArguments(t *testing.T) {
	tests := []struct {
		name     string
		url, aud string
		opts     []Option
	}{
		{"no url", "", "contacts", nil},
		{"no audience", "http://gateway/jwks", "", nil},
		{"zero refresh", "http://gateway/jwks", "contacts", []Option{WithRefreshInterval(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewVerifier(t.Context(), tt.url, tt.aud, tt.opts...); err == nil {
				t.Errorf("NewVerifier got nil error, want one")
			}
		})
	}
}

// TestVerifierBecomesReadyWhenTheKeyServerComesUpLate starts a verifier
// before its JWKS is served and expects it to recover on its own, without a
// token arriving and well before the periodic refresh.
func TestVerifierBecomesReadyWhenTheKeyServerComesUpLate(t *testing.T) {
	addr := testkit.FreeAddr(t) // nothing listens yet
	signer, err := NewSigner()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	v, err := NewVerifier(ctx, "http://"+addr+"/jwks", "contacts")
	if err != nil {
		t.Fatal(err)
	}
	if v.Ready() == nil {
		t.Fatal("Ready before the key server exists: got nil, want an error")
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		b, _ := signer.PublicJWKS()
		w.Write(b) //nolint:errcheck
	})}
	go srv.Serve(l) //nolint:errcheck
	defer srv.Close()
	testkit.Eventually(t, 10*time.Second, "ready after the key server came up", func() (bool, string) {
		err := v.Ready()
		return err == nil, fmt.Sprint(err)
	})
}

// TestAcceptedTokenIsRemembered checks the memory of accepted tokens: a
// token is checked in full once, then answered from memory with a principal
// of its own, until it expires or its key leaves the JWKS.
func TestAcceptedTokenIsRemembered(t *testing.T) {
	old, next := newTestSigner(t), newTestSigner(t)
	srv := newJWKSServer(t, old)
	v := newTestVerifier(t, srv.URL, WithMinRefreshInterval(0))
	tok := mustSign(t, old)
	p, err := v.Verify(t.Context(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.verified.tokens[tok]; !ok {
		t.Fatal("an accepted token is not remembered")
	}
	p.Teams[0], p.RecordScope["contacts"] = "changed", ScopeAll
	again, err := v.Verify(t.Context(), tok)
	if err != nil || !reflect.DeepEqual(again, testPrincipal) {
		t.Fatalf("remembered token: %+v, %v; want %+v", again, err, testPrincipal)
	}

	// Past its expiry, the token is refused.
	clock := v.now
	v.now = func() time.Time { return clock().Add(DefaultTTL + time.Minute) }
	if _, err := v.Verify(t.Context(), tok); errs.KindOf(err) != errs.Unauthenticated {
		t.Errorf("expired remembered token: err %v, want unauthenticated", err)
	}
	v.now = clock

	// Once its key is retired, the token is refused.
	srv.serve(t, next)
	if _, err := v.Verify(t.Context(), mustSign(t, next)); err != nil { // makes the verifier fetch the JWKS
		t.Fatal(err)
	}
	if _, err := v.Verify(t.Context(), tok); errs.KindOf(err) != errs.Unauthenticated {
		t.Errorf("token of a retired key: err %v, want unauthenticated", err)
	}
}
