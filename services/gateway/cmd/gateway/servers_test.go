package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestMetricsOnlyOnInternalListener runs the gateway in process and checks
// that /metrics is served on GATEWAY_METRICS_ADDR and answers 404
// problem+json on the public port, while the probes answer on both.
func TestMetricsOnlyOnInternalListener(t *testing.T) {
	db := testkit.Postgres(t)
	addrs := testkit.FreeAddrs(t, 2)
	public, internal := addrs[0], addrs[1]
	env := validEnv()
	env["DATABASE_URL"], env["DATABASE_MIGRATE_URL"] = db.AppURL, db.AdminURL
	env["GATEWAY_ADDR"], env["GATEWAY_METRICS_ADDR"] = public, internal
	env["STATIC_UPSTREAMS"] = "contacts=" + testkit.FreeAddr(t)
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	waiting, stopWaiting := context.WithCancelCause(ctx)
	done := make(chan error, 1)
	go func() {
		err := run(ctx, cfg, slog.New(slog.DiscardHandler))
		stopWaiting(fmt.Errorf("the gateway stopped before it was ready: %v", err))
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	if err := proc.WaitReady(waiting, "http://"+public, time.Minute); err != nil {
		t.Fatal(err)
	}

	get := func(url string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}
	if resp, _ := get("http://" + public + "/metrics"); resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("public GET /metrics = %d %s, want 404 application/problem+json", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, body := get("http://" + internal + "/metrics")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "rapport_http_request_duration_seconds") {
		t.Errorf("metrics GET /metrics = %d, want 200 with the request durations:\n%.500s", resp.StatusCode, body)
	}
	// The pool's statistics and the gateway's own counters are registered.
	for _, want := range []string{`go_sql_open_connections{db_name="gateway"}`, `rapport_gateway_logins_total{method="password",result="failure",service="gateway"} 0`,
		`rapport_gateway_rate_limited_total{kind="tenant",service="gateway"} 0`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /metrics lacks %s", want)
		}
	}
	for _, probe := range []string{"http://" + public + "/healthz", "http://" + internal + "/healthz", "http://" + internal + "/readyz"} {
		if resp, _ := get(probe); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", probe, resp.StatusCode)
		}
	}
}
