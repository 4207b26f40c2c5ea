package starter

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/pg"
)

// TestOverloadConfig reads the defaults, set values and the errors naming
// a malformed variable, with and without the gateway's prefix.
func TestOverloadConfig(t *testing.T) {
	o, err := ParseOverload(func(string) string { return "" }, "", DefaultOverload())
	want := Overload{MaxInFlight: DefaultMaxInFlight,
		DB: pg.Limits{Acquire: DefaultAcquireTimeout, Lock: DefaultLockTimeout}}
	if err != nil || o != want {
		t.Fatalf("defaults: %+v, %v; want %+v", o, err, want)
	}
	set := map[string]string{"GATEWAY_MAX_IN_FLIGHT": "7", "GATEWAY_DB_ACQUIRE_TIMEOUT": "250ms",
		"GATEWAY_DB_LOCK_TIMEOUT": "0", "GATEWAY_DB_STATEMENT_TIMEOUT": "5s"}
	o, err = ParseOverload(func(k string) string { return set[k] }, "GATEWAY_", DefaultOverload())
	want = Overload{MaxInFlight: 7, DB: pg.Limits{Acquire: 250 * time.Millisecond, Statement: 5 * time.Second}}
	if err != nil || o != want {
		t.Fatalf("set: %+v, %v; want %+v", o, err, want)
	}
	for name, value := range map[string]string{"MAX_IN_FLIGHT": "-1", "DB_ACQUIRE_TIMEOUT": "2", "DB_LOCK_TIMEOUT": "-1s", "DB_STATEMENT_TIMEOUT": "soon"} {
		_, err := ParseOverload(func(k string) string {
			if k == name {
				return value
			}
			return ""
		}, "", DefaultOverload())
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: error %v does not name it", name, value, err)
		}
	}
}

// TestOverloadGuardNeverShedsProbes fills a one-request instance and checks
// that another request is shed while its probes and metrics still answer.
func TestOverloadGuardNeverShedsProbes(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/slow" {
			close(entered)
			<-release
		}
		w.WriteHeader(http.StatusOK)
	})
	h := Overload{MaxInFlight: 1}.Guard(inner)
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/v1/slow", nil))
	}()
	<-entered
	defer func() { close(release); <-done }()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/contacts", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("a second request: %d with Retry-After %q, want 503 with one", rec.Code, rec.Header().Get("Retry-After"))
	}
	for _, path := range []string{"/healthz", "/livez", "/readyz", "/metrics"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s while full: %d, want 200", path, rec.Code)
		}
	}
}
