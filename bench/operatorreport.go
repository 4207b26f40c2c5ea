package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/proc"
)

// runOperatorOnly measures part 6 alone and prints its section; results.md
// is left as it is.
func runOperatorOnly(ctx context.Context) error {
	root, err := proc.RepoRoot()
	if err != nil {
		return err
	}
	r, err := measureOperator(ctx, root)
	if err != nil {
		return err
	}
	writeOperatorSection(os.Stdout, r)
	return nil
}

// realAPILatencies are API server times per request the scaling estimate
// works through: a busy envtest, a healthy managed cluster, a loaded one.
var realAPILatencies = []time.Duration{5 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond}

// writeOperatorSection renders part 6 of bench/results.md.
func writeOperatorSection(w io.Writer, r operatorRun) {
	n, svcs := r.Tenants, strings.Join(r.Services, ", ")
	fmt.Fprintf(w, "## 6. Operator: tenants from `kubectl apply` to Ready\n\n")
	fmt.Fprintf(w, "The real `operator/cmd` binary with its default configuration (`MAX_CONCURRENT_RECONCILES` %d; `TENANT_SERVICES` unset, so every built service of libs/registry: %s) against a kube-apiserver and etcd started by envtest (the binaries of `make tools`; its Service IP range widened from envtest's /24, which holds 254 Services, to %s, since every tenant takes a ClusterIP per service), the local PostgreSQL, an in-process Kafka of %d brokers and the real gateway binary. Each Tenant is dedicated, written as a platform team would (the CRD's defaults: 2 replicas, 6 partitions, replication factor 3): its namespace; per service (%d) a database with two roles and their Secret and six workload objects; %d topics; its gateway record with the first administrator's invitation. Ready is the `Ready` phase for the current generation, seen through a watch; envtest runs no kubelet, so it means every object applied and every external step done, not pods running (operator/README.md).\n\n",
		operatorConcurrency, svcs, operatorServiceRange, operatorKafka, len(r.Services), r.Topics)
	fmt.Fprintf(w, "| measurement | time | goal |\n|---|---:|---|\n")
	fmt.Fprintf(w, "| one tenant, `kubectl apply` → Ready (of which `kubectl apply` %s) | %s | ≤ %s %s |\n", ms(r.OneApply), ms(r.One), goalOneTenant, verdict(r.One <= goalOneTenant))
	fmt.Fprintf(w, "| %d tenants in one `kubectl apply` → the last Ready (of which `kubectl apply` %s) | %s | ≤ %s %s |\n", n, secs(r.ManyApply), secs(r.Many), goalManyTenants, verdict(r.Many <= goalManyTenants))
	fmt.Fprintf(w, "| the same, each tenant's own time to Ready p50 / p99 | %s / %s | — |\n", secs(r.ManyP50), secs(r.ManyP99))
	fmt.Fprintf(w, "| `kubectl delete tenants --all` of the %d → every finalizer done (%d databases and their roles dropped, topics and gateway records deleted; %d left) | %s | — |\n\n", n+1, r.Databases+len(r.Services), r.Left, secs(r.Delete))

	fmt.Fprintf(w, "What the %d tenants cost beside the time, measured from outside the operator: its metrics endpoint (controller-runtime's `rest_client_requests_total`, `controller_runtime_reconcile_total`), the API server's `apiserver_request_duration_seconds`, /proc, and `pg_stat_activity` sampled every %s.\n\n", n, activityEvery)
	c, d := r.Create, r.Teardown
	perTenant := func(p phaseCost, tenants int) string {
		return fmt.Sprintf("%.1f (%s)", p.Requests.total()/float64(tenants), byKey(p.Requests, tenants, "%.1f"))
	}
	fmt.Fprintf(w, "| | provisioning %d | deleting %d |\n|---|---|---|\n", n, n+1)
	fmt.Fprintf(w, "| the operator's API requests per tenant (by method) | %s | %s |\n", perTenant(c, n), perTenant(d, n+1))
	fmt.Fprintf(w, "| its reconciles (by result) | %s | %s |\n", byKey(c.Reconciles, 1, "%.0f"), byKey(d.Reconciles, 1, "%.0f"))
	fmt.Fprintf(w, "| the API server's mean time per request (all clients, WATCH aside; requests) | %s (%.0f) | %s (%.0f) |\n", ms(c.APIMean), c.APIRequests, ms(d.APIMean), d.APIRequests)
	fmt.Fprintf(w, "| CPU seconds by process (postgres: the operator's sessions and the server's checkpointer, WAL writer and background writer, sampled every %s) | %s | %s |\n", activityEvery, byKey(c.CPU, 1, "%.1f"), byKey(d.CPU, 1, "%.1f"))
	fmt.Fprintf(w, "| the machine's %d cores busy (everyone's work) | %.0f %% | %.0f %% |\n", runtime.NumCPU(), 100*c.MachineBusy, 100*d.MachineBusy)
	fmt.Fprintf(w, "| PostgreSQL sessions at the peak: all / the operator's (its pool: %d per admin DSN) | %d / %d | %d / %d |\n", operatorPool, c.Activity.PeakAll, c.Activity.PeakOperator, d.Activity.PeakAll, d.Activity.PeakOperator)
	fmt.Fprintf(w, "| the operator's sessions running a statement, on average (of its pool of %d) | %.2f | %.2f |\n", operatorPool, c.Activity.busy(), d.Activity.busy())
	fmt.Fprintf(w, "| PostgreSQL sessions opened on the admin DSN's database (the operator's and the bench's) | %d | %d |\n", c.PG.Sessions, d.PG.Sessions)
	fmt.Fprintf(w, "| PostgreSQL checkpoints; WAL written | %d; %s | %d; %s |\n", c.PG.Checkpoints, size(c.PG.WAL), d.PG.Checkpoints, size(d.PG.WAL))
	fmt.Fprintf(w, "| samples in which the checkpointer was writing | %s | %s |\n\n", share(c.Activity.Checkpointer, c.Activity.Samples), share(d.Activity.Checkpointer, d.Activity.Samples))
	fmt.Fprintf(w, "The operator's peak memory (VmHWM, over the whole run): %s. The %d databases of the %d tenants took %s on disk at the last Ready (%s each).\n\n",
		size(int64(r.PeakRSS)), r.Databases, n, size(r.DataBytes), size(r.DataBytes/int64(max(r.Databases, 1))))

	fmt.Fprintf(w, "What the operator's PostgreSQL sessions were running (statement · wait event, or on CPU; how many of its sessions, at most %d, were at it on average over the %d samples while provisioning and the %d while deleting):\n\n",
		operatorPool, c.Activity.Samples, d.Activity.Samples)
	for _, ph := range []struct {
		name string
		a    activity
	}{{"provisioning", c.Activity}, {"deleting", d.Activity}} {
		var parts []string
		for _, k := range busiest(ph.a.Busy, 6) {
			parts = append(parts, fmt.Sprintf("%s %.2f", k, float64(ph.a.Busy[k])/float64(max(ph.a.Samples, 1))))
		}
		if len(parts) == 0 {
			parts = []string{"none seen"}
		}
		fmt.Fprintf(w, "- %s: %s\n", ph.name, strings.Join(parts, "; "))
	}
	fmt.Fprintln(w)

	perT := c.Requests.total() / float64(n)
	fmt.Fprintf(w, "On a real cluster: the operator sets no client QPS or burst, and controller-runtime's `ctrl.GetConfig` turns client-go's rate limiter off (QPS −1) and leaves the pacing to the API server's priority and fairness; its ServiceAccount's requests fall in the `workload-low` priority level, which holds about 245 of a default server's 600 seats (100 of the 245 concurrency shares of the default priority levels), far above the %d requests the %d workers can have in flight. So each worker waits on one request at a time and the API time of the run is about tenants × requests per tenant × time per request ÷ workers. Here that is %d × %.1f × %s ÷ %d = %s of the %s. ",
		operatorConcurrency, operatorConcurrency, n, perT, ms(c.APIMean), operatorConcurrency, secs(apiTime(n, perT, c.APIMean)), secs(r.Many))
	var est []string
	for _, l := range realAPILatencies {
		est = append(est, fmt.Sprintf("%s per request: %s", l, secs(apiTime(n, perT, l))))
	}
	fmt.Fprintf(w, "With a real API server's time per request (etcd's replicated writes, admission, a network hop) it would be %s of API time, on top of what PostgreSQL, Kafka and the gateway take; MAX_CONCURRENT_RECONCILES is the knob that divides it.\n\n", strings.Join(est, "; "))
	fmt.Fprintf(w, "For scale: a published multi-tenant control-plane operator needs about 7.5 minutes for 100 tenants (issue 5).\n\n")
}

// apiTime is n tenants' API time at perTenant requests of l each, spread
// over the operator's workers.
func apiTime(n int, perTenant float64, l time.Duration) time.Duration {
	return time.Duration(float64(n) * perTenant * float64(l) / operatorConcurrency)
}

// byKey renders c divided by div as "key value, …", largest first.
func byKey(c counts, div int, format string) string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c[a] != c[b] {
			if c[a] > c[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+" "+fmt.Sprintf(format, c[k]/float64(div)))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

// size renders b bytes in MiB, or GiB from 1 GiB.
func size(b int64) string {
	if b >= 1<<30 {
		return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

func share(k, of int) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f %%", 100*float64(k)/float64(of))
}
