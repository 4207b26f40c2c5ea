package main

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// timedCreates runs create for 0 … createWriters×createPerWriter-1, each
// of createWriters writers creating its createPerWriter in turn, and
// returns the creates per second of the whole run and the latency of one
// create; the first error stops it.
func timedCreates(ctx context.Context, create func(ctx context.Context, n int) error) (rate float64, lat latency, err error) {
	var mu sync.Mutex
	var took []time.Duration
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	for w := range createWriters {
		g.Go(func() error {
			mine := make([]time.Duration, 0, createPerWriter)
			for i := range createPerWriter {
				n := w*createPerWriter + i
				t := time.Now()
				if err := create(gctx, n); err != nil {
					return err
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			took = append(took, mine...)
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, latency{}, err
	}
	return float64(createWriters*createPerWriter) / time.Since(start).Seconds(), summarise(took), nil
}
