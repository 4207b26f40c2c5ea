package main

import (
	"fmt"
	"io"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
)

// maxWaits are the group reader MaxWait settings the latency runs use: the
// smallest that works well with kafka-go, and events.Consumer's.
var maxWaits = []time.Duration{10 * time.Millisecond, 100 * time.Millisecond}

// latencyPair is a raw and an outbox latency run with one reader setting.
type latencyPair struct {
	MaxWait     time.Duration
	Raw, Outbox latency
}

// results is everything one run measured.
type results struct {
	Date    time.Time
	Took    time.Duration
	Machine machine
	Through throughput
	Latency []latencyPair
	// Contacts is part 3, the contacts service's create path.
	Contacts contactsCreate
	// Gateway is part 4, what the gateway adds to a read.
	Gateway gatewayOverhead
	// Scale is part 5, contacts search, filters and creates at 1M rows.
	Scale contactsScale
	// Operator is part 6, tenants from kubectl apply to Ready.
	Operator operatorRun
	// Reminders is part 7, reminders due in one minute fired by two
	// replicas.
	Reminders remindersRun
	// Timeline is part 8, a contact's timeline of 11,000 activities and
	// events.
	Timeline timelineRun
	// Import is part 9, a CSV import of 1,000,000 contacts.
	Import importRun
	// Sales is part 10, the board of a pipeline of 100,000 opportunities
	// and the forecast of their tenant, then leads' assignment and creation.
	Sales salesRun
	// Console is part 11, the web console in Chromium: its JavaScript, the
	// contacts list over 1,000,000 contacts and the board.
	Console consoleRun
	// Support is part 12, the support service over 1,000,000 cases: the
	// queue view, KB search, inbound mail over SMTP and the SLA
	// recomputation of a calendar edit.
	Support supportRun
	// Marketing is part 13, the marketing service over 1,000,000
	// projected contacts: a dynamic segment from scratch and kept up to
	// date, a send of 100,000 personalised emails and the tracking
	// endpoints.
	Marketing marketingRun
	// Reporting is part 14, the reporting service: events into read
	// models, replay, reports over 1,000,000 events' worth of rows, an
	// XLSX export of 100,000 rows and the win model's training.
	Reporting reportingRun
	// Webhooks is part 15, the gateway's webhook deliveries of contact
	// events to subscribers against a plain Go client.
	Webhooks webhooksRun
	// Crmctl is part 16, crmctl import of 1,000,000 contacts through the
	// gateway against a plain Go client, and crmctl's peak memory.
	Crmctl crmctlRun
}

