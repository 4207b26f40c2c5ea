package ratelimit

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
)

// ErrRateLimited answers a request over its limit.
var ErrRateLimited = errs.New(errs.RateLimited, "rate-limited", "too many requests; slow down and retry after the time in Retry-After")

// Limit is a bucket's size: Rate requests per second on average, and up to
// Burst at once.
type Limit struct {
	Rate  float64
	Burst int
}

// The default limits.
var (
	DefaultTenantLimit = Limit{Rate: 100, Burst: 200}
	DefaultAPIKeyLimit = Limit{Rate: 20, Burst: 40}
)

// valid reports whether l can be enforced.
func (l Limit) valid() bool {
	return l.Rate > 0 && !math.IsInf(l.Rate, 0) && l.Burst >= 1
}

// interval is the time one request's token takes to come back.
func (l Limit) interval() time.Duration {
	d := time.Duration(float64(time.Second) / l.Rate)
	if d < 1 {
		d = 1
	}
	return d
}

// window is how long an empty bucket takes to fill.
func (l Limit) window() time.Duration {
	return time.Duration(l.Burst) * l.interval()
}

// String formats l as ParseLimit reads it.
func (l Limit) String() string {
	return strconv.FormatFloat(l.Rate, 'f', -1, 64) + ":" + strconv.Itoa(l.Burst)
}

// ParseLimit parses "RATE:BURST" (requests per second, and the burst), as
// found in RATE_LIMIT_TENANT and RATE_LIMIT_API_KEY, e.g. "100:200" or
// "0.5:10".
func ParseLimit(s string) (Limit, error) {
	r, b, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return Limit{}, fmt.Errorf("ratelimit: %q: want RATE:BURST, e.g. 100:200", s)
	}
	rate, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
	if err != nil {
		return Limit{}, fmt.Errorf("ratelimit: %q: rate: %w", s, err)
	}
	burst, err := strconv.Atoi(strings.TrimSpace(b))
	if err != nil {
		return Limit{}, fmt.Errorf("ratelimit: %q: burst: %w", s, err)
	}
	l := Limit{Rate: rate, Burst: burst}
	if !l.valid() {
		return Limit{}, fmt.Errorf("ratelimit: %q: want a rate above 0 and a burst of at least 1", s)
	}
	return l, nil
}

// Bucket names one bucket and its limit.
type Bucket struct {
	Key   string
	Limit Limit
}

// Decision is a Limiter's answer, described by the deciding bucket: the one
// that refused (the longest wait if several did), or, when every bucket
// allowed, the one with the fewest requests left.
type Decision struct {
	Allowed bool
	// Key is the deciding bucket's key.
	Key string
	// Limit is the deciding bucket's burst.
	Limit int
	// Remaining is how many more requests the bucket takes right now.
	Remaining int
	// Reset is the time until the bucket is full again.
	Reset time.Duration
	// RetryAfter is, for a refusal, the time until the bucket takes a request.
	RetryAfter time.Duration
}

// Limiter takes one request from every bucket of a call, atomically: either
// all buckets have room and each gives one token, or none is charged.
type Limiter interface {
	Allow(ctx context.Context, buckets ...Bucket) (Decision, error)
}

// decide combines the per-bucket decisions of one call (see Decision).
func decide(ds []Decision) Decision {
	var best Decision
	for i, d := range ds {
		switch {
		case i == 0:
			best = d
		case !d.Allowed && (best.Allowed || d.RetryAfter > best.RetryAfter):
			best = d
		case d.Allowed && best.Allowed && (d.Remaining < best.Remaining || d.Remaining == best.Remaining && d.Limit < best.Limit):
			best = d
		}
	}
	if !best.Allowed {
		for i := range ds {
			ds[i].Allowed = false
		}
	}
	return best
}
