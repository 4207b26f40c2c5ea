package delivery

import (
	"context"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
)

// Channel is the PostgreSQL channel the fan-out NOTIFYs (empty payload) at
// the commit of new deliveries; Dispatchers LISTEN on it.
const Channel = "rapport_webhooks"

// Defaults of Config.
const (
	// DefaultWorkers is Config.Workers' default.
	DefaultWorkers = 32
	// DefaultTimeout is Config.Timeout's default.
	DefaultTimeout = 15 * time.Second
	// DefaultDisableAfter is Config.DisableAfter's default.
	DefaultDisableAfter = 72 * time.Hour
)

// Config configures a Dispatcher; every field but Open has a default.
type Config struct {
	// DatabaseURL is the DSN a Dispatcher LISTENs on Channel through (the
	// runtime role's DATABASE_URL); empty, it only polls every Poll.
	DatabaseURL string
	// Workers bounds the deliveries sent at once (default 32).
	Workers int
	// Timeout bounds one attempt, redirects included (default 15 s).
	Timeout time.Duration
	// Schedule[n] is the wait before attempt n+1 after attempt n failed
	// (Schedule[0], before the first, is not waited); a delivery fails
	// after len(Schedule) attempts. Each wait varies by ±10 %. Default:
	// DefaultSchedule(DisableAfter).
	Schedule []time.Duration
	// DisableAfter disables a subscription whose deliveries have failed
	// without a success in between for this long (default 72 h).
	DisableAfter time.Duration
	// AllowLoopback lets deliveries go to loopback addresses, AllowHTTP to
	// http URLs: the development setting (GATEWAY_WEBHOOK_ALLOW_PRIVATE).
	AllowLoopback bool
	AllowHTTP     bool
	// Open returns the plaintext secret of a subscription's secret_enc.
	Open func(sealed []byte) (string, error)
	// OnDisabled runs in the transaction that disables a subscription, of
	// its tenant (the event and the admins' email); may be nil.
	OnDisabled func(ctx context.Context, tx *sqlx.Tx, tenantID, subscriptionID, reason string) error
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Metrics, when set, receives the deliveries' counters and latency.
	Metrics prometheus.Registerer
	// Poll is how often an idle Dispatcher looks for due deliveries
	// without a signal (default 1 s).
	Poll time.Duration
}

// DefaultSchedule is the Standard Webhooks example schedule (now, 5 s,
// 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) then 10 h more until the waits add
// up to disableAfter, so a failing endpoint is retried until its
// subscription is disabled.
func DefaultSchedule(disableAfter time.Duration) []time.Duration {
	s := []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
	var total time.Duration
	for _, d := range s {
		total += d
	}
	for ; total < disableAfter; total += 10 * time.Hour {
		s = append(s, 10*time.Hour)
	}
	return s
}

// withDefaults returns c with its defaults filled in.
func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.DisableAfter <= 0 {
		c.DisableAfter = DefaultDisableAfter
	}
	if len(c.Schedule) == 0 {
		c.Schedule = DefaultSchedule(c.DisableAfter)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	return c
}
