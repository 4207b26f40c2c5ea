// Command soak is `make soak`: it starts the whole platform as `make run`
// does with two replicas of every service and of the gateway
// (chaos/platform), runs the fault suite's load with no faults for
// -duration (10 minutes) while sampling every process's /metrics, and
// writes the report (bench/soak.md).
//
//	go run ./chaos/cmd/soak [-duration 10m] [-out bench/soak.md] [-rate N]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/rapport-crm/rapport/chaos/platform"
	"github.com/rapport-crm/rapport/chaos/soak"
	"github.com/rapport-crm/rapport/chaos/suite"
)

func main() {
	out := flag.String("out", "bench/soak.md", "where the report is written")
	duration := flag.Duration("duration", 10*time.Minute, "how long the load runs")
	rate := flag.Float64("rate", 0, "operations per second (0: half the measured capacity)")
	replicas := flag.Int("replicas", 2, "processes per service and of the gateway")
	repo := flag.String("repo", "", "the repository whose platform is built and run (default: this one)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *repo, *out, *duration, *rate, *replicas); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

// run starts the platform, soaks it and writes the report.
func run(ctx context.Context, repo, out string, d time.Duration, rate float64, replicas int) error {
	p, err := platform.Start(ctx, platform.Options{RepoRoot: repo, Replicas: replicas, Env: suite.PlatformEnv})
	if err != nil {
		return err
	}
	defer p.Stop()
	procs, err := p.Processes(ctx)
	if err != nil {
		return err
	}
	var sp []soak.Proc
	for _, pr := range procs {
		if pr.MetricsURL != "" {
			sp = append(sp, soak.Proc{Name: pr.Name, MetricsURL: pr.MetricsURL})
		}
	}
	res, err := soak.Run(ctx, soak.Config{GatewayURL: p.GatewayURL, PlatformToken: p.PlatformToken, Procs: sp, Duration: d, Rate: rate, Log: os.Stderr})
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	res.Markdown(f, "Soak (make soak)", fmt.Sprintf("`make soak` started the platform as `make run` does with %d replicas of every service and of the gateway, "+
		"ran the fault suite's mixed load through it with no faults, sampled every process's /metrics every 10 s "+
		"(chaos/soak) and fitted a least-squares line through each gauge after the warm-up. Written %s.", replicas, time.Now().UTC().Format(time.RFC3339)))
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "soak: wrote", out)
	if !res.OK() {
		return fmt.Errorf("a goal was missed (see %s)", out)
	}
	return nil
}
