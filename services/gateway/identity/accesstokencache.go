package identity

import (
	"crypto/sha256"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/services/gateway/internal/lru"
)

// accessTokenCacheSize is how many verified access tokens a replica
// remembers: the least recently used is forgotten beyond it (and verified
// again when it comes back).
const accessTokenCacheSize = 10_000

// accessTokenCache remembers each verified user access token, by the
// token's SHA-256, until the token expires: a token's signature and claims
// are checked once per replica, not once per request. What a cached token
// grants is still checked against the replica's revocations on every
// request (revocation.go): a revoked session is refused, and a principal
// whose user or tenant was marked since is read again from the database.
type accessTokenCache struct {
	tokens *lru.Cache[tokenKey, tokenEntry]
}

// tokenEntry is a verified access token.
type tokenEntry struct {
	p   auth.Principal
	jti string    // the token's id, which a logout revokes
	iat time.Time // when it was issued, on the issuing replica's clock
	// expires is the token's exp.
	expires time.Time
	// refused is why the user was refused when p was read again (no longer
	// active); nil while they are accepted.
	refused error
	// reloaded is when p was read again from the database on this
	// replica's clock; zero while p is the token's own claims.
	reloaded time.Time
}

// tokenKey is the SHA-256 of a token: the cache holds no bearer credential.
type tokenKey [sha256.Size]byte

// keyOf hashes token through a stack buffer when it fits, sparing the
// request path the copy []byte(token) would allocate.
func keyOf(token string) tokenKey {
	var buf [2048]byte
	if len(token) > len(buf) {
		return sha256.Sum256([]byte(token))
	}
	return sha256.Sum256(buf[:copy(buf[:], token)])
}

func newAccessTokenCache(size int) *accessTokenCache {
	return &accessTokenCache{tokens: lru.New[tokenKey, tokenEntry](size)}
}

// get returns a token verified before, if it has not expired at now. Its
// principal is shared: callers must not modify it.
func (c *accessTokenCache) get(k tokenKey, now time.Time) (tokenEntry, bool) {
	return c.tokens.Get(k, now)
}

// put remembers a verified token until it expires.
func (c *accessTokenCache) put(k tokenKey, e tokenEntry) {
	c.tokens.Put(k, e, e.expires)
}

// forgetSession drops the token whose jti was revoked.
func (c *accessTokenCache) forgetSession(jti string) {
	c.tokens.DeleteFunc(func(_ tokenKey, e tokenEntry) bool { return e.jti == jti })
}
