package proxy

import (
	"encoding/binary"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/services/gateway/internal/lru"
)

// internalTokenCacheSize is how many internal tokens a Handler keeps for
// reuse, one per principal and service in use; the least recently used is
// forgotten beyond it.
const internalTokenCacheSize = 10_000

// internalTokens mints the internal tokens of forwarded requests. A token
// is reused for the same principal and audience until half its lifetime has
// passed, so it reaches the service with at least half of it left (ECDSA
// signing is most of a proxied request's CPU otherwise). Reuse grants
// nothing more: one token already serves any number of requests to its
// service until it expires, and a principal that differs in any claim
// (another user, role, team, scope or permission) gets a token of its own.
type internalTokens struct {
	signer *auth.Signer
	ttl    time.Duration
	now    func() time.Time
	cache  *lru.Cache[string, string] // principalKey → token
}

func newInternalTokens(signer *auth.Signer, ttl time.Duration) *internalTokens {
	return &internalTokens{signer: signer, ttl: ttl, now: time.Now, cache: lru.New[string, string](internalTokenCacheSize)}
}

// token returns an internal token for p addressed to audience.
func (t *internalTokens) token(p auth.Principal, audience string) (string, error) {
	key := principalKey(p, audience)
	now := t.now()
	if tok, ok := t.cache.Get(key, now); ok {
		return tok, nil
	}
	tok, err := t.signer.Sign(p, audience, t.ttl)
	if err != nil {
		return "", err
	}
	t.cache.Put(key, tok, now.Add(t.ttl/2))
	return tok, nil
}

// principalKey encodes every claim of p's internal token for audience,
// each length-prefixed so that no two principals share a key.
func principalKey(p auth.Principal, audience string) string {
	var buf [512]byte
	b := buf[:0]
	for _, s := range []string{audience, p.TenantID, p.UserID} {
		b = appendString(b, s)
	}
	for _, l := range [][]string{p.Roles, p.Teams, p.Subordinates, p.Scopes, p.Permissions} {
		b = binary.AppendUvarint(b, uint64(len(l)))
		for _, s := range l {
			b = appendString(b, s)
		}
	}
	var modules [16]string
	keys := modules[:0]
	for m := range p.RecordScope {
		keys = append(keys, m)
	}
	slices.Sort(keys)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, m := range keys {
		b = appendString(appendString(b, m), string(p.RecordScope[m]))
	}
	return string(b)
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}