// Goals the outbox is held to.
const (
	goalDrainRatio = 0.5
	goalP99        = 10 * time.Millisecond
	// goalCreateRatio is issue 3's: contacts created over HTTP per second
	// against raw single-row INSERT transactions at the same concurrency.
	goalCreateRatio = 0.5
)

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// writeMarkdown renders r as bench/results.md.
func writeMarkdown(w io.Writer, r results) {
	t, m := r.Through, r.Machine
	fmt.Fprintf(w, "# Benchmarks\n\n")
	fmt.Fprintf(w, "Measured %s by `make bench` (`go run ./bench`), in %s. Every outbox number is set beside a raw baseline measured in the same run on the same broker and database.\n\n",
		r.Date.Format("2006-01-02 15:04 MST"), r.Took.Round(time.Second))
	fmt.Fprintf(w, "| machine | |\n|---|---|\n| CPUs (nproc) | %d (%s) |\n| Go | %s |\n| PostgreSQL | %s |\n| Kafka | in-process kfake, 1 broker, %d partitions per topic |\n\n",
		m.CPUs, m.CPUModel, m.Go, m.Postgres, partitions)

	fmt.Fprintf(w, "## 1. Throughput, commit → Kafka ack\n\n")
	fmt.Fprintf(w, "| measurement | outbox | raw baseline | ratio | goal |\n|---|---:|---:|---:|---|\n")
	for _, d := range []drain{t.Drain, t.BigDrain} {
		ratio := d.Rate / t.RawProduce
		goal := fmt.Sprintf("≥ %.1f %s", goalDrainRatio, verdict(ratio >= goalDrainRatio))
		name := fmt.Sprintf("default relay (BatchSize %d)", outbox.DefaultBatchSize)
		if d.BatchSize != 0 {
			name, goal = fmt.Sprintf("relay BatchSize %d (not the default)", d.BatchSize), "—"
		}
		fmt.Fprintf(w, "| drain of %d committed events, %s, vs events.NewPublisher WriteMessages of %d | %.0f records/s | %.0f records/s | %.2f | %s |\n",
			drainN, name, produceBatch, d.Rate, t.RawProduce, ratio, goal)
	}
	fmt.Fprintf(w, "| %d writers × %d one-event transactions, relay running: committed, vs plain one-row INSERT transactions at concurrency %d | %.0f tx/s | %.0f tx/s | %.2f | — |\n",
		e2eWriters, e2ePerWriter, e2eWriters, t.E2ECommitted, t.RawInserts, t.E2ECommitted/t.RawInserts)
	fmt.Fprintf(w, "| the same events: published (until the last ack) | %.0f events/s | %.0f tx/s | %.2f | — |\n\n",
		t.E2EPublished, t.RawInserts, t.E2EPublished/t.RawInserts)

	fmt.Fprintf(w, "Where the drain's time goes (time inside `Publisher.Publish` is Kafka; the rest is the relay's PostgreSQL work: lock, SELECT … FOR UPDATE, DELETE, COMMIT):\n\n")
	fmt.Fprintf(w, "| relay BatchSize | batches | drain time | in Publish | in PostgreSQL | per batch: Publish / PostgreSQL |\n|---:|---:|---:|---:|---:|---:|\n")
	for _, d := range []drain{t.Drain, t.BigDrain} {
		bs, db := d.BatchSize, d.Took-d.Publish
		if bs == 0 {
			bs = outbox.DefaultBatchSize
		}
		fmt.Fprintf(w, "| %d | %d | %s | %s | %s | %s / %s |\n", bs, d.Batches, ms(d.Took), ms(d.Publish), ms(db),
			ms(d.Publish/time.Duration(max(d.Batches, 1))), ms(db/time.Duration(max(d.Batches, 1))))
	}
	fmt.Fprintf(w, "\nWhat a one-event business transaction costs, %d writers × %d transactions into a plain table (no RLS):\n\n", e2eWriters, e2ePerWriter)
	fmt.Fprintf(w, "| transaction | tx/s | vs plain INSERT |\n|---|---:|---:|\n")
	for _, row := range []struct {
		name string
		rate float64
	}{
		{"BEGIN; INSERT; COMMIT (pg.WithTx)", t.RawInserts},
		{"+ set_config tenant (pg.WithTenantTx)", t.TenantInserts},
		{"INSERT with pg_notify, as outbox.Add does (pg.WithTx)", t.NotifyInserts},
		{"outbox: pg.WithTenantTx + outbox.Add, relay running", t.E2ECommitted},
	} {
		fmt.Fprintf(w, "| %s | %.0f | %.2f |\n", row.name, row.rate, row.rate/t.RawInserts)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Events carry a ~300-byte JSON payload and %d distinct keys; outbox transactions run as the application role (RLS applies) through `pg.WithTenantTx` + `outbox.Add` (%d events per transaction to fill the outbox, untimed). The plain table has no RLS, no trigger and no NOTIFY; a business transaction with the outbox pays `set_config` + the outbox INSERT + `pg_notify`.\n\n",
		keys, fillPerTx)

	fmt.Fprintf(w, "## 2. Latency, commit → group consumer\n\n")
	fmt.Fprintf(w, "%d records sent one at a time, one every %s. Raw: events.NewPublisher, one record per WriteMessages, measured from just before the call. Outbox: one event per `pg.WithTenantTx`, relay running (defaults: LISTEN/NOTIFY wake-up, Poll 1s), measured from just after the commit returned. Reader: kafka-go `Reader` with a GroupID, MinBytes 1, ReadBackoffMin 10ms, other settings as events.Consumer, `FetchMessage` without commits.\n\n",
		latencyN, latencyInterval)
	fmt.Fprintf(w, "| reader MaxWait | path | p50 | p99 | max | received | p50 ratio | p99 ratio | goal p99 ≤ %s |\n|---:|---|---:|---:|---:|---:|---:|---:|---|\n", ms(goalP99))
	for _, p := range r.Latency {
		fmt.Fprintf(w, "| %s | raw produce → consume | %s | %s | %s | %d/%d | 1 | 1 | |\n",
			p.MaxWait, ms(p.Raw.P50), ms(p.Raw.P99), ms(p.Raw.Max), p.Raw.Samples, latencyN)
		fmt.Fprintf(w, "| %s | outbox commit → consume | %s | %s | %s | %d/%d | %.2f | %.2f | %s |\n",
			p.MaxWait, ms(p.Outbox.P50), ms(p.Outbox.P99), ms(p.Outbox.Max), p.Outbox.Samples, latencyN,
			float64(p.Outbox.P50)/float64(p.Raw.P50), float64(p.Outbox.P99)/float64(p.Raw.P99), verdict(p.Outbox.P99 <= goalP99))
	}
	fmt.Fprintln(w)
	writeContactsSection(w, r.Contacts)
	writeGatewaySection(w, r.Gateway)
	writeScaleSection(w, r.Scale)
	writeOperatorSection(w, r.Operator)
	writeRemindersSection(w, r.Reminders)
	writeTimelineSection(w, r.Timeline)
	writeImportSection(w, r.Import)
	writeSalesSection(w, r.Sales)
	writeConsoleSection(w, r.Console)
	writeSupportSection(w, r.Support)
	writeMarketingSection(w, r.Marketing)
	writeReportingSection(w, r.Reporting)
	writeWebhooksSection(w, r.Webhooks)
	writeCrmctlSection(w, r.Crmctl)
}

