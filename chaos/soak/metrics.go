// Package soak is the soak: the fault suite's load with no faults for a
// long time, with every process's resident memory, goroutines and open
// file descriptors sampled from its /metrics, their least-squares slopes
// checked against stated bounds, and the latency per minute.
package soak

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Proc is a process whose metrics are sampled.
type Proc struct {
	Name       string
	MetricsURL string // its Prometheus /metrics
}

// The gauges sampled, as the Prometheus default collectors name them.
const (
	RSS        = "process_resident_memory_bytes"
	Goroutines = "go_goroutines"
	FDs        = "process_open_fds"
)

// Gauges are the metrics sampled of every process.
var Gauges = []string{RSS, Goroutines, FDs}

// Sample is one reading of a process's gauges.
type Sample struct {
	At     time.Time
	Proc   string
	Values map[string]float64
}

// scrape reads p's gauges.
func scrape(ctx context.Context, cl *http.Client, p Proc) (Sample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.MetricsURL, nil)
	if err != nil {
		return Sample{}, err
	}
	req.Header.Set("Accept", "text/plain")
	res, err := cl.Do(req)
	if err != nil {
		return Sample{}, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return Sample{}, fmt.Errorf("%s: %s", p.MetricsURL, res.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		return Sample{}, fmt.Errorf("%s: %w", p.MetricsURL, err)
	}
	s := Sample{At: time.Now(), Proc: p.Name, Values: map[string]float64{}}
	for _, g := range Gauges {
		f := fams[g]
		if f == nil || len(f.GetMetric()) == 0 {
			continue
		}
		s.Values[g] = f.GetMetric()[0].GetGauge().GetValue()
	}
	return s, nil
}

// Sampler reads every process's gauges every Every until its context
// ends.
type Sampler struct {
	Procs   []Proc
	Every   time.Duration
	Samples []Sample
	Errors  int // scrapes that failed
}

// Run samples until ctx is done.
func (s *Sampler) Run(ctx context.Context) {
	cl := &http.Client{Timeout: 5 * time.Second}
	tick := time.NewTicker(s.Every)
	defer tick.Stop()
	for {
		for _, p := range s.Procs {
			if smp, err := scrape(ctx, cl, p); err == nil {
				s.Samples = append(s.Samples, smp)
			} else if ctx.Err() == nil {
				s.Errors++
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Trend is a least-squares line through one gauge of one process.
type Trend struct {
	Proc, Gauge  string
	First, Last  float64 // the first and last values fitted
	PerMinute    float64 // the slope
	Points       int
	Bound        float64 // the largest slope allowed per minute
	WithinBounds bool
}

// Slope fits y = a + b·x by least squares and returns b; 0 for fewer than
// two points.
func Slope(x, y []float64) float64 {
	n := float64(len(x))
	if len(x) < 2 {
		return 0
	}
	var sx, sy, sxx, sxy float64
	for i := range x {
		sx += x[i]
		sy += y[i]
		sxx += x[i] * x[i]
		sxy += x[i] * y[i]
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / d
}

// Trends fits every process's gauges over the samples taken after from,
// with x in minutes, each checked against bounds (per gauge, per minute).
func Trends(samples []Sample, from time.Time, bounds map[string]float64) []Trend {
	type key struct{ proc, gauge string }
	xs, ys := map[key][]float64{}, map[key][]float64{}
	var order []key
	for _, s := range samples {
		if s.At.Before(from) {
			continue
		}
		for _, g := range Gauges {
			v, ok := s.Values[g]
			if !ok {
				continue
			}
			k := key{s.Proc, g}
			if _, seen := xs[k]; !seen {
				order = append(order, k)
			}
			xs[k] = append(xs[k], s.At.Sub(from).Minutes())
			ys[k] = append(ys[k], v)
		}
	}
	var out []Trend
	for _, k := range order {
		y := ys[k]
		t := Trend{Proc: k.proc, Gauge: k.gauge, First: y[0], Last: y[len(y)-1], PerMinute: Slope(xs[k], y), Points: len(y), Bound: bounds[k.gauge]}
		t.WithinBounds = t.PerMinute <= t.Bound
		out = append(out, t)
	}
	return out
}
