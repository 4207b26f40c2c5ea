package identity

import (
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

func TestThrottle(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	th := NewThrottle()
	th.now = func() time.Time { return now }
	ctx := t.Context()
	wait := func(keys ...string) time.Duration {
		d, err := th.Wait(ctx, keys...)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		name     string
		failures int
		want     time.Duration
	}{
		{"free attempts", 5, 0},
		{"first lock", 1, time.Second},
		{"doubles", 1, 2 * time.Second},
		{"doubles again", 1, 4 * time.Second},
		{"capped", 30, 15 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range tt.failures {
				if err := th.Fail(ctx, "acct:x", "ip:y"); err != nil {
					t.Fatal(err)
				}
			}
			if got := wait("acct:x"); got != tt.want {
				t.Errorf("Wait = %v, want %v", got, tt.want)
			}
		})
	}
	if err := th.Succeed(ctx, "acct:x"); err != nil {
		t.Fatal(err)
	}
	if got := wait("acct:x"); got != 0 {
		t.Errorf("after success Wait = %v, want 0", got)
	}
	if got := wait("acct:x", "ip:y"); got != 15*time.Minute {
		t.Errorf("address still locked: Wait = %v, want 15m", got)
	}
}

// TestRedisThrottleIsShared runs two replicas' throttles on one real Redis:
// failures seen by either count for both, locks double as in memory, and a
// success on one clears the account for both.
func TestRedisThrottleIsShared(t *testing.T) {
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opts)
	t.Cleanup(func() { _ = client.Close() })
	ctx := t.Context()
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis at %s: %v", url, err)
	}
	prefix := "rapport-test:login:" + uuid.NewString() + ":"
	one, two := RedisThrottles(client, prefix), RedisThrottles(client, prefix)
	acct := "acct:acme/ada@example.com"
	wait := func(th LoginThrottle) time.Duration {
		d, err := th.Wait(ctx, acct)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for i := range 5 {
		replica := []LoginThrottles{one, two}[i%2]
		if err := replica.Accounts.Fail(ctx, acct); err != nil {
			t.Fatal(err)
		}
	}
	if got := wait(two.Accounts); got != 0 {
		t.Fatalf("after the free attempts Wait = %v, want 0", got)
	}
	for _, tt := range []struct {
		name string
		want time.Duration
	}{{"first lock", time.Second}, {"doubles", 2 * time.Second}, {"doubles again", 4 * time.Second}} {
		t.Run(tt.name, func(t *testing.T) {
			if err := one.Accounts.Fail(ctx, acct); err != nil {
				t.Fatal(err)
			}
			if got := wait(two.Accounts); got > tt.want || got < tt.want-200*time.Millisecond {
				t.Errorf("the other replica's Wait = %v, want about %v", got, tt.want)
			}
		})
	}
	if got := wait(one.Addresses); got != 0 {
		t.Errorf("the address throttle shares the account's key: Wait = %v", got)
	}
	if err := two.Accounts.Succeed(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if got := wait(one.Accounts); got != 0 {
		t.Errorf("after a success Wait = %v, want 0", got)
	}
	if err := one.Accounts.Fail(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if got := wait(one.Accounts); got != 0 {
		t.Errorf("a success restarts the free attempts: Wait = %v, want 0", got)
	}
}