// writeSummary prints the headline numbers.
func writeSummary(w io.Writer, r results) {
	t := r.Through
	fmt.Fprintf(w, "throughput: raw produce %.0f rec/s, outbox drain %.0f rec/s (ratio %.2f, goal ≥ %.1f); with BatchSize %d %.0f rec/s (ratio %.2f)\n",
		t.RawProduce, t.Drain.Rate, t.Drain.Rate/t.RawProduce, goalDrainRatio, t.BigDrain.BatchSize, t.BigDrain.Rate, t.BigDrain.Rate/t.RawProduce)
	fmt.Fprintf(w, "drain time split: %s publish / %s PostgreSQL over %d batches\n", ms(t.Drain.Publish), ms(t.Drain.Took-t.Drain.Publish), t.Drain.Batches)
	fmt.Fprintf(w, "tx/s at concurrency %d: plain %.0f, +set_config %.0f, +pg_notify %.0f, outbox %.0f\n",
		e2eWriters, t.RawInserts, t.TenantInserts, t.NotifyInserts, t.E2ECommitted)
	fmt.Fprintf(w, "end-to-end: %.0f tx/s committed, %.0f ev/s published; plain INSERT %.0f tx/s (ratio %.2f)\n",
		t.E2ECommitted, t.E2EPublished, t.RawInserts, t.E2ECommitted/t.RawInserts)
	fmt.Fprintf(w, "contacts: %.0f creates/s over HTTP vs %.0f INSERT tx/s at concurrency %d (ratio %.2f, goal ≥ %.1f), vs %.0f same-schema INSERT tx/s (ratio %.2f); p99 %s\n",
		r.Contacts.Rate, r.Contacts.RawInserts, createWriters, r.Contacts.Rate/r.Contacts.RawInserts, goalCreateRatio,
		r.Contacts.SchemaInserts, r.Contacts.Rate/r.Contacts.SchemaInserts, ms(r.Contacts.Latency.P99))
	g := r.Gateway
	fmt.Fprintf(w, "gateway: p50 added %s paced at %.0f req/s (goal ≤ %s), %s at concurrency %d (%s through vs %s direct); %.0f vs %.0f req/s (ratio %.2f, goal ≥ %.1f); %s gateway CPU per request; login p50 %s\n",
		ms(g.AddedPaced()), g.PacedRate, ms(goalGatewayAdded), ms(g.Added()), gatewayClients, ms(g.Via.P50), ms(g.Direct.P50),
		g.ViaRate, g.DirectRate, g.Ratio(), goalGatewayRatio, g.GatewayCPU, ms(g.Login.P50))
	o := r.Operator
	fmt.Fprintf(w, "operator: 1 tenant apply → Ready %s (goal ≤ %s); %d tenants %s (goal ≤ %s)\n",
		ms(o.One), goalOneTenant, operatorTenants, ms(o.Many), goalManyTenants)
	im := r.Import
	fmt.Fprintf(w, "import: %.0f rows/s of %d contacts vs %.0f INSERT … SELECT rows/s (ratio %.2f, goal ≥ %.1f), %.0f raw COPY rows/s; memory +%.1f MB (goal < %.0f MB)\n",
		im.Rate, im.Rows, im.Baseline, im.Rate/im.Baseline, goalImportRatio, im.RawCopy, float64(im.RSSGrowth())/1e6, float64(goalImportRSS)/1e6)
	sc := r.Sales.Cases
	fmt.Fprintf(w, "sales: board of %d opportunities p99 %s (scope all), %s (team), %s (own) (goal ≤ %s); forecast of %s p99 %s (tenant), %s (owner), %s (team) (goal ≤ %s)\n", salesOpportunities,
		ms(sc[0].Latency.P99), ms(sc[1].Latency.P99), ms(sc[2].Latency.P99), ms(goalBoardP99),
		r.Sales.Period, ms(sc[6].Latency.P99), ms(sc[7].Latency.P99), ms(sc[8].Latency.P99), ms(goalForecastP99))
	la, lc := r.Sales.Assign, r.Sales.Create
	fmt.Fprintf(w, "leads: %.0f assigned/s through %d rules (goal ≥ %.0f) vs %.0f raw UPDATE rows/s (ratio %.2f), %d over cap, %d uneven round robins; %.0f creates/s at concurrency %d vs %.0f same-schema INSERT + outbox tx/s (ratio %.2f)\n",
		la.Rate, assignRules, goalAssignRate, la.Baseline, la.Rate/la.Baseline, la.OverCap, la.Uneven, lc.Rate, createWriters, lc.Ceiling, lc.Rate/lc.Ceiling)
	c := r.Console
	fmt.Fprintf(w, "console: /signin JavaScript %.1f kB gzipped (goal ≤ %.0f kB); /contacts first page p50 %s (goal ≤ %s, API %s), next page %s (goal ≤ %s, API %s); board %s (goal ≤ %s, API %s)\n",
		float64(c.JSGzip)/1000, float64(goalConsoleJS)/1000, ms(c.First.P50), ms(goalConsoleFirst), ms(c.FirstAPI.P50),
		ms(c.Next.P50), ms(goalConsoleNext), ms(c.NextAPI.P50), ms(c.Board.P50), ms(goalConsoleBoard), ms(c.BoardAPI.P50))
	sp := r.Support
	queueP99 := time.Duration(0)
	if len(sp.Queue) > 0 {
		queueP99 = sp.Queue[0].Latency.P99
	}
	fmt.Fprintf(w, "support: queue view over %d cases p99 %s (goal ≤ %s); KB search over %d articles p99 %s (goal ≤ %s); inbound mail DATA → 250 p99 %s at 50/s (goal ≤ %s); SLA recomputation of %d clocks %s (goal ≤ %s)\n",
		sp.Cases, ms(queueP99), ms(goalQueueP99), sp.Articles, ms(sp.KBAll.P99), ms(goalKBP99), ms(sp.Inbound.Data.P99), ms(goalInboundP99),
		sp.SLA.Running, sp.SLA.Zone.Done.Round(time.Millisecond), goalSLARecompute)
	mk := r.Marketing
	fmt.Fprintf(w, "marketing: segment of %d members from scratch %s (goal ≤ %s, raw %s); lag p99 %s at %d events/s (goal ≤ %s); send %.0f mails/s vs %.0f raw (ratio %.2f, goal ≥ %.1f); tracking p99 %s through the gateway at %d/s (goal ≤ %s)\n",
		mk.Segment.MemberCount, mk.Segment.Create.Round(time.Millisecond), goalSegmentScratch, mk.Segment.Raw.Round(time.Millisecond), ms(mk.Segment.ToMembership.P99), mk.Rate,
		goalSegmentLagP99, mk.Send.Rate(), mk.Send.RawRate(), mk.Send.Rate()/mk.Send.RawRate(), goalSendRatio, ms(mk.Track.Gateway.P99), mk.Track.Rate, ms(goalTrackP99))
	writeReportingSummary(w, r.Reporting)
	writeWebhooksSummary(w, r.Webhooks)
	writeCrmctlSummary(w, r.Crmctl)
	for _, p := range r.Latency {
		fmt.Fprintf(w, "latency (MaxWait %s): raw p50 %s p99 %s; outbox p50 %s p99 %s (goal p99 ≤ %s)\n",
			p.MaxWait, ms(p.Raw.P50), ms(p.Raw.P99), ms(p.Outbox.P50), ms(p.Outbox.P99), ms(goalP99))
	}
}

