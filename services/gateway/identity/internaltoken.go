package identity

import (
	"encoding/json"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/registry"
)

// internalClaims are the private claims of an internal token: a user access
// token's, plus the scopes of the API key the caller used, if any.
type internalClaims struct {
	accessClaims
	Scopes []string `json:"scopes,omitempty"`
}

// verifyInternalToken checks an internal token the gateway minted for one of
// the services (libs/auth's Signer.Sign): compact ES256 or EdDSA JWS signed
// by a key of the set, issued by auth.Issuer, within exp and nbf, living at
// most auth.MaxTTL, addressed to exactly one service of the registry. It
// returns the principal it carries and that service. A user access token is
// refused (its audience is UserAudience and its lifetime exceeds
// auth.MaxTTL). Every failure is auth.ErrInvalidToken.
func (k *Keys) verifyInternalToken(token string, now time.Time) (auth.Principal, string, error) {
	msg, vk, err := k.signedBy(token)
	if err != nil {
		return auth.Principal{}, "", err
	}
	tok, err := jwt.ParseString(token,
		jwt.WithKey(vk.alg, vk.key),
		jwt.WithValidate(true),
		jwt.WithClock(jwt.ClockFunc(func() time.Time { return now })),
		jwt.WithIssuer(auth.Issuer),
		jwt.WithAcceptableSkew(tokenLeeway),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithRequiredClaim(jwt.IssuedAtKey),
		jwt.WithMaxDelta(auth.MaxTTL, jwt.ExpirationKey, jwt.IssuedAtKey),
	)
	if err != nil {
		return auth.Principal{}, "", auth.ErrInvalidToken.WithDetail("%s", tokenProblem(err)).Wrap(err)
	}
	aud, _ := tok.Audience()
	if len(aud) != 1 || !isService(aud[0]) {
		return auth.Principal{}, "", auth.ErrInvalidToken.WithDetail("the token is not an internal token of a service")
	}
	var c internalClaims
	if err := json.Unmarshal(msg.Payload(), &c); err != nil || c.Subject == "" || c.TenantID == "" {
		return auth.Principal{}, "", auth.ErrInvalidToken.WithDetail("the token's claims are malformed")
	}
	return auth.Principal{
		TenantID: c.TenantID, UserID: c.Subject, Roles: c.Roles, Teams: c.Teams, Scopes: c.Scopes,
		Subordinates: c.Subordinates, Permissions: c.Permissions, RecordScope: c.RecordScope,
	}, aud[0], nil
}

// isService reports whether name is a service of the registry the gateway
// routes to (and so the audience of its internal tokens).
func isService(name string) bool {
	s, ok := registry.Default().Lookup(name)
	return ok && !s.Entry
}
