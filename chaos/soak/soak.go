package soak

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/rapport-crm/rapport/chaos/load"
	"github.com/rapport-crm/rapport/chaos/suite"
)

// DefaultBounds are the largest slopes per minute allowed after the
// warm-up: 1 MiB of resident memory, 2 goroutines and 1 open file
// descriptor per minute per process.
var DefaultBounds = map[string]float64{RSS: 1 << 20, Goroutines: 2, FDs: 1}

// Config is a soak run.
type Config struct {
	GatewayURL, PlatformToken string
	Procs                     []Proc
	Duration                  time.Duration // the load's length
	Warmup                    time.Duration // left out of the slopes (default 2m, at most a third of Duration)
	Every                     time.Duration // the sampling period (default 10s)
	Rate                      float64       // 0: half the capacity measured over Measure
	Measure                   time.Duration
	Tenants                   int
	Bounds                    map[string]float64 // per gauge (default DefaultBounds)
	Log                       io.Writer
}

// Result is a soak's figures.
type Result struct {
	Capacity, Rate float64
	Start, End     time.Time
	Warmup         time.Duration
	Minutes        []load.Minute
	ServerErrors   int            // tries answered 5xx or not at all
	Failures       map[string]int // those tries by write and status ("contact.create 503")
	Tries          int
	Counts         map[string]map[load.Outcome]int
	Unsettled      map[string]map[string]int
	Behind         int64
	Trends         []Trend
	Samples        int
	ScrapeErrors   int
}

// P99Ratio is the last minute's p99 over the first's (0 without two
// minutes).
func (r Result) P99Ratio() float64 {
	if len(r.Minutes) < 2 || r.Minutes[0].P99 == 0 {
		return 0
	}
	return float64(r.Minutes[len(r.Minutes)-1].P99) / float64(r.Minutes[0].P99)
}

// OK reports the soak's goals: no server error, the last minute's p99
// within 1.5× the first's, every slope within its bound.
func (r Result) OK() bool {
	if r.ServerErrors > 0 || r.P99Ratio() > 1.5 {
		return false
	}
	for _, t := range r.Trends {
		if !t.WithinBounds {
			return false
		}
	}
	return true
}

// Run runs the soak.
func Run(ctx context.Context, cfg Config) (Result, error) {
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, time.Now().Format("15:04:05 ")+format+"\n", args...)
		}
	}
	if cfg.Every == 0 {
		cfg.Every = 10 * time.Second
	}
	if cfg.Warmup == 0 {
		cfg.Warmup = min(2*time.Minute, cfg.Duration/3)
	}
	if cfg.Bounds == nil {
		cfg.Bounds = DefaultBounds
	}
	if cfg.Tenants == 0 {
		cfg.Tenants = 2
	}
	if cfg.Measure == 0 {
		cfg.Measure = 20 * time.Second
	}
	env, err := suite.Prepare(ctx, cfg.GatewayURL, cfg.PlatformToken, cfg.Tenants, "soak")
	if err != nil {
		return Result{}, err
	}
	defer env.Receiver.Close()
	res := Result{Rate: cfg.Rate, Warmup: cfg.Warmup}
	if res.Rate == 0 {
		res.Capacity = load.Capacity(ctx, env.Worker, env.Tenants, 16, cfg.Measure)
		res.Rate = max(1, res.Capacity/2)
		logf("capacity %.1f ops/s with 16 in flight; the soak runs at %.1f for %s", res.Capacity, res.Rate, cfg.Duration)
	}
	sampler := &Sampler{Procs: cfg.Procs, Every: cfg.Every}
	runner := &load.Runner{Tenants: env.Tenants, Worker: env.Worker, Rate: res.Rate}
	stop, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	sampled := make(chan struct{})
	res.Start = time.Now()
	go func() { sampler.Run(stop); close(sampled) }()
	runner.Run(stop)
	<-sampled
	res.End = time.Now()
	res.Minutes = env.Stats.PerMinute(res.Start, res.End)
	for _, a := range env.Stats.Between(res.Start, res.End.Add(time.Minute)) {
		res.Tries++
		if a.Failed() {
			res.ServerErrors++
		}
	}
	res.Failures = env.Stats.RecoveryAfter(res.Start, res.End.Add(time.Minute)).Failures
	res.Counts, res.Unsettled, res.Behind = env.Ledger.Counts(), env.Ledger.Unsettled(), runner.Behind.Load()
	res.Trends = Trends(sampler.Samples, res.Start.Add(cfg.Warmup), cfg.Bounds)
	res.Samples, res.ScrapeErrors = len(sampler.Samples), sampler.Errors
	logf("soak over: %d tries, %d server errors, p99 last/first %.2f", res.Tries, res.ServerErrors, res.P99Ratio())
	return res, nil
}
