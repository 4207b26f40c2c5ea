package main

import (
	"fmt"
	"io"
	"time"
)

// writeWebhooksSection renders part 15.
func writeWebhooksSection(w io.Writer, r webhooksRun) {
	fmt.Fprintf(w, "## 15. Webhooks: contact events delivered to subscribers\n\n")
	fmt.Fprintf(w, "The real `services/gateway` binary alone (no service behind it) on a scratch database (which it migrates) and an in-process Kafka (every built service's topic and rapport.webhooks.v1, with their dead-letter topics, %d partitions each), with `GATEWAY_WEBHOOK_ALLOW_PRIVATE=true` and its defaults otherwise (consumer group `gateway-webhooks`, the dispatcher's workers and timeout). One tenant, made through the admin API, with %d subscriptions (its administrator's JWT, `POST /v1/webhooks/subscriptions`) to `dev.rapport.contacts.contact.*`, each at its own path of one receiver on 127.0.0.1 (`net/http/httptest`, answering 204 at once). The bench produces %d contact.created events of the tenant at %d a second for %s (a batch every %s, events.NewPublisher; each event made just before its batch, the contacts service's envelope and payload), so %d deliveries are offered at %d a second after one untimed warm-up event. An event's latency is from its CloudEvent time to its arrival at the receiver. The raw baseline, run first, POSTs the same number of structured CloudEvents of the same events at the same schedule to the same receiver with a plain `net/http` client from %d goroutines. The machine is shared: its load average (1, 5, 15 min) was %s when the part began and %s when it ended.\n\n",
		partitions, r.Subscriptions, r.Events, r.Rate, r.For, updateTick, r.Expected(), r.Rate*r.Subscriptions, webhooksWorkers, r.LoadBefore, r.LoadAfter)
	fmt.Fprintf(w, "| path | arrived of %d | duplicates | p50 | p99 | max | deliveries/s | goal |\n|---|---:|---:|---:|---:|---:|---:|---|\n", r.Expected())
	fmt.Fprintf(w, "| raw: plain Go client (%d failed) | %d | %d | %s | %s | %s | %.0f | |\n",
		r.RawFailed, r.Raw.Arrived, r.Raw.Duplicates, ms(r.Raw.Lag.P50), ms(r.Raw.Lag.P99), ms(r.Raw.Lag.Max), r.RawRate)
	ok := r.Gateway.Arrived >= r.Expected() && r.GatewayRate >= goalWebhookRate && r.Gateway.Lag.P99 <= goalWebhookP99
	fmt.Fprintf(w, "| the gateway: event → delivery | %d | %d | %s | %s | %s | %.0f | ≥ %.0f/s, p99 ≤ %s %s |\n\n",
		r.Gateway.Arrived, r.Gateway.Duplicates, ms(r.Gateway.Lag.P50), ms(r.Gateway.Lag.P99), ms(r.Gateway.Lag.Max), r.GatewayRate, goalWebhookRate, ms(goalWebhookP99), verdict(ok))
	fmt.Fprintf(w, "When the wait ended the gateway's `webhook_deliveries` held %d succeeded, %d pending and %d failed. ", r.Table["succeeded"], r.Table["pending"], r.Table["failed"])
	fmt.Fprintf(w, "Deliveries a second = arrivals over the time from the first event produced to the last arrival (the raw client's from its first tick). The events were produced in %s; the gateway's process used %.3f ms of CPU per delivery (process_cpu_seconds_total over the run).\n\n",
		r.Published.Round(time.Millisecond), float64(r.GatewayCPU)/float64(time.Millisecond)/float64(max(r.Gateway.Arrived, 1)))
}

// writeWebhooksSummary prints part 15's headline.
func writeWebhooksSummary(w io.Writer, r webhooksRun) {
	fmt.Fprintf(w, "webhooks: %d of %d deliveries, %.0f/s (goal ≥ %.0f) at %d offered, event → delivery p99 %s (goal ≤ %s); raw client %.0f/s, p99 %s\n",
		r.Gateway.Arrived, r.Expected(), r.GatewayRate, goalWebhookRate, r.Rate*r.Subscriptions, ms(r.Gateway.Lag.P99), ms(goalWebhookP99), r.RawRate, ms(r.Raw.Lag.P99))
}
