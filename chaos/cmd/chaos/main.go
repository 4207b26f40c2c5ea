// Command chaos is `make chaos`: it starts the whole platform as `make run`
// does with two replicas of every service and of the gateway
// (chaos/platform), runs the fault suite under the load (chaos/suite) and
// writes the report (bench/chaos.md).
//
//	go run ./chaos/cmd/chaos [-out bench/chaos.md] [-short] [-rate N] [-replicas 2] [-repo dir]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/rapport-crm/rapport/chaos/platform"
	"github.com/rapport-crm/rapport/chaos/suite"
)

func main() {
	out := flag.String("out", "bench/chaos.md", "where the report is written")
	short := flag.Bool("short", false, "kill one replica of contacts and of the gateway only (the make test version)")
	rate := flag.Float64("rate", 0, "operations per second (0: half the measured capacity)")
	replicas := flag.Int("replicas", 2, "processes per service and of the gateway")
	repo := flag.String("repo", "", "the repository whose platform is built and run (default: this one)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *repo, *out, !*short, *rate, *replicas); err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
}

// run starts the platform, runs the suite and writes the report.
func run(ctx context.Context, repo, out string, full bool, rate float64, replicas int) error {
	p, err := platform.Start(ctx, platform.Options{RepoRoot: repo, Replicas: replicas, Env: suite.PlatformEnv})
	if err != nil {
		return err
	}
	defer p.Stop()
	cfg, err := suite.For(ctx, p, full)
	if err != nil {
		return err
	}
	cfg.Rate, cfg.Log = rate, os.Stderr
	res, err := suite.Run(ctx, cfg)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	res.Markdown(f, "Fault suite (make chaos)", fmt.Sprintf("`make chaos` started the platform as `make run` does with %d replicas of every service and of the gateway "+
		"behind the launcher's balancing door, ran the mixed load of the public API through it at half its measured capacity, injected each fault in turn "+
		"and reconciled every tenant afterwards (chaos/suite, chaos/load, chaos/reconcile). Written %s.", replicas, time.Now().UTC().Format(time.RFC3339)))
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "chaos: wrote", out)
	return nil
}
