package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// Verifier defaults; see the options to change them.
const (
	DefaultRefreshInterval    = 5 * time.Minute  // how often the JWKS is fetched again
	DefaultMinRefreshInterval = 10 * time.Second // the least time between fetches for unknown kids
)

// leeway is the clock skew tolerated on exp, nbf and iat.
const leeway = 5 * time.Second

// maxTokenLen bounds a token before any parsing.
const maxTokenLen = 8 << 10

// Verifier verifies internal tokens against the gateway's JWKS, which it
// fetches, caches, refreshes periodically and refreshes again when a token
// names an unknown kid (at most once per minimum refresh interval).
type Verifier struct {
	audience        string
	refreshInterval time.Duration
	keys            *keySet
	verified        verifiedTokens
	now             func() time.Time
}

// Option configures a Verifier.
type Option func(*Verifier)

// WithHTTPClient sets the client that fetches the JWKS (http.DefaultClient
// otherwise).
func WithHTTPClient(c *http.Client) Option {
	return func(v *Verifier) { v.keys.client = c }
}

// WithRefreshInterval sets how often the JWKS is fetched again.
func WithRefreshInterval(d time.Duration) Option {
	return func(v *Verifier) { v.refreshInterval = d }
}

// WithMinRefreshInterval sets the least time between two fetches triggered by
// tokens with unknown kids, so forged kids cannot hammer the gateway.
func WithMinRefreshInterval(d time.Duration) Option {
	return func(v *Verifier) { v.keys.minInterval = d }
}

// NewVerifier returns a Verifier for tokens addressed to audience (the
// service's name), with keys from jwksURL. It fetches the JWKS once before
// returning and keeps refreshing it until ctx is done. A failed first fetch
// is not fatal, so services may start before the gateway: Ready reports it,
// and the next token triggers another fetch.
func NewVerifier(ctx context.Context, jwksURL, audience string, opts ...Option) (*Verifier, error) {
	if jwksURL == "" || audience == "" {
		return nil, errors.New("auth: NewVerifier needs a JWKS URL and an audience")
	}
	v := &Verifier{
		audience:        audience,
		refreshInterval: DefaultRefreshInterval,
		keys: &keySet{
			url:         jwksURL,
			client:      http.DefaultClient,
			minInterval: DefaultMinRefreshInterval,
		},
		now: time.Now,
	}
	for _, o := range opts {
		o(v)
	}
	if v.refreshInterval <= 0 {
		return nil, fmt.Errorf("auth: refresh interval %v is not positive", v.refreshInterval)
	}
	_ = v.keys.refresh(ctx) // a failure is kept for Ready and retried on demand
	go v.keys.run(ctx, v.refreshInterval)
	return v, nil
}

// Ready returns nil once the JWKS has been fetched and the last fetch
// succeeded; wire it into the service's readiness check.
func (v *Verifier) Ready() error {
	if err := v.keys.status(); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	return nil
}

// Verify checks token and returns the principal it carries. It accepts only
// compact ES256 or EdDSA tokens whose kid is in the JWKS, issued by Issuer
// for the Verifier's audience, within exp and nbf (give or take a few
// seconds), and living at most MaxTTL. Failures are ErrInvalidToken, or
// ErrKeysUnavailable when no keys could be fetched at all. A token accepted
// before is not checked again until it expires or its key leaves the JWKS
// (verifiedTokens).
func (v *Verifier) Verify(ctx context.Context, token string) (Principal, error) {
	now := v.now()
	if p, ok := v.verified.get(token, now, v.keys); ok {
		return p, nil
	}
	if len(token) > maxTokenLen || strings.Count(token, ".") != 2 {
		return Principal{}, ErrInvalidToken.WithDetail("the token is not a compact JWS")
	}
	msg, err := jws.ParseString(token)
	if err != nil || len(msg.Signatures()) != 1 {
		return Principal{}, ErrInvalidToken.WithDetail("the token is not a compact JWS").Wrap(err)
	}
	hdr := msg.Signatures()[0].ProtectedHeaders()
	alg, _ := hdr.Algorithm()
	if alg.String() != jwa.ES256().String() && alg.String() != jwa.EdDSA().String() {
		return Principal{}, ErrInvalidToken.WithDetail("the token's algorithm %q is not accepted", alg.String())
	}
	kid, ok := hdr.KeyID()
	if !ok || kid == "" {
		return Principal{}, ErrInvalidToken.WithDetail("the token has no key id")
	}
	key, err := v.keys.lookup(ctx, kid)
	if err != nil {
		return Principal{}, err
	}
	if key.alg.String() != alg.String() {
		return Principal{}, ErrInvalidToken.WithDetail("the token's algorithm %q does not match its key", alg.String())
	}
	tok, err := jwt.ParseString(token,
		jwt.WithKey(key.alg, key.key),
		jwt.WithValidate(true),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(v.audience),
		jwt.WithAcceptableSkew(leeway),
		jwt.WithClock(jwt.ClockFunc(v.now)),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithMaxDelta(MaxTTL, jwt.ExpirationKey, jwt.IssuedAtKey),
	)
	if err != nil {
		return Principal{}, ErrInvalidToken.WithDetail("%s", tokenProblem(err)).Wrap(err)
	}
	// The payload is the one whose signature jwt.ParseString just verified.
	var c claims
	if err := json.Unmarshal(msg.Payload(), &c); err != nil {
		return Principal{}, ErrInvalidToken.WithDetail("the token's claims are malformed").Wrap(err)
	}
	if c.Subject == "" || c.TenantID == "" {
		return Principal{}, ErrInvalidToken.WithDetail("the token has no subject or tenant")
	}
	p := c.principal()
	if exp, ok := tok.Expiration(); ok {
		v.verified.put(token, verifiedToken{principal: p, kid: kid, exp: exp}, now)
	}
	return p, nil
}

// tokenProblem describes a jwt validation error without internals.
func tokenProblem(err error) string {
	switch {
	case errors.Is(err, jwt.TokenExpiredError()):
		return "the token has expired"
	case errors.Is(err, jwt.TokenNotYetValidError()), errors.Is(err, jwt.InvalidIssuedAtError()):
		return "the token is not valid yet"
	case errors.Is(err, jwt.InvalidIssuerError()):
		return "the token's issuer is not accepted"
	case errors.Is(err, jwt.InvalidAudienceError()):
		return "the token is not addressed to this service"
	case errors.Is(err, jwt.MissingRequiredClaimError()):
		return "the token lacks a required claim"
	case errors.Is(err, jwt.ValidateError()):
		return "the token's claims are not valid"
	default:
		return "the token's signature does not verify"
	}
}
