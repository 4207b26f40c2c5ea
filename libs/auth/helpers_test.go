package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwt"
)

// jwksServer serves a JWK Set that tests can swap, counting fetches.
type jwksServer struct {
	*httptest.Server
	body    atomic.Pointer[[]byte] // nil answers 503
	fetches atomic.Int32
}

func newJWKSServer(t *testing.T, signers ...*Signer) *jwksServer {
	t.Helper()
	s := &jwksServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.fetches.Add(1)
		b := s.body.Load()
		if b == nil {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(*b)
	}))
	t.Cleanup(s.Close)
	if len(signers) > 0 {
		s.serve(t, signers...)
	}
	return s
}

// serve makes the server publish the keys of signers.
func (s *jwksServer) serve(t *testing.T, signers ...*Signer) {
	t.Helper()
	b, err := JWKS(signers...)
	if err != nil {
		t.Fatal(err)
	}
	s.body.Store(&b)
}

func newTestSigner(t *testing.T) *Signer {
	t.Helper()
	s, err := NewSigner()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newTestVerifier(t *testing.T, url string, opts ...Option) *Verifier {
	t.Helper()
	v, err := NewVerifier(t.Context(), url, "contacts", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// testPrincipal is a principal with every field set.
var testPrincipal = Principal{
	TenantID:     "0190c5e6-0000-7000-8000-000000000001",
	UserID:       "0190c5e6-0000-7000-8000-000000000002",
	Roles:        []string{"sales-rep"},
	Teams:        []string{"team-a"},
	Scopes:       []string{"contacts.read"},
	Permissions:  []string{"contacts:*", "sales:read"},
	RecordScope:  map[string]Scope{"contacts": ScopeTeam},
	Subordinates: []string{"team-a1", "team-a2"},
}

// mustSign signs testPrincipal for the contacts audience.
func mustSign(t *testing.T, s *Signer) string {
	t.Helper()
	tok, err := s.Sign(testPrincipal, "contacts", DefaultTTL)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// signClaims signs arbitrary claims with s's key, for tokens Sign refuses to
// make: other issuers, missing claims, long lifetimes.
func signClaims(t *testing.T, s *Signer, claims map[string]any) string {
	t.Helper()
	b := jwt.NewBuilder()
	for k, v := range claims {
		b = b.Claim(k, v)
	}
	tok, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(s.alg, s.key))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// validClaims returns the claims of a valid token, for signClaims to vary.
func validClaims() map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": Issuer, "sub": "u1", "tid": "t1", "aud": []string{"contacts"},
		"iat": now, "nbf": now, "exp": now.Add(time.Minute),
	}
}

// handCrafted builds a compact JWS from header and claims, with a signature
// computed by sign over the signing input (nil means an empty signature).
func handCrafted(t *testing.T, header, claims map[string]any, sign func(input []byte) []byte) string {
	t.Helper()
	enc := base64.RawURLEncoding
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	var sig []byte
	if sign != nil {
		sig = sign([]byte(input))
	}
	return input + "." + enc.EncodeToString(sig)
}

// hs256 returns a signing function using secret as an HMAC-SHA256 key.
func hs256(secret []byte) func([]byte) []byte {
	return func(input []byte) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write(input)
		return m.Sum(nil)
	}
}

// unixClaims is validClaims with numeric dates, for handCrafted.
func unixClaims() map[string]any {
	now := time.Now().Unix()
	return map[string]any{
		"iss": Issuer, "sub": "u1", "tid": "t1", "aud": "contacts",
		"iat": now, "nbf": now, "exp": now + 60,
	}
}
