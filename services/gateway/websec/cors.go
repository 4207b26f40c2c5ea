package websec

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rs/cors"
)

// corsMaxAge is how long a browser may cache a preflight's answer.
const corsMaxAge = 10 * time.Minute

// ParseOrigins reads GATEWAY_CORS_ORIGINS: comma-separated exact origins
// (scheme://host[:port], no path, no wildcard). Empty means none: CORS is
// refused.
func ParseOrigins(v string) ([]string, error) {
	var origins []string
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Contains(o, "*") ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("%q is not an origin such as https://crm.example.com", o)
		}
		origins = append(origins, u.Scheme+"://"+strings.ToLower(u.Host))
	}
	return origins, nil
}

// CORS wraps next so that browsers on origins (exact matches) may call the
// API with a bearer token, and no other origin may: without origins, next
// is returned as it is and no answer carries Access-Control-Allow-Origin.
// Cookies are never allowed cross-origin (no Allow-Credentials).
func CORS(next http.Handler, origins []string) http.Handler {
	if len(origins) == 0 {
		return next
	}
	return cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
		AllowedHeaders: []string{"Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key", "X-Api-Key"},
		ExposedHeaders: []string{"ETag", "Location", "Retry-After", "Link"},
		MaxAge:         int(corsMaxAge / time.Second),
	}).Handler(next)
}
