package starter

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/pg"
)

// The overload bounds' defaults: the in-flight limit lets a pool's worth
// of requests queue behind those holding its connections, and a request
// waits at most DefaultAcquireTimeout for a connection and
// DefaultLockTimeout for a lock before it is answered 503 with Retry-After.
// No statement timeout is set unless DB_STATEMENT_TIMEOUT says so: an export
// streams from one statement for as long as its client reads.
const (
	DefaultMaxInFlight    = 4 * pg.DefaultMaxOpenConns
	DefaultAcquireTimeout = 2 * time.Second
	DefaultLockTimeout    = 2 * time.Second
)

// Overload is how much an instance takes on before it sheds load with 503
// and Retry-After (kitx.ErrOverloaded) rather than queueing without bound.
type Overload struct {
	// MaxInFlight (MAX_IN_FLIGHT, default DefaultMaxInFlight, 0 for no
	// bound) caps the requests served at once; probes, /metrics and
	// long-lived streams are not counted.
	MaxInFlight int
	// DB bounds each request's transactions (pg.WithLimits):
	// DB_ACQUIRE_TIMEOUT, DB_LOCK_TIMEOUT and DB_STATEMENT_TIMEOUT (Go
	// durations, "0" for no bound; no statement bound by default).
	// Background work is not bounded.
	DB pg.Limits
}

// DefaultOverload is a service's bounds when none is set.
func DefaultOverload() Overload {
	return Overload{MaxInFlight: DefaultMaxInFlight,
		DB: pg.Limits{Acquire: DefaultAcquireTimeout, Lock: DefaultLockTimeout}}
}

// parseOverload reads the overload bounds; the error names the variable.
func parseOverload(c *Config, getenv func(string) string) error {
	o, err := ParseOverload(getenv, "", DefaultOverload())
	c.Overload = o
	return err
}

// ParseOverload reads MAX_IN_FLIGHT, DB_ACQUIRE_TIMEOUT, DB_LOCK_TIMEOUT and
// DB_STATEMENT_TIMEOUT, each name after prefix (the gateway reads
// GATEWAY_MAX_IN_FLIGHT, …), into o, which holds the defaults; the error
// names the variable.
func ParseOverload(getenv func(string) string, prefix string, o Overload) (Overload, error) {
	if v := strings.TrimSpace(getenv(prefix + "MAX_IN_FLIGHT")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return o, fmt.Errorf("%sMAX_IN_FLIGHT must be a whole number, 0 for no bound", prefix)
		}
		o.MaxInFlight = n
	}
	for _, d := range []struct {
		name string
		into *time.Duration
	}{{"DB_ACQUIRE_TIMEOUT", &o.DB.Acquire}, {"DB_LOCK_TIMEOUT", &o.DB.Lock}, {"DB_STATEMENT_TIMEOUT", &o.DB.Statement}} {
		v := strings.TrimSpace(getenv(prefix + d.name))
		if v == "" {
			continue
		}
		t, err := time.ParseDuration(v)
		if err != nil || t < 0 {
			return o, fmt.Errorf("%s%s must be a duration such as 2s, 0 for no bound", prefix, d.name)
		}
		*d.into = t
	}
	return o, nil
}

// Guard returns next bounded by o: at most o.MaxInFlight requests at once,
// the others answered 503 with Retry-After at once, and every request's
// transactions under o.DB. The health probes and /metrics are never shed.
func (o Overload) Guard(next http.Handler) http.Handler {
	bounded := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(pg.WithLimits(r.Context(), o.DB)))
	})
	return kitx.LimitInFlight(bounded, o.MaxInFlight, isProbe)
}

// isProbe reports whether r is a health probe or a metrics scrape.
func isProbe(r *http.Request) bool {
	switch r.URL.Path {
	case "/healthz", "/livez", "/readyz", "/metrics":
		return true
	}
	return false
}
