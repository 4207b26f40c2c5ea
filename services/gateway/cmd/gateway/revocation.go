package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/services/gateway/identity"
)

// revocationChannel is the Redis channel on which the gateway's replicas
// relay revocations.
const revocationChannel = "rapport:revocations"

// maxRevocationPoll bounds GATEWAY_REVOCATION_POLL: the poll is what
// bounds the delay of a revocation reaching every replica when Redis is
// down, and that bound is one second.
const maxRevocationPoll = time.Second

// loadRevocationConfig reads GATEWAY_REVOCATION_POLL: how often each
// replica reads the revocations table (default 500ms, at most 1s).
func loadRevocationConfig(getenv func(string) string, c *config) error {
	c.RevocationPoll = identity.DefaultRevocationPoll
	v := strings.TrimSpace(getenv("GATEWAY_REVOCATION_POLL"))
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 || d > maxRevocationPoll {
		return fmt.Errorf("GATEWAY_REVOCATION_POLL: %q is not a duration above 0 and at most %v", v, maxRevocationPoll)
	}
	c.RevocationPoll = d
	return nil
}

// startRevocations keeps the replica's revocations current (identity's
// revocation.go) until ctx ends: relayed on rdb when REDIS_URL is set, and
// read from the revocations table every cfg.RevocationPoll either way. The
// replica is not ready until it has read the table once.
func startRevocations(ctx context.Context, cfg config, ids *identity.Service, rdb *redis.Client, health *obs.Health) {
	health.AddCheck("revocations", ids.RevocationsLoaded)
	go ids.RunRevocations(ctx, identity.RevocationConfig{Redis: rdb, Channel: revocationChannel, Poll: cfg.RevocationPoll})
}
