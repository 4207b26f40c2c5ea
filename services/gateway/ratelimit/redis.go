package ratelimit

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// gcraScript is the GCRA of Memory, for many buckets at once, in Redis.
//
//go:embed gcra.lua
var gcraScript string

// Redis keeps the buckets in Redis, shared by every gateway replica that
// uses the same server and prefix. Each call is one atomic script timed by
// the Redis server's clock, so replicas need no clock agreement.
type Redis struct {
	client redis.Scripter
	prefix string
	script *redis.Script
}

// NewRedis returns a Limiter keeping its buckets in client under keys that
// start with prefix (e.g. "rapport:rl:"). Every key of one call goes to one
// script, so with Redis Cluster give the prefix a hash tag ("{rl}:").
func NewRedis(client redis.Scripter, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix, script: redis.NewScript(gcraScript)}
}

// Allow implements Limiter.
func (l *Redis) Allow(ctx context.Context, buckets ...Bucket) (Decision, error) {
	if len(buckets) == 0 {
		return Decision{}, fmt.Errorf("ratelimit: Allow without buckets")
	}
	keys := make([]string, len(buckets))
	args := make([]any, 0, 2*len(buckets))
	for i, b := range buckets {
		if !b.Limit.valid() {
			return Decision{}, fmt.Errorf("ratelimit: bucket %s: invalid limit %v", b.Key, b.Limit)
		}
		keys[i] = l.prefix + b.Key
		interval := b.Limit.interval().Microseconds()
		if interval < 1 {
			interval = 1
		}
		args = append(args, interval, b.Limit.Burst)
	}
	res, err := l.script.Run(ctx, l.client, keys, args...).Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("ratelimit: redis: %w", err)
	}
	if len(res) != len(buckets) {
		return Decision{}, fmt.Errorf("ratelimit: redis: %d results for %d buckets", len(res), len(buckets))
	}
	ds := make([]Decision, len(buckets))
	for i, r := range res {
		v, ok := r.([]any)
		if !ok || len(v) != 4 {
			return Decision{}, fmt.Errorf("ratelimit: redis: malformed result %v", r)
		}
		n := make([]int64, 4)
		for j := range v {
			if n[j], ok = v[j].(int64); !ok {
				return Decision{}, fmt.Errorf("ratelimit: redis: malformed result %v", r)
			}
		}
		ds[i] = Decision{
			Allowed:    n[0] == 1,
			Key:        buckets[i].Key,
			Limit:      buckets[i].Limit.Burst,
			Remaining:  int(n[1]),
			Reset:      time.Duration(n[2]) * time.Microsecond,
			RetryAfter: time.Duration(n[3]) * time.Microsecond,
		}
	}
	return decide(ds), nil
}

// String describes the limiter for logs.
func (l *Redis) String() string { return "redis(" + strconv.Quote(l.prefix) + ")" }
