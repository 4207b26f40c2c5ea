package identity

import (
	"crypto/sha256"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/services/gateway/internal/lru"
)

// accessTokenCacheSize is how many verified access tokens a replica
// remembers: the least recently used is forgotten beyond it (and verified
// again when it comes back).
const accessTokenCacheSize = 10_000

// accessTokenCache remembers the principal of each verified user access
// token, by the token's SHA-256, until the token expires: a token's
// signature and claims are checked once per replica, not once per request.
// Caching changes nothing a token grants, since a token is immutable and
// valid until exp either way; the tenant's status is still checked on every
// request. A disabled user's tokens are refused at once on the replica that
// disabled them (disable).
type accessTokenCache struct {
	tokens *lru.Cache[tokenKey, auth.Principal]

	mu       sync.Mutex                           // serialises writers of disabled
	disabled atomic.Pointer[map[string]time.Time] // user id → refused until; copied on write
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
	c := &accessTokenCache{tokens: lru.New[tokenKey, auth.Principal](size)}
	c.disabled.Store(&map[string]time.Time{})
	return c
}

// get returns the principal of a token verified before, if it has not
// expired at now. The principal is shared: callers must not modify it.
func (c *accessTokenCache) get(k tokenKey, now time.Time) (auth.Principal, bool) {
	return c.tokens.Get(k, now)
}

// put remembers the principal of a verified token until it expires.
func (c *accessTokenCache) put(k tokenKey, p auth.Principal, expires time.Time) {
	c.tokens.Put(k, p, expires)
}

// disable forgets the cached tokens of user userID and refuses every token
// of theirs presented before the last one they could hold has expired:
// AccessTokenTTL (plus the clock leeway) after now. A disabled user cannot
// sign in again, so no token issued later is refused by mistake.
func (c *accessTokenCache) disable(userID string, now time.Time) {
	c.mu.Lock()
	next := make(map[string]time.Time, len(*c.disabled.Load())+1)
	for id, until := range *c.disabled.Load() {
		if now.Before(until) {
			next[id] = until
		}
	}
	next[userID] = now.Add(AccessTokenTTL + tokenLeeway)
	c.disabled.Store(&next)
	c.mu.Unlock()
	c.tokens.DeleteFunc(func(_ tokenKey, p auth.Principal) bool { return p.UserID == userID })
}

// refused reports whether the tokens of user userID are refused at now.
func (c *accessTokenCache) refused(userID string, now time.Time) bool {
	until, ok := (*c.disabled.Load())[userID]
	return ok && now.Before(until)
}
