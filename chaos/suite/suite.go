// Package suite is the fault suite: under the load's steady mix (package
// load) at about half the platform's measured capacity, it injects each
// fault in turn (SIGKILL and restart of service and gateway replicas, a
// broker restart, an immediate PostgreSQL restart, a consumer paused past
// its session timeout, a poison event), measures what the clients saw,
// then reconciles every tenant (package reconcile) and writes the report.
package suite

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/rapport-crm/rapport/chaos/load"
	"github.com/rapport-crm/rapport/chaos/reconcile"
)

// Config is a run of the suite.
type Config struct {
	GatewayURL    string
	PlatformToken string
	Brokers       []string
	Databases     map[string]string // each service's database (admin DSN)
	Injector      Injector
	// Faults returns the faults to inject, in order; poison is where the
	// Poison fault leaves its event's id, tenant the id of the tenant
	// whose header it carries.
	Faults func(tenant string, poison *string) []Fault
	// Tenants is how many tenants the load writes to (default 2).
	Tenants int
	// Measure is how long capacity is measured (default 20s); Rate, when
	// set, is used instead of half the capacity measured.
	Measure time.Duration
	Rate    float64
	// Warmup is the load before the first fault (default 10s); Window the
	// time watched after each fault is over (default 10s).
	Warmup, Window time.Duration
	// Settle is the reconciliation's time to wait for the consumers.
	Settle time.Duration
	Log    io.Writer // progress (nil: none)
}

// FaultResult is one fault's figures.
type FaultResult struct {
	Name     string
	Goal     time.Duration
	Start    time.Time
	Took     time.Duration // the injection, restart included
	Recovery load.Recovery
	// AfterRestart is the time from the end of the injection (the process
	// back, the broker or database up) to the first 2xx.
	AfterRestart time.Duration
	Err          error
}

// Met reports whether the recovery met the goal (no goal: true).
func (f FaultResult) Met() bool { return f.Err == nil && (f.Goal == 0 || f.Recovery.Clear <= f.Goal) }

// Result is a run's figures.
type Result struct {
	Capacity, Rate float64
	Tenants        []string
	Start, End     time.Time
	Faults         []FaultResult
	Counts         map[string]map[load.Outcome]int
	Unsettled      map[string]map[string]int // the rejected and unknown writes' last statuses
	Done, Behind   int64
	Tries, Errors  int // every try of the load, and those that failed
	Reconcile      reconcile.Result
}

