package identity

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/rapport-crm/rapport/libs/auth"
)

// UserAudience is the aud of user access tokens. Internal tokens carry the
// name of a service instead, so neither kind is accepted in place of the
// other (and a user token's 15 minutes exceed auth.MaxTTL, which services
// refuse as well).
const UserAudience = "rapport"

// AccessTokenTTL is the lifetime of a user access token.
const AccessTokenTTL = 15 * time.Minute

// maxTokenLen bounds a bearer token before any parsing.
const maxTokenLen = 16 << 10

// tokenLeeway is the clock skew tolerated on exp, nbf and iat.
const tokenLeeway = 5 * time.Second

// accessClaims are the private claims of a user access token; the names match
// the internal token's (libs/auth).
type accessClaims struct {
	ID           string                `json:"jti"`
	IssuedAt     int64                 `json:"iat"`
	Subject      string                `json:"sub"`
	TenantID     string                `json:"tid"`
	Roles        []string              `json:"roles,omitempty"`
	Teams        []string              `json:"teams,omitempty"`
	Subordinates []string              `json:"subteams,omitempty"`
	Permissions  []string              `json:"perms,omitempty"`
	RecordScope  map[string]auth.Scope `json:"rscope,omitempty"`
}

// signAccessToken returns a user access token for p signed with the current
// key, issued at now.
func (k *Keys) signAccessToken(p auth.Principal, now time.Time) (string, error) {
	tok, err := k.signers[0].SignAccess(p, UserAudience, AccessTokenTTL, now)
	if err != nil {
		return "", fmt.Errorf("identity: sign access token: %w", err)
	}
	return tok, nil
}

// verifyAccessToken checks a user access token: compact ES256 or EdDSA JWS
// whose kid is one of ours and whose algorithm matches that key, issued by
// auth.Issuer for UserAudience, within exp and nbf. It returns the principal
// the claims carry and the token's id, issue time and expiry. Every failure
// is auth.ErrInvalidToken.
func (k *Keys) verifyAccessToken(token string, now time.Time) (auth.Principal, tokenTimes, error) {
	msg, vk, err := k.signedBy(token)
	if err != nil {
		return auth.Principal{}, tokenTimes{}, err
	}
	tok, err := jwt.ParseString(token,
		jwt.WithKey(vk.alg, vk.key),
		jwt.WithValidate(true),
		jwt.WithClock(jwt.ClockFunc(func() time.Time { return now })),
		jwt.WithIssuer(auth.Issuer),
		jwt.WithAudience(UserAudience),
		jwt.WithAcceptableSkew(tokenLeeway),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithMaxDelta(AccessTokenTTL, jwt.ExpirationKey, jwt.IssuedAtKey),
	)
	if err != nil {
		return auth.Principal{}, tokenTimes{}, auth.ErrInvalidToken.WithDetail("%s", tokenProblem(err)).Wrap(err)
	}
	expires, _ := tok.Expiration() // required above
	var c accessClaims
	if err := json.Unmarshal(msg.Payload(), &c); err != nil || c.Subject == "" || c.TenantID == "" {
		return auth.Principal{}, tokenTimes{}, auth.ErrInvalidToken.WithDetail("the token's claims are malformed")
	}
	return auth.Principal{
		TenantID: c.TenantID, UserID: c.Subject, Roles: c.Roles, Teams: c.Teams,
		Subordinates: c.Subordinates, Permissions: c.Permissions, RecordScope: c.RecordScope,
	}, tokenTimes{jti: c.ID, iat: time.Unix(c.IssuedAt, 0), expires: expires}, nil
}

// tokenTimes are an access token's id, issue time and expiry.
type tokenTimes struct {
	jti          string
	iat, expires time.Time
}

// accessTokenID returns the jti of an access token this replica has just
// signed (its claims are not verified: use it on no other token).
func accessTokenID(token string) (string, error) {
	msg, err := jws.ParseString(token)
	if err != nil {
		return "", fmt.Errorf("identity: parse a signed access token: %w", err)
	}
	var c accessClaims
	if err := json.Unmarshal(msg.Payload(), &c); err != nil || c.ID == "" {
		return "", fmt.Errorf("identity: a signed access token without jti")
	}
	return c.ID, nil
}

// signedBy parses a compact ES256 or EdDSA JWS and returns it with the key
// of the set that signed it, found by kid and matching its algorithm; the
// signature itself is checked by the caller's jwt.ParseString. Every
// failure is auth.ErrInvalidToken.
func (k *Keys) signedBy(token string) (*jws.Message, verifyKey, error) {
	if len(token) > maxTokenLen || strings.Count(token, ".") != 2 {
		return nil, verifyKey{}, auth.ErrInvalidToken.WithDetail("the token is not a compact JWS")
	}
	msg, err := jws.ParseString(token)
	if err != nil || len(msg.Signatures()) != 1 {
		return nil, verifyKey{}, auth.ErrInvalidToken.WithDetail("the token is not a compact JWS")
	}
	hdr := msg.Signatures()[0].ProtectedHeaders()
	alg, _ := hdr.Algorithm()
	kid, _ := hdr.KeyID()
	vk, ok := k.public[kid]
	if !ok {
		return nil, verifyKey{}, auth.ErrInvalidToken.WithDetail("the token's key id is unknown")
	}
	if alg.String() != vk.alg.String() {
		return nil, verifyKey{}, auth.ErrInvalidToken.WithDetail("the token's algorithm %q is not accepted", alg.String())
	}
	return msg, vk, nil
}

// tokenProblem describes a jwt validation error without internals.
func tokenProblem(err error) string {
	switch {
	case isErr(err, jwt.TokenExpiredError()):
		return "the token has expired"
	case isErr(err, jwt.TokenNotYetValidError()), isErr(err, jwt.InvalidIssuedAtError()):
		return "the token is not valid yet"
	case isErr(err, jwt.InvalidIssuerError()):
		return "the token's issuer is not accepted"
	case isErr(err, jwt.InvalidAudienceError()):
		return "the token is not a user access token"
	case isErr(err, jwt.ValidateError()):
		return "the token's claims are not valid"
	default:
		return "the token's signature does not verify"
	}
}
