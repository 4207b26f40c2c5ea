package soak

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/chaos/suite"
)

// Markdown writes the soak's report, each goal beside its figure.
func (r Result) Markdown(w io.Writer, title, how string) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**missed**"
	}
	p("# %s", title)
	p("")
	p("%s", how)
	p("")
	p("Run %s, %s of load at %.1f operations/s", r.Start.UTC().Format(time.RFC3339), r.End.Sub(r.Start).Round(time.Second), r.Rate)
	if r.Capacity > 0 {
		p("(half of the %.1f/s measured with the mix back to back, 16 in flight).", r.Capacity)
	}
	p("%d HTTP tries; %d operations not sent because 32 were in flight; %d samples of every process's /metrics (%d scrapes failed).", r.Tries, r.Behind, r.Samples, r.ScrapeErrors)
	p("")
	p("## Goals")
	p("")
	p("| goal | figure | verdict |")
	p("|---|---|---|")
	var failed []string
	for k, n := range r.Failures {
		failed = append(failed, fmt.Sprintf("%s ×%d", k, n))
	}
	slices.Sort(failed)
	p("| 0 server errors (5xx or no answer) | %d %s | %s |", r.ServerErrors, strings.Join(failed, ", "), verdict(r.ServerErrors == 0))
	ratio := r.P99Ratio()
	p("| p99 of the last minute ≤ 1.5× the first | %.2f× | %s |", ratio, verdict(ratio <= 1.5))
	worst := map[string]Trend{}
	for _, t := range r.Trends {
		if w, ok := worst[t.Gauge]; !ok || t.PerMinute > w.PerMinute {
			worst[t.Gauge] = t
		}
	}
	for _, g := range Gauges {
		if t, ok := worst[g]; ok {
			p("| %s slope ≤ %s/min per process after %s (worst: %s) | %s/min | %s |", g, num(g, t.Bound), r.Warmup, t.Proc, num(g, t.PerMinute), verdict(t.WithinBounds))
		}
	}
	p("")
	p("## Latency per minute (writes, answered tries)")
	p("")
	p("| minute | tries | failed | p50 | p99 |")
	p("|---|---|---|---|---|")
	for i, m := range r.Minutes {
		p("| %d | %d | %d | %s | %s |", i+1, m.Tries, m.Errors, m.P50.Round(time.Millisecond), m.P99.Round(time.Millisecond))
	}
	p("")
	p("## Processes (least-squares slope after the warm-up)")
	p("")
	p("| process | gauge | first | last | slope/min | bound | verdict |")
	p("|---|---|---|---|---|---|---|")
	for _, t := range r.Trends {
		p("| %s | %s | %s | %s | %s | %s | %s |", t.Proc, t.Gauge, num(t.Gauge, t.First), num(t.Gauge, t.Last), num(t.Gauge, t.PerMinute), num(t.Gauge, t.Bound), verdict(t.WithinBounds))
	}
	p("")
	suite.WriteLedger(w, r.Counts, r.Unsettled)
}

// num renders a gauge's value: bytes in MiB, the others as numbers.
func num(gauge string, v float64) string {
	if gauge == RSS {
		return fmt.Sprintf("%.2f MiB", v/(1<<20))
	}
	return fmt.Sprintf("%.1f", v)
}
