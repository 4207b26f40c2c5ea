package auth

import (
	"maps"
	"slices"
	"sync"
	"time"
)

// verifiedCap bounds the tokens a Verifier remembers.
const verifiedCap = 4096

// verifiedTokens remembers the tokens a Verifier accepted, so that the same
// token is checked in full once: the gateway sends one token per principal
// for half its lifetime (services/gateway/proxy/tokens.go), and an ES256
// signature check costs more than the rest of a small request. A token is
// remembered by its exact text, and only until it expires and while the key
// that signed it is still in the key set.
type verifiedTokens struct {
	mu     sync.Mutex
	tokens map[string]verifiedToken
}

// verifiedToken is what an accepted token carried.
type verifiedToken struct {
	principal Principal
	kid       string
	exp       time.Time
}

// get returns the principal of token if it was accepted, has not expired
// at now, and its key is still in keys.
func (v *verifiedTokens) get(token string, now time.Time, keys *keySet) (Principal, bool) {
	v.mu.Lock()
	t, ok := v.tokens[token]
	v.mu.Unlock()
	if !ok || !now.Before(t.exp) {
		return Principal{}, false
	}
	if _, ok := keys.get(t.kid); !ok {
		return Principal{}, false
	}
	return t.principal.clone(), true
}

// put remembers token, accepted at now. When full, it forgets the expired
// tokens, or all of them if none has expired.
func (v *verifiedTokens) put(token string, t verifiedToken, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tokens == nil {
		v.tokens = map[string]verifiedToken{}
	}
	if len(v.tokens) >= verifiedCap {
		maps.DeleteFunc(v.tokens, func(_ string, t verifiedToken) bool { return !now.Before(t.exp) })
		if len(v.tokens) >= verifiedCap {
			clear(v.tokens)
		}
	}
	t.principal = t.principal.clone()
	v.tokens[token] = t
}

// clone returns a copy of p sharing nothing with it.
func (p Principal) clone() Principal {
	p.Roles, p.Teams, p.Scopes = slices.Clone(p.Roles), slices.Clone(p.Teams), slices.Clone(p.Scopes)
	p.Permissions, p.Subordinates = slices.Clone(p.Permissions), slices.Clone(p.Subordinates)
	p.RecordScope = maps.Clone(p.RecordScope)
	return p
}
