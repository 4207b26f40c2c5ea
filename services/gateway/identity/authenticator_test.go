package identity

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
)

func TestForgedTokensAreRefused(t *testing.T) {
	e := setup(t)
	tenant, pair := e.tenant(t, "acme")
	p, _, err := e.s.keys.verifyAccessToken(pair.AccessToken, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	kid := e.s.keys.KeyIDs()[0]
	now := time.Now()

	claims := func(aud string, iat time.Time) jwt.Token {
		tok, err := jwt.NewBuilder().Issuer(auth.Issuer).Subject(p.UserID).Audience([]string{aud}).
			IssuedAt(iat).Expiration(iat.Add(AccessTokenTTL)).Claim("tid", tenant.ID).Claim("perms", []string{"*"}).Build()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	signWith := func(tok jwt.Token, key any, kid string) string {
		hdr := jws.NewHeaders()
		_ = hdr.Set(jws.KeyIDKey, kid)
		b, err := jwt.Sign(tok, jwt.WithKey(jwa.ES256(), key, jws.WithProtectedHeaders(hdr)))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	payload, _ := json.Marshal(map[string]any{"iss": auth.Issuer, "sub": p.UserID, "aud": []string{UserAudience},
		"tid": tenant.ID, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "perms": []string{"*"}})
	header, _ := json.Marshal(map[string]string{"alg": "none", "kid": kid, "typ": "JWT"})
	enc := base64.RawURLEncoding
	algNone := enc.EncodeToString(header) + "." + enc.EncodeToString(payload) + "."
	internal, err := e.s.keys.Signer().Sign(p, "contacts", auth.DefaultTTL)
	if err != nil {
		t.Fatal(err)
	}
	own := func(aud string, issued time.Time) string { // our key and kid, as a user token
		tok, err := e.s.keys.Signer().SignAccess(p, aud, AccessTokenTTL, issued)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}

	tests := []struct {
		name  string
		token string
	}{
		{"alg none", algNone},
		{"wrong key under our kid", signWith(claims(UserAudience, now), otherKey, kid)},
		{"wrong key and kid", signWith(claims(UserAudience, now), otherKey, "not-ours")},
		{"expired", own(UserAudience, now.Add(-time.Hour))},
		{"internal token (audience contacts)", internal},
		{"another audience", own("billing", now)},
		{"garbage", "not.a.jwt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, raw, _ := e.c.do(t, "GET", "/v1/me", bearer(tt.token), nil)
			if got != 401 {
				t.Errorf("status %d, want 401: %s", got, raw)
			}
		})
	}
	t.Run("genuine", func(t *testing.T) {
		e.c.call(t, "GET", "/v1/me", bearer(pair.AccessToken), nil, 200, nil)
		e.c.call(t, "GET", "/v1/me", bearer(own(UserAudience, now)), nil, 200, nil)
	})
	t.Run("no credentials", func(t *testing.T) {
		e.c.call(t, "GET", "/v1/me", nil, nil, 401, nil)
	})
}

func TestJWKSDuringRotation(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for _, name := range []string{"new.pem", "old.pem"} {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		b, err := EncodePrivateKeyPEM(k)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	rotated, err := LoadKeys(paths[0] + "," + paths[1])
	if err != nil {
		t.Fatal(err)
	}
	previous, err := LoadKeys(paths[1])
	if err != nil {
		t.Fatal(err)
	}
	set, err := jwk.Parse(rotated.JWKS())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := set.Len(), 2; got != want {
		t.Fatalf("JWKS has %d keys, want %d", got, want)
	}
	for i, want := range rotated.KeyIDs() {
		k, _ := set.Key(i)
		if got, _ := k.KeyID(); got != want {
			t.Errorf("key %d kid %q, want %q", i, got, want)
		}
		if _, err := k.PublicKey(); err != nil {
			t.Error(err)
		}
	}
	// A token signed before the rotation still verifies after it.
	p := auth.Principal{TenantID: "0197a1b2-0000-7000-8000-000000000001", UserID: "0197a1b2-0000-7000-8000-000000000002"}
	old, err := previous.signAccessToken(p, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := rotated.verifyAccessToken(old, time.Now()); err != nil {
		t.Errorf("token of the previous key: %v", err)
	}
	// Services verify internal tokens against the same JWKS.
	srv := httptest.NewServer(jwksHandler(rotated))
	defer srv.Close()
	v, err := auth.NewVerifier(context.Background(), srv.URL, "contacts")
	if err != nil {
		t.Fatal(err)
	}
	internal, err := rotated.Signer().Sign(p, "contacts", auth.DefaultTTL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), internal); err != nil {
		t.Errorf("internal token: %v", err)
	}
	user, _ := rotated.signAccessToken(p, time.Now())
	if _, err := v.Verify(context.Background(), user); errs.KindOf(err) != errs.Unauthenticated {
		t.Errorf("a service accepted a user token: %v", err)
	}
}

func TestJWKSRoute(t *testing.T) {
	e := setup(t)
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	e.c.call(t, "GET", "/.well-known/jwks.json", nil, nil, 200, &set)
	if len(set.Keys) != 1 || set.Keys[0]["kid"] != e.s.keys.KeyIDs()[0] || set.Keys[0]["d"] != nil {
		t.Errorf("JWKS = %v", set.Keys)
	}
}