// Run sets the tenants up, measures capacity, runs the load with the
// faults and reconciles.
func Run(ctx context.Context, cfg Config) (Result, error) {
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, time.Now().Format("15:04:05 ")+format+"\n", args...)
		}
	}
	if cfg.Tenants == 0 {
		cfg.Tenants = 2
	}
	if cfg.Measure == 0 {
		cfg.Measure = 20 * time.Second
	}
	if cfg.Warmup == 0 {
		cfg.Warmup = 10 * time.Second
	}
	if cfg.Window == 0 {
		cfg.Window = 10 * time.Second
	}
	env, err := Prepare(ctx, cfg.GatewayURL, cfg.PlatformToken, cfg.Tenants, "chaos")
	if err != nil {
		return Result{}, err
	}
	defer env.Receiver.Close()
	res := Result{Rate: cfg.Rate}
	for _, t := range env.Tenants {
		res.Tenants = append(res.Tenants, t.Slug)
	}
	if res.Rate == 0 {
		res.Capacity = load.Capacity(ctx, env.Worker, env.Tenants, 16, cfg.Measure)
		res.Rate = max(1, res.Capacity/2)
		logf("capacity %.1f ops/s with 16 in flight; the load runs at %.1f", res.Capacity, res.Rate)
	}
	var poison string
	faults := cfg.Faults(env.Tenants[0].ID, &poison)
	runner := &load.Runner{Tenants: env.Tenants, Worker: env.Worker, Rate: res.Rate}
	stop, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	res.Start = time.Now()
	go func() { runner.Run(stop); close(finished) }()
	time.Sleep(cfg.Warmup)
	for _, f := range faults {
		logf("fault: %s", f.Name)
		fr := FaultResult{Name: f.Name, Goal: f.Goal, Start: time.Now()}
		fr.Err = f.Inject(ctx, cfg.Injector)
		fr.Took = time.Since(fr.Start)
		back := time.Now()
		time.Sleep(cfg.Window)
		// Watch on while the clients still see errors (at most a minute),
		// so that a slow recovery is not put down to the next fault.
		for quiet := time.Now(); time.Since(quiet) < time.Minute && env.Stats.RecoveryAfter(time.Now().Add(-3*time.Second), time.Now()).Errors > 0; {
			time.Sleep(time.Second)
		}
		fr.Recovery = env.Stats.RecoveryAfter(fr.Start, time.Now())
		fr.AfterRestart = env.Stats.RecoveryAfter(back, time.Now()).FirstSuccess
		logf("  took %s, %d of %d tries failed %v, errors clear after %s, first 2xx %s after it was over (err %v)",
			fr.Took.Round(time.Millisecond), fr.Recovery.Errors, fr.Recovery.Tries, fr.Recovery.Failures, fr.Recovery.Clear.Round(time.Millisecond),
			fr.AfterRestart.Round(time.Millisecond), fr.Err)
		res.Faults = append(res.Faults, fr)
	}
	cancel()
	<-finished
	res.End = time.Now()
	res.Done, res.Behind = runner.Done.Load(), runner.Behind.Load()
	for _, a := range env.Stats.Between(res.Start, res.End.Add(time.Minute)) {
		res.Tries++
		if a.Failed() {
			res.Errors++
		}
	}
	res.Counts, res.Unsettled = env.Ledger.Counts(), env.Ledger.Unsettled()
	logf("load over: %d operations, %d tries (%d failed); reconciling", res.Done, res.Tries, res.Errors)
	res.Reconcile, err = reconcile.Run(ctx, reconcile.Config{Client: env.Client, Tenants: env.Tenants, Entries: env.Ledger.Entries(),
		Databases: cfg.Databases, Brokers: cfg.Brokers, Receiver: env.Receiver, Poison: poison, Settle: cfg.Settle})
	if err != nil {
		return res, fmt.Errorf("reconcile: %w", err)
	}
	lost, dup, extra := res.Reconcile.Totals()
	logf("reconciled in %s: %d lost, %d duplicated, %d extra", res.Reconcile.Settled.Round(time.Second), lost, dup, extra)
	return res, nil
}

// Env is the load's set-up: its tenants (each with a webhook subscription
// to the receiver), client, ledger and statistics.
type Env struct {
	Tenants  []*load.Tenant
	Client   *load.Client
	Worker   *load.Worker
	Ledger   *load.Ledger
	Stats    *load.Stats
	Receiver *load.Receiver
}

// Prepare makes n tenants named <prefix>-<random>-<i> through the gateway
// at gatewayURL, each subscribed to a local webhook receiver.
func Prepare(ctx context.Context, gatewayURL, platformToken string, n int, prefix string) (*Env, error) {
	env := &Env{Ledger: &load.Ledger{}, Stats: &load.Stats{}}
	env.Client = load.NewClient(gatewayURL, env.Stats.Observe)
	env.Worker = &load.Worker{Client: env.Client, Ledger: env.Ledger}
	recv, err := load.NewReceiver()
	if err != nil {
		return nil, err
	}
	env.Receiver = recv
	run := load.NewKey()[:6]
	for i := range n {
		slug := fmt.Sprintf("%s-%s-%d", prefix, run, i+1)
		t, _, err := load.NewTenant(ctx, env.Client, platformToken, slug, recv.URL(slug))
		if err != nil {
			recv.Close()
			return nil, err
		}
		env.Tenants = append(env.Tenants, t)
	}
	return env, nil
}
