package main

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"runtime"
	"sync"
	"time"
)

// phaseCost is what one phase of part 6 (the many tenants' provisioning,
// or their deletion) cost beside its time.
type phaseCost struct {
	Wall time.Duration
	// Requests are the operator's API requests by HTTP method, Reconciles
	// its reconciles by result.
	Requests, Reconciles counts
	// APIMean is the API server's mean time per request (every client's,
	// WATCH aside) and APIRequests their number.
	APIMean     time.Duration
	APIRequests float64
	// CPU is the CPU seconds of each process taking part; MachineBusy the
	// share of all the machine's cores busy, whoever used them.
	CPU         counts
	MachineBusy float64
	PG          pgCounters
	Activity    activity
}

// probes measure a phase from outside the operator: its metrics endpoint,
// the API server's metrics, /proc and PostgreSQL.
type probes struct {
	kc                 kubectl
	metricsAddr        string
	operatorPid, gwPid int
	db                 *sql.DB // the bench's own session on the server
}

// snapshot is the probes' cumulative counters at one moment.
type snapshot struct {
	op  operatorMetrics
	api apiLatency
	cpu cpuUse
	pg  pgCounters
}

func (p probes) snap(ctx context.Context) (s snapshot, err error) {
	var errs [4]error
	s.op, errs[0] = scrapeOperator(ctx, p.metricsAddr)
	s.api, errs[1] = scrapeAPIServer(ctx, p.kc)
	s.cpu, errs[2] = readCPU(p.operatorPid, p.gwPid)
	s.pg, errs[3] = readPGCounters(ctx, p.db)
	return s, errors.Join(errs[:]...)
}

// phase runs fn, sampling PostgreSQL's sessions and the CPU time of its
// processes meanwhile, and returns what it cost.
func (p probes) phase(ctx context.Context, fn func() error) (phaseCost, error) {
	before, err := p.snap(ctx)
	if err != nil {
		return phaseCost{}, err
	}
	stop := sampleActivity(ctx, p.db)
	stopCPU := p.samplePostgresCPU()
	err = fn()
	act, seen := stop(), stopCPU()
	if err != nil {
		return phaseCost{}, err
	}
	after, err := p.snap(ctx)
	if err != nil {
		return phaseCost{}, err
	}
	maps.Copy(seen, after.cpu.postgres)
	after.cpu.postgres = seen
	wall := after.cpu.At.Sub(before.cpu.At)
	return phaseCost{
		Wall:        wall,
		Requests:    after.op.Requests.sub(before.op.Requests),
		Reconciles:  after.op.Reconciles.sub(before.op.Reconciles),
		APIMean:     after.api.mean(before.api),
		APIRequests: after.api.Count - before.api.Count,
		CPU:         after.cpu.sub(before.cpu, act.Pids),
		MachineBusy: (after.cpu.Machine - before.cpu.Machine) / wall.Seconds() / float64(runtime.NumCPU()),
		PG:          after.pg.sub(before.pg),
		Activity:    act,
	}, nil
}

// samplePostgresCPU reads the CPU time of every postgres process every
// activityEvery until the returned stop is called, which returns the last
// seen of each: so backends that end during the phase count too.
func (p probes) samplePostgresCPU() (stop func() map[[2]uint64]float64) {
	var (
		seen = map[[2]uint64]float64{}
		wg   sync.WaitGroup
		end  = make(chan struct{})
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(activityEvery)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
			case <-end:
				return
			}
			if u, err := readCPU(p.operatorPid, p.gwPid); err == nil {
				maps.Copy(seen, u.postgres)
			}
		}
	}()
	return func() map[[2]uint64]float64 {
		close(end)
		wg.Wait()
		return seen
	}
}
