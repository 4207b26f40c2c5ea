package main

import (
	"github.com/redis/go-redis/v9"
)

// The prefixes of the gateway's keys in Redis.
const (
	rateLimitPrefix     = "rapport:rl:"
	loginThrottlePrefix = "rapport:login:"
)

// openRedis returns a client of redisURL (redis://[user:password@]host:port/db,
// or rediss:// for TLS), or nil when redisURL is empty.
func openRedis(redisURL string) (*redis.Client, error) {
	if redisURL == "" {
		return nil, nil
	}
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, err
	}
	return redis.NewClient(opts), nil
}
