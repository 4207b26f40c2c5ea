package identity

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRevocationPoll is how often a replica reads the revocations table
// unless RevocationConfig.Poll says otherwise.
const DefaultRevocationPoll = 500 * time.Millisecond

// DefaultRevocationChannel is the Redis channel of revocations unless
// RevocationConfig.Channel says otherwise.
const DefaultRevocationChannel = "rapport:revocations"

// revocationPublishTimeout bounds an announcement on Redis; it runs after
// the revoking transaction's commit, off the request's path.
const revocationPublishTimeout = time.Second

// revocationPruneEvery is how often a replica deletes long-expired rows.
const revocationPruneEvery = time.Minute

// ErrRevocationsNotLoaded is the readiness check's error until a replica
// has read the revocations table once.
var ErrRevocationsNotLoaded = errors.New("identity: revocations not read yet")

// RevocationConfig is what RunRevocations needs.
type RevocationConfig struct {
	// Redis relays revocations between replicas at once; nil leaves it to
	// the poll.
	Redis *redis.Client
	// Channel is the Redis channel (DefaultRevocationChannel if empty); the
	// replicas of one platform share it.
	Channel string
	// Poll is how often the revocations table is read
	// (DefaultRevocationPoll if zero): the bound on the delay when Redis is
	// down or not configured.
	Poll time.Duration
}

// revocationRelay publishes announcements on Redis.
type revocationRelay struct {
	rdb     *redis.Client
	channel string
}

// announce applies revocations committed on this replica and relays them to
// the others on Redis (when RunRevocations was given it).
func (s *Service) announce(ctx context.Context, revs []revocation) {
	s.applyRevocations(revs)
	relay := s.relay.Load()
	if relay == nil {
		return
	}
	msg, err := json.Marshal(revs)
	if err != nil {
		s.logger.ErrorContext(ctx, "encode a revocation", "error", err.Error())
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(ctx, revocationPublishTimeout)
		defer cancel()
		if err := relay.rdb.Publish(ctx, relay.channel, msg).Err(); err != nil {
			s.logger.WarnContext(ctx, "relay a revocation on Redis; the other replicas read it at their next poll", "error", err.Error())
		}
	}()
}

// applyRevocations records revocations and drops what this replica cached
// of their subjects.
func (s *Service) applyRevocations(revs []revocation) {
	for _, r := range s.revoked.apply(revs) {
		switch r.Kind {
		case revokesAPIKey:
			s.apiKeys.forget(r.Subject)
		case revokesUser:
			s.apiKeys.forgetUser(r.Subject)
		case revokesTenant:
			s.forgetTenantAPIKeys(r.TenantID)
		case revokesSession:
			s.accessTokens.forgetSession(r.Subject)
		}
	}
}

// forgetTenantAPIKeys drops every cached API key of tenantID.
func (s *Service) forgetTenantAPIKeys(tenantID string) {
	c := s.apiKeys
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.entries {
		if e.p.TenantID == tenantID {
			delete(c.entries, h)
		}
	}
}

// RevocationsLoaded is nil once this replica has read the revocations table
// (a readiness check): until then it could accept a token revoked before it
// started.
func (s *Service) RevocationsLoaded(context.Context) error {
	if !s.revocationsLoaded.Load() {
		return ErrRevocationsNotLoaded
	}
	return nil
}

// RunRevocations keeps this replica's revocations current until ctx ends:
// it reads the revocations table at once and then every cfg.Poll, and
// applies what other replicas relay on cfg.Redis as it comes. Start it in
// its own goroutine.
func (s *Service) RunRevocations(ctx context.Context, cfg RevocationConfig) {
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultRevocationPoll
	}
	if cfg.Channel == "" {
		cfg.Channel = DefaultRevocationChannel
	}
	if cfg.Redis != nil {
		s.relay.Store(&revocationRelay{rdb: cfg.Redis, channel: cfg.Channel})
		sub := cfg.Redis.Subscribe(ctx, cfg.Channel)
		defer sub.Close()
		go s.listenRevocations(ctx, sub)
	}
	s.pollRevocations(ctx, cfg.Poll)
}

// listenRevocations applies the revocations relayed on sub until ctx ends
// (go-redis subscribes again after a lost connection; what was relayed
// meanwhile is read by the poll).
func (s *Service) listenRevocations(ctx context.Context, sub *redis.PubSub) {
	ch := sub.Channel()
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-ch:
			if !ok {
				return
			}
			var revs []revocation
			if err := json.Unmarshal([]byte(m.Payload), &revs); err != nil {
				s.logger.WarnContext(ctx, "a malformed revocation on Redis", "error", err.Error())
				continue
			}
			s.applyRevocations(revs)
		}
	}
}

// pollRevocations reads the revocations table every interval until ctx
// ends: every live row first, then those recorded since the previous read
// (less revocationOverlap).
func (s *Service) pollRevocations(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var since, pruned time.Time
	failing := false
	for {
		revs, now, err := readRevocations(ctx, s.db, since)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			if !failing {
				s.logger.ErrorContext(ctx, "read revocations; retrying at each poll", "error", err.Error())
			}
			failing = true
		default:
			if failing {
				s.logger.InfoContext(ctx, "read revocations again")
			}
			failing = false
			s.applyRevocations(revs)
			s.revocationsLoaded.Store(true)
			since = now.Add(-revocationOverlap)
			s.revoked.prune()
			if now.Sub(pruned) >= revocationPruneEvery {
				if err := pruneRevocations(ctx, s.db); err != nil && ctx.Err() == nil {
					s.logger.WarnContext(ctx, "prune revocations", "error", err.Error())
				}
				pruned = now
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// revocationState is the part of Service that revocation keeps.
type revocationState struct {
	revoked           *revocationSet
	relay             atomic.Pointer[revocationRelay]
	revocationsLoaded atomic.Bool
}
