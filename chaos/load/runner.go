package load

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Runner sends the mix at a steady rate over its tenants.
type Runner struct {
	Tenants     []*Tenant
	Worker      *Worker
	Rate        float64 // operations per second
	Concurrency int     // the most operations in flight (default 32)
	// Behind counts the operations not sent because Concurrency were in
	// flight: the platform was slower than the rate.
	Behind atomic.Int64
	// Done counts the operations finished.
	Done atomic.Int64
}

// choose picks an operation of Mix by weight.
func choose() Op {
	total := 0
	for _, o := range Mix {
		total += o.Weight
	}
	n := rand.IntN(total)
	for _, o := range Mix {
		if n < o.Weight {
			return o
		}
		n -= o.Weight
	}
	return Mix[0]
}

// Run sends operations at r.Rate until stop is done, then waits for those
// in flight to end (they run on a context of their own, so that stopping
// leaves no write of unknown outcome behind).
func (r *Runner) Run(stop context.Context) {
	conc := r.Concurrency
	if conc <= 0 {
		conc = 32
	}
	slots := make(chan struct{}, conc)
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Duration(float64(time.Second) / r.Rate))
	defer tick.Stop()
	work := context.WithoutCancel(stop)
	for i := 0; ; i++ {
		select {
		case <-stop.Done():
			wg.Wait()
			return
		case <-tick.C:
		}
		select {
		case slots <- struct{}{}:
		default:
			r.Behind.Add(1)
			continue
		}
		t := r.Tenants[i%len(r.Tenants)]
		op := choose()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			op.Run(work, r.Worker, t)
			r.Done.Add(1)
		}()
	}
}

// Capacity measures the operations per second the platform completes with
// workers operations always in flight, over d: the mix sent back to back.
func Capacity(ctx context.Context, w *Worker, tenants []*Tenant, workers int, d time.Duration) float64 {
	var done atomic.Int64
	stop, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := tenants[i%len(tenants)]
			for stop.Err() == nil {
				choose().Run(context.WithoutCancel(ctx), w, t)
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(done.Load()) / time.Since(start).Seconds()
}
