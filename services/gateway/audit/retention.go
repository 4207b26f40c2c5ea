package audit

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// DefaultRetention is how long entries are kept when AUDIT_RETENTION is not
// set: 400 days, a year plus a margin for yearly reviews.
const DefaultRetention = 400 * 24 * time.Hour

// ParseRetention parses a retention such as "400d" (days) or any
// time.ParseDuration string ("720h"); it must be positive.
func ParseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("audit: retention %q: want days like 400d or a duration like 720h", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("audit: retention %q: want days like 400d or a duration like 720h", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("audit: retention %q must be positive", s)
	}
	return d, nil
}

// RunRetention prunes entries older than retention now and then every
// interval, until ctx is done. Failures are logged and tried again at the
// next interval.
func RunRetention(ctx context.Context, store *Store, retention, interval time.Duration, logger *slog.Logger) {
	if logger == nil {
		logger = slog.Default()
	}
	for {
		n, err := store.Prune(ctx, retention)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.ErrorContext(ctx, "audit retention failed", "error", err.Error())
		case n > 0:
			logger.InfoContext(ctx, "audit entries pruned", "deleted", n, "retention", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