// writeContactsSection renders part 3 of bench/results.md.
func writeContactsSection(w io.Writer, c contactsCreate) {
	fmt.Fprintf(w, "## 3. Contacts: create over HTTP\n\n")
	fmt.Fprintf(w, "The real `services/contacts` binary on its own new scratch database and in-process Kafka; %d clients × %d `POST /v1/contacts` (validation, E.164, duplicate check, insert, outbox, relay running), each contact with a distinct name, email and phone, all at one email domain, with internal tokens used as the gateway uses them (one per principal, renewed at half its life). Two baselines, measured after the creates on the same server at the same concurrency and count. The bare raw INSERT is `BEGIN; INSERT; COMMIT` of one row into a plain table (id, tenant, ~300-byte payload) with no RLS, trigger or secondary index: the least a transaction costs. The same-schema ceiling inserts, one row per transaction, the very contacts the creates stored (every column the service writes, each with a new UUIDv7 id and the current time) into the service's own `contacts` table, migrated by the service, as the runtime role in a tenant transaction (`pg.WithTenantTx`: set_config, RLS checked) of a tenant of its own, so the derived-column and match-key triggers and every index of the contacts schema do their work as for a create; it leaves out what the service adds: HTTP, tokens, validation, the duplicate check, the outbox and the relay. WAL is what the server wrote during each run, divided by its writes. The service commits concurrent creates of a tenant together (group commit, services/contacts/records/batch.go): each create is still answered on its own, but a transaction writes several, so creates/s can exceed the one-row-per-transaction ceiling.\n\n", createWriters, createPerWriter)
	fmt.Fprintf(w, "| measurement | contacts | baseline | ratio | goal |\n|---|---:|---:|---:|---|\n")
	ratio := c.Rate / c.RawInserts
	fmt.Fprintf(w, "| creates/s at concurrency %d vs bare raw INSERT | %.0f | %.0f INSERT tx/s | %.2f | ≥ %.1f %s |\n", createWriters, c.Rate, c.RawInserts, ratio, goalCreateRatio, verdict(ratio >= goalCreateRatio))
	fmt.Fprintf(w, "| creates/s at concurrency %d vs same-schema ceiling | %.0f | %.0f contact INSERT tx/s | %.2f | — |\n", createWriters, c.Rate, c.SchemaInserts, c.Rate/c.SchemaInserts)
	fmt.Fprintf(w, "| create latency p50 / p99 / max | %s / %s / %s | | | |\n", ms(c.Latency.P50), ms(c.Latency.P99), ms(c.Latency.Max))
	fmt.Fprintf(w, "| WAL per write vs bare raw INSERT | %.0f bytes | %.0f bytes | %.1f× | |\n", c.WALCreate, c.WALInsert, c.WALCreate/c.WALInsert)
	fmt.Fprintf(w, "| WAL per write vs same-schema ceiling | %.0f bytes | %.0f bytes | %.1f× | |\n\n", c.WALCreate, c.WALSchema, c.WALCreate/c.WALSchema)
}
