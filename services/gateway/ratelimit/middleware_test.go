package ratelimit

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/rapport-crm/rapport/libs/auth"
)

const tenantA = "0190c5e6-0000-7000-8000-0000000000a1"

// withPrincipal stands in for proxy.Authenticate: it puts a principal of
// the tenant in the X-Test-Tenant header into the context.
func withPrincipal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tid := r.Header.Get("X-Test-Tenant"); tid != "" {
			r = r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{TenantID: tid, UserID: "u1"}))
		}
		next.ServeHTTP(w, r)
	})
}

func okHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
}

func TestMiddleware(t *testing.T) {
	type req struct {
		tenant, apiKey string
		wantStatus     int
		wantLimit      string // RateLimit-Limit, "" for none
		wantRemaining  string
		wantRetryAfter bool
	}
	tests := []struct {
		name string
		reqs []req
	}{
		{"tenant limit", []req{
			{tenantA, "", 204, "3", "2", false},
			{tenantA, "", 204, "3", "1", false},
			{tenantA, "", 204, "3", "0", false},
			{tenantA, "", 429, "3", "0", true},
		}},
		{"api key limit is tighter", []req{
			{tenantA, "rpk_one", 204, "2", "1", false},
			{tenantA, "rpk_one", 204, "2", "0", false},
			{tenantA, "rpk_one", 429, "2", "0", true},
			{tenantA, "rpk_two", 204, "3", "0", false}, // tenant has 1 left after 2 requests, the new key 1 of 2
			{tenantA, "", 429, "3", "0", true},
		}},
		{"no principal passes unlimited", []req{
			{"", "", 204, "", "", false},
			{"", "", 204, "", "", false},
			{"", "", 204, "", "", false},
			{"", "", 204, "", "", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := withPrincipal(Middleware(Config{
				Limiter: NewMemory(),
				Tenant:  Limit{Rate: 0.001, Burst: 3},
				APIKey:  Limit{Rate: 0.001, Burst: 2},
			})(okHandler()))
			for i, rq := range tt.reqs {
				r := httptest.NewRequest(http.MethodGet, "/v1/contacts", nil)
				if rq.tenant != "" {
					r.Header.Set("X-Test-Tenant", rq.tenant)
				}
				if rq.apiKey != "" {
					r.Header.Set("Authorization", "Bearer "+rq.apiKey)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != rq.wantStatus {
					t.Fatalf("request %d: status %d, want %d", i, w.Code, rq.wantStatus)
				}
				if got := w.Header().Get(HeaderLimit); got != rq.wantLimit {
					t.Errorf("request %d: %s = %q, want %q", i, HeaderLimit, got, rq.wantLimit)
				}
				if got := w.Header().Get(HeaderRemaining); got != rq.wantRemaining {
					t.Errorf("request %d: %s = %q, want %q", i, HeaderRemaining, got, rq.wantRemaining)
				}
				if rq.wantLimit != "" {
					if reset, err := strconv.Atoi(w.Header().Get(HeaderReset)); err != nil || reset < 1 {
						t.Errorf("request %d: %s = %q, want seconds >= 1", i, HeaderReset, w.Header().Get(HeaderReset))
					}
				}
				ra := w.Header().Get(HeaderRetryAfter)
				if (ra != "") != rq.wantRetryAfter {
					t.Errorf("request %d: Retry-After = %q, want one: %v", i, ra, rq.wantRetryAfter)
				}
				if w.Code == http.StatusTooManyRequests {
					var p struct{ Type string }
					_ = json.Unmarshal(w.Body.Bytes(), &p)
					if w.Header().Get("Content-Type") != "application/problem+json" || p.Type != "https://rapport.dev/problems/rate-limited" {
						t.Errorf("request %d: 429 body %s (%s), want a rate-limited problem", i, w.Body, w.Header().Get("Content-Type"))
					}
				}
			}
		})
	}
}

func TestMiddlewareFailsOpen(t *testing.T) {
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() { dead.Close() })
	h := withPrincipal(Middleware(Config{Limiter: NewRedis(dead, "x:"), Logger: slog.New(slog.DiscardHandler)})(okHandler()))
	r := httptest.NewRequest(http.MethodGet, "/v1/contacts", nil)
	r.Header.Set("X-Test-Tenant", tenantA)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusNoContent {
		t.Errorf("status = %d, want 204 (let through)", w.Code)
	}
}
