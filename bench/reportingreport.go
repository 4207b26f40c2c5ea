package main

import (
	"fmt"
	"io"
	"time"
)

// mb is n bytes in MB.
func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// writeReportingSection renders part 14.
func writeReportingSection(w io.Writer, r reportingRun) {
	fmt.Fprintf(w, "## 14. Reporting: events into read models, replay, reports, XLSX export and win-model training\n\n")
	fmt.Fprintf(w, "The real `services/reporting` binary on a scratch database (which it migrates) and an in-process Kafka (its topic rapport.reporting.v1 and the four it reads, rapport.{contacts,sales,marketing,support}.v1, with their dead-letter topics, %d partitions each), with internal tokens signed by the bench's signer (its JWKS served by the bench, as in part 12), of a user with reporting:read, write and admin and the record scope all. Six tenants, one per measurement (two for the export). The machine is shared: its load average (1, 5, 15 min) was %s when the part began and %s when it ended.\n\n",
		partitions, r.LoadBefore, r.LoadAfter)

	f := r.Fresh
	fmt.Fprintf(w, "### Event → read model\n\n%d source events published at %d a second (a batch every %s, events.NewPublisher) in %s, in turn contact.created on rapport.contacts.v1, opportunity.created on rapport.sales.v1 and case.created on rapport.support.v1, each its service's full state of a new record. The service's live consumers (one libs/events consumer group per source topic, in batch mode: the records fetched with the first, within 10 ms and up to 500, applied per tenant in one transaction with their inbox rows) apply each event to every live generation and count it in `rm_freshness`. Every %dth event is followed by id: every %s the bench looks for the rows of the oldest %d pending samples of each table (`rm_contacts`, `rm_opportunities`, `rm_cases`, generation 1) as the database owner; an event's lag is from just before its publish call to the start of the poll that first found its row (so it includes up to one poll interval). The raw baseline, run first, INSERTs the same events' payloads at the same schedule, one autocommit statement each by %d connections, into a plain table of the same database (uuid key, tenant, type, jsonb; no RLS, no trigger); its latency is from the batch's tick to the commit.\n\n",
		f.Events, r.Rate, updateTick, f.Published.Round(time.Millisecond), freshSampleEvery, freshPoll, freshPollBatch, rawInsertWorkers)
	fmt.Fprintf(w, "| path | events | p50 | p99 | max | rate | goal |\n|---|---:|---:|---:|---:|---:|---|\n")
	fmt.Fprintf(w, "| raw: one INSERT per event, plain table | %d (%d failed) | %s | %s | %s | %.0f/s | |\n", f.Events, f.RawFailed, ms(f.Raw.P50), ms(f.Raw.P99), ms(f.Raw.Max), f.RawRate)
	ok := f.Seen == f.Sampled && f.Lag.P99 <= goalEventLagP99
	fmt.Fprintf(w, "| the service: publish → row visible (samples seen %d of %d; events applied %d of %d) | %d | %s | %s | %s | %.0f/s | p99 ≤ %s %s |\n\n",
		f.Seen, f.Sampled, f.Applied, f.Events, f.Events, ms(f.Lag.P50), ms(f.Lag.P99), ms(f.Lag.Max), f.ApplyRate, ms(goalEventLagP99), verdict(ok))
	if f.Raw.P99 > 0 && f.Lag.P99 > 0 {
		fmt.Fprintf(w, "Ratio to the raw INSERT: p50 %.1f, p99 %.1f. ", float64(f.Lag.P50)/float64(f.Raw.P50), float64(f.Lag.P99)/float64(f.Raw.P99))
	}
	fmt.Fprintf(w, "The service applied %.0f events a second (applied count over the time from the first publish to the last change of `rm_freshness`) against %d offered; its process used %.2f ms of CPU per event (process_cpu_seconds_total over the run, polling included).\n\n",
		f.ApplyRate, r.Rate, float64(r.FreshCPU)/float64(time.Millisecond)/float64(max(f.Events, 1)))

	p := r.Replay
	fmt.Fprintf(w, "### Replay\n\nA tenant's %d events (the same three kinds) published on the topics before anything else, applied by the live consumers first (%s, untimed), then `POST /admin/v1/rebuild` as that tenant's admin and `GET /admin/v1/rebuild` every 5 ms until no rebuild runs: the rebuilder's job (polling every second) claims the building generation, replays the four topics from their beginnings to their high watermarks (`ingest/rebuild_replay.go`: the topics side by side, a topic's partitions one after another, batches applied by three transactions at a time) and switches it active. Rate = the tenant's events over claim → switch, as `BenchmarkRebuild` counts. The raw baseline reads the same topics the same way with kafka-go readers (the replay's settings), fetching each record without parsing it.\n\n",
		p.Events, p.LiveApply.Round(time.Millisecond))
	fmt.Fprintf(w, "| path | records | time | events/s | goal |\n|---|---:|---:|---:|---|\n")
	fmt.Fprintf(w, "| raw: kafka-go readers over the four topics | %d | %s | %.0f | |\n", p.RawRecords, p.Raw.Round(time.Millisecond), p.RawRate())
	fmt.Fprintf(w, "| the service: claim → switch (generation %d, %d events counted in it) | %d | %s | %.0f (ratio %.2f) | ≥ %.0f %s |\n",
		p.Gen, p.Rebuilt, p.Events, p.Replay.Round(time.Millisecond), p.Rate(), p.Rate()/p.RawRate(), goalReplayRate, verdict(p.Rate() >= goalReplayRate && p.Rebuilt == int64(p.Events)))
	fmt.Fprintf(w, "| … POST → switch (claim after %s); the generation's startedAt → switchedAt %s | | %s | %.0f | |\n\n",
		p.Claim.Round(time.Millisecond), p.ServerTook.Round(time.Millisecond), p.Total.Round(time.Millisecond), float64(p.Events)/p.Total.Seconds())
	fmt.Fprintf(w, "The service's process used %.3f ms of CPU per event replayed (POST to switch), and %.3f ms per event while its live consumers applied the same events (%s, %.0f a second).\n\n",
		float64(p.CPU)/float64(time.Millisecond)/float64(max(p.Events, 1)), float64(p.LiveCPU)/float64(time.Millisecond)/float64(max(p.Events, 1)),
		p.LiveApply.Round(time.Millisecond), float64(p.Events)/p.LiveApply.Seconds())

	sh := r.Shape
	fmt.Fprintf(w, "### Reports over %d events' worth of read models\n\nThe reports' tenant's read models are **seeded straight into the rm_* tables of its active generation** (generation 1) as the database owner, `INSERT … SELECT … FROM generate_series` (publishing a million events through Kafka and the live consumers would take far longer than the part may): %d accounts, %d contacts with %d lifecycle-stage rows, %d leads, %d opportunities (a third open, won, lost) with %d stage moves in a pipeline of five stages, %d activities, %d campaigns with %d touches, %d cases with %d first responses, %d SLA breaches and %d surveys — %d rows, spread over the last 350 days, 20 owners, 4 teams — then `VACUUM ANALYZE` and a `CHECKPOINT` (seeded in %s with the two tenants below, settled in %s). Each report is requested %d times after %d warm-ups, one after the other, with its default parameters (the last 12 months, interval month, its default groupBy) as JSON through the service's HTTP. The raw baseline, run before each, is `count(*)` of its main table's rows of the tenant in a tenant transaction as the application role (`pg.WithTenantTx`, RLS), as many times.\n\n",
		r.History, sh.Accounts, sh.Contacts, sh.Stages, sh.Leads, sh.Opportunities, sh.Moves, sh.Activities, sh.Campaigns, sh.Touches, sh.Cases, sh.Responses, sh.Breaches, sh.Surveys,
		sh.Rows(), r.Seed.Round(time.Millisecond), r.Settle.Round(time.Millisecond), *reportingRequests, reportWarmup)
	fmt.Fprintf(w, "| report | rows | p50 | p99 | max | service CPU a request | raw count(*) of | its p99 | p99 ratio | goal p99 ≤ %s |\n|---|---:|---:|---:|---:|---:|---|---:|---:|---|\n", ms(goalReportP99))
	for _, c := range r.Reports {
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s (%d) | %s | %.1f | %s |\n", c.Name, c.Rows, ms(c.Latency.P50), ms(c.Latency.P99), ms(c.Latency.Max), ms(c.CPU),
			c.Table, c.Counted, ms(c.Raw.P99), float64(c.Latency.P99)/float64(c.Raw.P99), verdict(c.Latency.P99 <= goalReportP99))
	}
	fmt.Fprintln(w)

	e := r.Export
	fmt.Fprintf(w, "### XLSX export of %d rows\n\nAnother tenant, seeded the same way: %d accounts, each with one won opportunity closed in the last 300 days, so `GET /v1/reports/customer-value` (groupBy none: a row per account, RFM segments and CLV) has a row per account. Requested once with `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` (excelize's StreamWriter), then once as CSV (after the same XLSX of a tenant with a tenth of the accounts; memory is flat when the peak heap in use rises less than twice as much above its level before the request for ten times the rows), each body read to its end; meanwhile the bench samples the service's resident memory (`/proc/<pid>/status` VmRSS, every 10 ms) and heap in use (`go_memstats_heap_inuse_bytes` of its /metrics, every 100 ms). The raw baseline reads the same accounts' figures (won count, sum, first and last close) with one SQL query in a tenant transaction and writes them with encoding/csv to a file.\n\n",
		r.ExportRows, r.ExportRows)
	fmt.Fprintf(w, "| path | rows | first byte | time | size | peak RSS (before %s) | peak heap in use (before %s) | goal |\n|---|---:|---:|---:|---:|---:|---:|---|\n", mb(e.RSSBefore), mb(e.HeapBefore))
	fmt.Fprintf(w, "| raw: SQL → encoding/csv | %d | | %s | %s | | | |\n", r.ExportRows, e.Raw.Round(time.Millisecond), mb(e.RawBytes))
	fmt.Fprintf(w, "| the service: XLSX | %d | %s | %s (ratio %.1f) | %s | %s | %s | ≤ %s %s |\n", e.Rows, e.XLSX.First.Round(time.Millisecond), e.XLSX.Took.Round(time.Millisecond),
		e.XLSX.Took.Seconds()/e.Raw.Seconds(), mb(e.XLSX.Bytes), mb(e.XLSX.PeakRSS), mb(e.XLSX.PeakHeap), goalExport, verdict(e.XLSX.Took <= goalExport))
	fmt.Fprintf(w, "| … the same XLSX of a tenant of %d rows, first (heap in use before %s) | %d | %s | %s | %s | %s | %s | flat memory: growth %s vs %s %s |\n",
		e.SmallRows, mb(e.SmallHeapBefore), e.SmallRows, e.Small.First.Round(time.Millisecond), e.Small.Took.Round(time.Millisecond), mb(e.Small.Bytes), mb(e.Small.PeakRSS), mb(e.Small.PeakHeap),
		mb(heapGrowth(e.XLSX, e.HeapBefore)), mb(heapGrowth(e.Small, e.SmallHeapBefore)), verdict(e.Flat()))
	fmt.Fprintf(w, "| the service: CSV | %d | %s | %s (ratio %.1f) | %s | %s | %s | |\n\n", e.Rows, e.CSV.First.Round(time.Millisecond), e.CSV.Took.Round(time.Millisecond),
		e.CSV.Took.Seconds()/e.Raw.Seconds(), mb(e.CSV.Bytes), mb(e.CSV.PeakRSS), mb(e.CSV.PeakHeap))
	fmt.Fprintf(w, "The service's RSS when the XLSX's first byte arrived: %s (when the CSV's: %s).\n\n", mb(e.XLSX.RSSAtFirstBytes), mb(e.CSV.RSSAtFirstBytes))

	t := r.Train
	fmt.Fprintf(w, "### Win-model training\n\nAnother tenant, seeded the same way: %d closed opportunities (won or lost) over three years on %d accounts and %d open ones, two stage moves of each closed one, %d activities on the accounts and a converted lead for every second one. `POST /v1/predictions/retrain` as its admin trains the tenant's models now (win, churn, demand) and answers them. The baseline reads the win model's rows (the opportunities, the stage moves) with two raw queries in a tenant transaction.\n\n",
		t.Closed, max(1, t.Closed/10), t.Closed/20, t.Closed/2)
	fmt.Fprintf(w, "| path | time | goal |\n|---|---:|---|\n| raw: read the %d rows | %s | |\n", t.RawRows, t.Raw.Round(time.Millisecond))
	fmt.Fprintf(w, "| the service: `POST /v1/predictions/retrain` | %s (ratio %.1f; %s of its CPU) | ≤ %s %s |\n\n", t.Took.Round(time.Millisecond), t.Took.Seconds()/t.Raw.Seconds(),
		t.CPU.Round(time.Millisecond), goalTrain, verdict(t.Took <= goalTrain))
	fmt.Fprintf(w, "Models:")
	for _, m := range t.Models {
		fmt.Fprintf(w, " %s %s (train %d, test %d", m.Kind, m.Status, m.TrainSize, m.TestSize)
		if m.Metric != nil {
			fmt.Fprintf(w, ", %s %.3f", m.Metric.Name, m.Metric.Value)
		}
		if m.Reason != "" {
			fmt.Fprintf(w, ", %s", m.Reason)
		}
		fmt.Fprintf(w, ");")
	}
	fmt.Fprintf(w, "\n\n")
}

// writeReportingSummary prints part 14's headline numbers.
func writeReportingSummary(w io.Writer, r reportingRun) {
	var worst reportCase
	for _, c := range r.Reports {
		if c.Latency.P99 >= worst.Latency.P99 {
			worst = c
		}
	}
	fmt.Fprintf(w, "reporting: event → read model p99 %s at %d/s (goal ≤ %s); replay %.0f events/s (goal ≥ %.0f); slowest report %s p99 %s over %d events' rows (goal ≤ %s); XLSX of %d rows %s (goal ≤ %s); win training over %d closed %s (goal ≤ %s)\n",
		ms(r.Fresh.Lag.P99), r.Rate, ms(goalEventLagP99), r.Replay.Rate(), goalReplayRate, worst.Name, ms(worst.Latency.P99), r.History, ms(goalReportP99),
		r.ExportRows, r.Export.XLSX.Took.Round(time.Millisecond), goalExport, r.Train.Closed, r.Train.Took.Round(time.Millisecond), goalTrain)
}
