package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/libs/version"
)

// TestGatewayWaitsForMigrate runs the gateway without DATABASE_MIGRATE_URL
// on an empty database: it answers the probes but is not ready (/readyz
// says to run `gateway migrate`) and its API answers 503; after
// `gateway migrate` it becomes ready and reads its tables as the runtime
// role.
func TestGatewayWaitsForMigrate(t *testing.T) {
	db := testkit.Postgres(t)
	addrs := testkit.FreeAddrs(t, 2)
	public, internal := addrs[0], addrs[1]
	env := validEnv()
	env["DATABASE_URL"] = db.AppURL
	env["GATEWAY_ADDR"], env["GATEWAY_METRICS_ADDR"] = public, internal
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})

	get := func(url string, header ...string) (int, string) {
		req, err := http.NewRequest("GET", url, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	testkit.Eventually(t, time.Minute, "/readyz saying to run gateway migrate", func() (bool, string) {
		code, body := get("http://" + internal + "/readyz")
		var report struct{ Checks map[string]string }
		_ = json.Unmarshal([]byte(body), &report)
		return code == http.StatusServiceUnavailable &&
			strings.HasPrefix(report.Checks["migrations"], "database schema not migrated: run `gateway migrate` (pending: gateway: "), fmt.Sprint(code, " ", body)
	})
	if code, body := get("http://"+public+"/admin/v1/tenants", "Authorization", "Bearer "+env["GATEWAY_PLATFORM_TOKEN"]); code != http.StatusServiceUnavailable || !strings.Contains(body, "starting") {
		t.Errorf("the API before gateway migrate: %d %s, want 503 starting", code, body)
	}

	var out bytes.Buffer
	cli := starter.CLI{Schema: schema(), Serve: func() int { t.Error("served"); return 0 }, Stdout: &out, Stderr: &out,
		Getenv: func(k string) string {
			return map[string]string{"DATABASE_URL": db.AppURL, "DATABASE_MIGRATE_URL": db.AdminURL}[k]
		}}
	if code := cli.Run([]string{"migrate"}); code != 0 {
		t.Fatalf("gateway migrate: exit %d\n%s", code, &out)
	}
	if err := proc.WaitReady(ctx, "http://"+public, time.Minute); err != nil {
		t.Fatal(err)
	}
	if code, body := get("http://"+public+"/admin/v1/tenants", "Authorization", "Bearer "+env["GATEWAY_PLATFORM_TOKEN"]); code != http.StatusOK {
		t.Errorf("GET /admin/v1/tenants after gateway migrate: %d %s", code, body)
	}
}

// TestGatewayCommandLine checks `gateway version` and an unknown command.
func TestGatewayCommandLine(t *testing.T) {
	var out, errOut bytes.Buffer
	cli := starter.CLI{Schema: schema(), Serve: func() int { t.Error("served"); return 0 }, Stdout: &out, Stderr: &errOut}
	if code := cli.Run([]string{"version"}); code != 0 || out.String() != version.String("gateway")+"\n" || !strings.HasPrefix(out.String(), "gateway ") {
		t.Errorf("gateway version: exit %d, %q", code, &out)
	}
	if code := cli.Run([]string{"migrat"}); code != 2 || !strings.Contains(errOut.String(), "usage: gateway [version | migrate]") {
		t.Errorf("gateway migrat: exit %d, %q; want 2 and the usage", code, &errOut)
	}
}
