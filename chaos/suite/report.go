package suite

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/chaos/load"
)

// mark renders a goal's verdict.
func mark(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

// secs renders d in seconds.
func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

// Markdown writes the run's report: the load, each fault with its
// recovery, the ledger and the reconciliation, each goal beside its
// figure.
func (r Result) Markdown(w io.Writer, title, how string) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	lost, dup, extra := r.Reconcile.Totals()
	p("# %s", title)
	p("")
	p("%s", how)
	p("")
	p("Run %s → %s (%s of load), tenants %s.", r.Start.UTC().Format(time.RFC3339), r.End.UTC().Format("15:04:05"),
		r.End.Sub(r.Start).Round(time.Second), strings.Join(r.Tenants, ", "))
	if r.Capacity > 0 {
		p("Capacity measured: %.1f operations/s (the mix back to back, 16 in flight); the load ran at %.1f/s (half).", r.Capacity, r.Rate)
	} else {
		p("The load ran at %.1f operations/s (stated).", r.Rate)
	}
	p("%d operations done, %d not sent because 32 were in flight; %d HTTP tries, %d seen failing by clients (no answer or 5xx, then retried).", r.Done, r.Behind, r.Tries, r.Errors)
	p("")
	p("## Goals")
	p("")
	p("| goal | figure | verdict |")
	p("|---|---|---|")
	p("| 0 acknowledged writes lost | %d | %s |", lost, mark(lost == 0))
	p("| 0 duplicated effects | %d | %s |", dup, mark(dup == 0))
	p("| 0 effects of rejected writes, 0 events beside the poison in DLQs | %d | %s |", extra, mark(extra == 0))
	for _, f := range r.Faults {
		if f.Goal > 0 {
			p("| recovery ≤ %s after %s | %s | %s |", secs(f.Goal), f.Name, secs(f.Recovery.Clear), mark(f.Met()))
		}
	}
	p("")
	p("## Faults")
	p("")
	p("Recovery is the time from the fault's start to the end of the last try a client saw fail (0 when none failed); the first 2xx is counted from the moment the fault was over (process ready again, broker or database up).")
	p("")
	p("| fault | injection took | tries failed / sent | failed tries (write, status; 0 = no answer) | recovery | first 2xx after | error |")
	p("|---|---|---|---|---|---|---|")
	for _, f := range r.Faults {
		e := ""
		if f.Err != nil {
			e = f.Err.Error()
		}
		var kinds []string
		for k, n := range f.Recovery.Failures {
			kinds = append(kinds, fmt.Sprintf("%s ×%d", k, n))
		}
		slices.Sort(kinds)
		p("| %s | %s | %d / %d | %s | %s | %s | %s |", f.Name, secs(f.Took), f.Recovery.Errors, f.Recovery.Tries, strings.Join(kinds, ", "),
			secs(f.Recovery.Clear), secs(f.AfterRestart), e)
	}
	p("")
	writeLedger(w, r.Counts, r.Unsettled)
	p("## Reconciliation")
	p("")
	p("After the load stopped, the checks ran until they passed or the consumers' time was over (%s).", r.Reconcile.Settled.Round(time.Second))
	p("")
	p("| tenant | check | want | got | lost | duplicated | extra | detail |")
	p("|---|---|---|---|---|---|---|---|")
	for _, c := range r.Reconcile.Checks {
		p("| %s | %s | %d | %d | %d | %d | %d | %s |", c.Tenant, c.Name, c.Want, c.Got, c.Lost, c.Duplicated, c.Extra, strings.ReplaceAll(c.Detail, "|", "/"))
	}
	p("")
	var slugs []string
	for s := range r.Reconcile.Redeliveries {
		slugs = append(slugs, s)
	}
	slices.Sort(slugs)
	for _, s := range slugs {
		p("Webhook redeliveries (at-least-once, an event delivered again): %s %d.", s, r.Reconcile.Redeliveries[s])
	}
}

// writeLedger writes the ledger's outcomes per kind, with the last
// statuses of those not acknowledged.
func writeLedger(w io.Writer, counts map[string]map[load.Outcome]int, unsettled map[string]map[string]int) {
	fmt.Fprintf(w, "## Ledger\n\n| write | acknowledged | rejected | unknown | not acknowledged, by last status (0: no answer) |\n|---|---|---|---|---|\n")
	var kinds []string
	for k := range counts {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		c := counts[k]
		var st []string
		for s, n := range unsettled[k] {
			st = append(st, fmt.Sprintf("%s ×%d", s, n))
		}
		slices.Sort(st)
		fmt.Fprintf(w, "| %s | %d | %d | %d | %s |\n", k, c[load.Acked], c[load.Rejected], c[load.Unknown], strings.Join(st, ", "))
	}
	fmt.Fprintln(w)
}

// WriteLedger writes the ledger's outcomes per kind (for the soak's
// report).
func WriteLedger(w io.Writer, counts map[string]map[load.Outcome]int, unsettled map[string]map[string]int) {
	writeLedger(w, counts, unsettled)
}
