package ratelimit

import (
	"context"
	"fmt"
	"io"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisPrefix prefixes the gateway's rate-limit keys in Redis.
const DefaultRedisPrefix = "rapport:rl:"

// Open returns the Limiter for a deployment: a Redis limiter over
// redisURL (redis://[user:password@]host:port/db, or rediss:// for TLS),
// shared by every gateway replica, or a Memory limiter when redisURL is
// empty. The Closer releases the Redis connections. ping checks Redis for a
// readiness probe (nil for Memory).
func Open(redisURL string) (l Limiter, closer io.Closer, ping func(context.Context) error, err error) {
	if redisURL == "" {
		return NewMemory(), io.NopCloser(nil), nil, nil
	}
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("ratelimit: REDIS_URL: %w", err)
	}
	c := redis.NewClient(opts)
	return NewRedis(c, DefaultRedisPrefix), c, func(ctx context.Context) error { return c.Ping(ctx).Err() }, nil
}
