package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/rapport-crm/rapport/libs/ids"
)

// Signer issues internal tokens. The gateway holds one (or, while rotating,
// publishes the keys of several with JWKS); tests use it to mint tokens.
type Signer struct {
	kid string
	alg jwa.SignatureAlgorithm
	key jwk.Key          // the private key, carrying kid, alg and use
	now func() time.Time // the clock; tests move it
}

// NewSigner returns a Signer with a fresh ES256 (P-256) key whose kid is its
// RFC 7638 thumbprint.
func NewSigner() (*Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("auth: generate signing key: %w", err)
	}
	return NewSignerFromKey(key, "")
}

// NewSignerFromKey returns a Signer for an existing private key: an
// *ecdsa.PrivateKey on P-256 signs ES256, an ed25519.PrivateKey signs EdDSA.
// An empty kid is replaced by the key's RFC 7638 thumbprint.
func NewSignerFromKey(key crypto.Signer, kid string) (*Signer, error) {
	var alg jwa.SignatureAlgorithm
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, errors.New("auth: ECDSA signing keys must use P-256")
		}
		alg = jwa.ES256()
	case ed25519.PrivateKey:
		alg = jwa.EdDSA()
	default:
		return nil, fmt.Errorf("auth: unsupported signing key %T; use ECDSA P-256 or Ed25519", key)
	}
	jk, err := jwk.Import(key)
	if err != nil {
		return nil, fmt.Errorf("auth: import signing key: %w", err)
	}
	if kid == "" {
		tp, err := jk.Thumbprint(crypto.SHA256)
		if err != nil {
			return nil, fmt.Errorf("auth: thumbprint signing key: %w", err)
		}
		kid = base64.RawURLEncoding.EncodeToString(tp)
	}
	for name, v := range map[string]any{jwk.KeyIDKey: kid, jwk.AlgorithmKey: alg, jwk.KeyUsageKey: "sig"} {
		if err := jk.Set(name, v); err != nil {
			return nil, fmt.Errorf("auth: set %s of signing key: %w", name, err)
		}
	}
	return &Signer{kid: kid, alg: alg, key: jk, now: time.Now}, nil
}

// KeyID returns the kid the Signer puts in token headers.
func (s *Signer) KeyID() string { return s.kid }

// Sign returns an internal token for p, for the service audience, valid for
// ttl (DefaultTTL is what the gateway uses).
func (s *Signer) Sign(p Principal, audience string, ttl time.Duration) (string, error) {
	if ttl > MaxTTL {
		return "", fmt.Errorf("auth: sign: ttl %v is outside (0, %v]", ttl, MaxTTL)
	}
	return s.sign(p, audience, ttl, s.now())
}

// SignAccess returns a user access token for p: the same claims and key as
// Sign, for the gateway's own audience and a lifetime that may exceed MaxTTL,
// issued at now. A service's Verifier refuses such a token (audience,
// lifetime), so it never stands in for an internal one.
func (s *Signer) SignAccess(p Principal, audience string, ttl time.Duration, now time.Time) (string, error) {
	return s.sign(p, audience, ttl, now)
}

// sign builds and signs the token of Sign and SignAccess.
func (s *Signer) sign(p Principal, audience string, ttl time.Duration, now time.Time) (string, error) {
	switch {
	case p.UserID == "" || p.TenantID == "":
		return "", errors.New("auth: sign: the principal needs a user and a tenant id")
	case audience == "":
		return "", errors.New("auth: sign: the audience is empty")
	case ttl <= 0:
		return "", fmt.Errorf("auth: sign: ttl %v is not positive", ttl)
	}
	now = now.Truncate(time.Second)
	b := jwt.NewBuilder().
		Issuer(Issuer).
		Subject(p.UserID).
		Audience([]string{audience}).
		IssuedAt(now).
		NotBefore(now).
		Expiration(now.Add(ttl)).
		JwtID(ids.New()).
		Claim("tid", p.TenantID)
	for name, v := range map[string][]string{
		"roles": p.Roles, "teams": p.Teams, "subteams": p.Subordinates,
		"scopes": p.Scopes, "perms": p.Permissions,
	} {
		if len(v) > 0 {
			b = b.Claim(name, v)
		}
	}
	if len(p.RecordScope) > 0 {
		b = b.Claim("rscope", p.RecordScope)
	}
	tok, err := b.Build()
	if err != nil {
		return "", fmt.Errorf("auth: sign: build token: %w", err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(s.alg, s.key))
	if err != nil {
		return "", fmt.Errorf("auth: sign: %w", err)
	}
	return string(signed), nil
}

// PublicJWKS returns the JWK Set holding the Signer's public key.
func (s *Signer) PublicJWKS() ([]byte, error) {
	return JWKS(s)
}

// JWKS returns the JWK Set of the signers' public keys, which the gateway
// serves while rotating from one key to the next.
func JWKS(signers ...*Signer) ([]byte, error) {
	set := jwk.NewSet()
	for _, s := range signers {
		pub, err := s.key.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("auth: public key %s: %w", s.kid, err)
		}
		if err := set.AddKey(pub); err != nil {
			return nil, fmt.Errorf("auth: add key %s: %w", s.kid, err)
		}
	}
	return json.Marshal(set)
}
