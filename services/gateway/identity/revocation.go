package identity

import (
	"sync"
	"time"
)

// Revocation across gateway replicas.
//
// Every replica caches what it verified: access tokens until they expire
// (accessTokenCache), API keys for a few seconds (apiKeyCache). A revoking
// action must reach every replica's cache within a second:
//
//   - logout (and a refresh token's reuse) revokes the session's access
//     tokens by jti: they are refused (401);
//   - disabling a user, or changing their roles or teams, marks the user;
//     changing a role or moving a team marks the whole tenant. A marked
//     token is not refused outright: its principal is read again from the
//     database, once per token and replica, so a disabled user gets 401 and
//     one who lost a permission 403 for it, while one whose grants did not
//     shrink carries on without signing in again;
//   - revoking an API key, or a mark of its owner or tenant, drops the key
//     from the API-key cache, whose next use reads the database.
//
// The record is a row of the gateway database's revocations table, written
// in the revoking transaction (so it cannot be lost once the change is
// committed). After the commit the replica applies it at once and publishes
// it on Redis when REDIS_URL is set; every replica subscribes, which makes
// the others apply it within milliseconds. Every replica also polls the
// table (REVOCATION_POLL, 500ms by default) and reads it whole on start: the
// fallback when Redis is down, not configured, or a message was missed, which
// alone bounds the delay by the poll interval plus one query. On the request
// path the check is a few map lookups in memory: no query.
//
// A mark compares times from two clocks: the database's (the row's at) and
// the issuing replica's (a token's iat, whole seconds). A token issued up to
// revocationSkew after a mark is therefore read again too; a principal read
// again is compared with the time the mark arrived on this replica, on this
// replica's clock.

// revocationSkew covers the clock difference between the database and the
// replicas, iat's truncation to the second and the time between a revoking
// transaction's insert and its commit.
const revocationSkew = 2 * time.Second

// revocationKind is what a revocation names.
type revocationKind string

// The kinds of revocation; each names its subject's id.
const (
	revokesSession revocationKind = "session" // an access token's jti
	revokesUser    revocationKind = "user"    // a user: their principal is read again
	revokesTenant  revocationKind = "tenant"  // every user of a tenant, read again
	revokesAPIKey  revocationKind = "api_key" // an API key, read again (and refused if revoked)
)

// revocation is a row of the revocations table, and the message replicas
// relay through Redis.
type revocation struct {
	ID       int64          `json:"id" db:"id"`
	TenantID string         `json:"tid" db:"tenant_id"`
	Kind     revocationKind `json:"kind" db:"kind"`
	Subject  string         `json:"sub" db:"subject"`
	At       time.Time      `json:"at" db:"at"`
	Expires  time.Time      `json:"exp" db:"expires_at"`
}

// revocationMark is the latest revocation of one subject on this replica.
type revocationMark struct {
	at      time.Time // the latest revocation's time, on the database's clock
	arrived time.Time // when this replica last learnt of a revocation of it
	expires time.Time // when it no longer matters
}

// revocationSet is what this replica knows of recent revocations.
type revocationSet struct {
	now func() time.Time

	mu    sync.RWMutex
	seen  map[rowKey]time.Time      // applied rows → their expiry
	marks map[markID]revocationMark // the latest revocation of each subject
}

// markID names a subject: comparing it allocates nothing on the request
// path.
type markID struct {
	kind    revocationKind
	subject string
}

// rowKey names a revocation row. The subject is part of it: a message on
// Redis from another platform's database (one Redis shared by two) may
// carry the id of one of ours.
type rowKey struct {
	id      int64
	subject string
}

func newRevocationSet(now func() time.Time) *revocationSet {
	return &revocationSet{now: now, seen: map[rowKey]time.Time{}, marks: map[markID]revocationMark{}}
}

// apply records the revocations this replica had not seen and returns them.
func (s *revocationSet) apply(revs []revocation) []revocation {
	now := s.now()
	var fresh []revocation
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range revs {
		rk := rowKey{r.ID, r.Subject}
		if _, ok := s.seen[rk]; ok {
			continue
		}
		s.seen[rk] = r.Expires
		k := markID{r.Kind, r.Subject}
		m := s.marks[k]
		if r.At.After(m.at) {
			m.at = r.At
		}
		if r.Expires.After(m.expires) {
			m.expires = r.Expires
		}
		m.arrived = now
		s.marks[k] = m
		fresh = append(fresh, r)
	}
	return fresh
}

// prune forgets what has expired.
func (s *revocationSet) prune() {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for rk, exp := range s.seen {
		if now.After(exp) {
			delete(s.seen, rk)
		}
	}
	for k, m := range s.marks {
		if now.After(m.expires) {
			delete(s.marks, k)
		}
	}
}

// sessionRevoked reports whether the access token jti was revoked.
func (s *revocationSet) sessionRevoked(jti string) bool {
	if jti == "" {
		return false
	}
	s.mu.RLock()
	_, ok := s.marks[markID{revokesSession, jti}]
	s.mu.RUnlock()
	return ok
}

// stale reports whether the principal of a token of user userID of tenant
// tenantID must be read again: a mark of the user or the tenant is more
// recent than the token's iat (when reloaded is zero, the token's own
// claims) or not older than reloaded (when its principal was read again
// then, on this replica's clock).
func (s *revocationSet) stale(tenantID, userID string, iat, reloaded time.Time) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, k := range [2]markID{{revokesUser, userID}, {revokesTenant, tenantID}} {
		m, ok := s.marks[k]
		switch {
		case !ok:
		case reloaded.IsZero() && !iat.After(m.at.Add(revocationSkew)):
			return true
		case !reloaded.IsZero() && !reloaded.After(m.arrived):
			return true
		}
	}
	return false
}

// arrivedSince reports whether a revocation of the API key keyID, its owner
// userID or their tenant tenantID arrived at or after since: a principal
// read from the database before then must not be cached.
func (s *revocationSet) arrivedSince(tenantID, userID, keyID string, since time.Time) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, k := range [3]markID{{revokesAPIKey, keyID}, {revokesUser, userID}, {revokesTenant, tenantID}} {
		if m, ok := s.marks[k]; ok && !m.arrived.Before(since) {
			return true
		}
	}
	return false
}

// marked reports whether user userID has a mark (a tenant's marks change
// grants, never whether a user is active): an internal token minted for them
// may predate it, and is accepted only once the user is found still active.
func (s *revocationSet) marked(userID string) bool {
	s.mu.RLock()
	_, ok := s.marks[markID{revokesUser, userID}]
	s.mu.RUnlock()
	return ok
}
