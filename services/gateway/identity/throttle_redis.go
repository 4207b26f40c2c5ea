package identity

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// throttleFailScript records failures in Redis (throttle_fail.lua).
//
//go:embed throttle_fail.lua
var throttleFailScript string

// RedisThrottle is a LoginThrottle in Redis, shared by every gateway replica
// using the same server and prefix, so a guesser gains nothing by spreading
// attempts over replicas. It counts and locks as Throttle does; lock windows
// are Redis TTLs, timed by the server's clock.
type RedisThrottle struct {
	FreeAttempts int
	BaseDelay    time.Duration
	MaxDelay     time.Duration

	client redis.Cmdable
	prefix string
	fail   *redis.Script
}

// RedisThrottles are LoginThrottles in client under keys starting with
// prefix (e.g. "rapport:login:"), with the limits of MemoryThrottles.
func RedisThrottles(client redis.Cmdable, prefix string) LoginThrottles {
	at := func(scope string, free int) *RedisThrottle {
		return &RedisThrottle{FreeAttempts: free, BaseDelay: throttleBaseDelay, MaxDelay: throttleMaxDelay,
			client: client, prefix: prefix + scope + ":", fail: redis.NewScript(throttleFailScript)}
	}
	return LoginThrottles{Accounts: at("acct", accountFreeAttempts), Addresses: at("addr", addressFreeAttempts)}
}

// Wait implements LoginThrottle.
func (t *RedisThrottle) Wait(ctx context.Context, keys ...string) (time.Duration, error) {
	var wait time.Duration
	for _, k := range keys {
		ttl, err := t.client.PTTL(ctx, t.prefix+"l:"+k).Result()
		if err != nil {
			return 0, fmt.Errorf("login throttle: redis: %w", err)
		}
		wait = max(wait, ttl) // a missing key's PTTL is negative
	}
	return wait, nil
}

// Fail implements LoginThrottle.
func (t *RedisThrottle) Fail(ctx context.Context, keys ...string) error {
	rk := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		rk = append(rk, t.prefix+"f:"+k, t.prefix+"l:"+k)
	}
	err := t.fail.Run(ctx, t.client, rk, t.FreeAttempts, t.BaseDelay.Milliseconds(), t.MaxDelay.Milliseconds()).Err()
	if err != nil {
		return fmt.Errorf("login throttle: redis: %w", err)
	}
	return nil
}

// Succeed implements LoginThrottle.
func (t *RedisThrottle) Succeed(ctx context.Context, key string) error {
	if err := t.client.Del(ctx, t.prefix+"f:"+key, t.prefix+"l:"+key).Err(); err != nil {
		return fmt.Errorf("login throttle: redis: %w", err)
	}
	return nil
}
