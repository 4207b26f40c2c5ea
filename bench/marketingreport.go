package main

import (
	"fmt"
	"io"
	"time"
)

// writeMarketingSection renders part 13.
func writeMarketingSection(w io.Writer, r marketingRun) {
	fmt.Fprintf(w, "## 13. Marketing: dynamic segment, personalised send and tracking\n\n")
	fmt.Fprintf(w, "The real `services/marketing` binary behind the real gateway (its own scratch database, `STATIC_UPSTREAMS`, the tenant made through its admin API), on a scratch database and an in-process Kafka (topics rapport.marketing.v1, rapport.contacts.v1 and rapport.sales.v1 with their dead-letter topics), its mail relayed (`MARKETING_SMTP_URL`) to a go-smtp sink of the bench, its links signed with a fresh `MARKETING_LINK_KEY`, with internal tokens signed with the gateway's key, of a marketer with marketing:read, write, send and admin. One tenant gets %d projected contacts, loaded straight into `audience_contacts` as the database owner in %s (`INSERT … SELECT … FROM generate_series`, 100,000 a statement): five countries, four lifecycle stages, email consent denied for one in ten, the first %d tagged `newsletter`; then `VACUUM ANALYZE` and a `CHECKPOINT` (%s). The machine is shared: its load average (1, 5, 15 min) was %s when the part began and %s when it ended.\n\n",
		r.Contacts, r.Load.Round(time.Millisecond), r.Newsletter, r.Settle.Round(time.Millisecond), r.LoadBefore, r.LoadAfter)

	sg := r.Segment
	fmt.Fprintf(w, "### Dynamic segment\n\nFrom scratch: `POST /v1/segments` of a dynamic segment, country FR and lifecycle stage lead or customer (%d members), which computes its members in the request's transaction (`audience/store_membership.go` recompute: one `INSERT … SELECT` diffed against the members, then a history row and a segment.entered event in the outbox for each member). The raw baseline, run first, is the same condition's `INSERT INTO segment_members … SELECT … FROM audience_contacts` into a static list, through database/sql as the application role in a tenant transaction (`pg.WithTenantTx`: set_config, RLS), committed (its rows removed and the table vacuumed before the service's turn).\n\n", sg.Members)
	fmt.Fprintf(w, "| measurement | members | time | goal |\n|---|---:|---:|---|\n")
	fmt.Fprintf(w, "| raw `INSERT … SELECT` of the filter | %d | %s | |\n", sg.RawRows, sg.Raw.Round(time.Millisecond))
	fmt.Fprintf(w, "| the service: `POST /v1/segments` answered (members, history, events) | %d | %s (ratio %.2f) | ≤ %s %s |\n", sg.MemberCount,
		sg.Create.Round(time.Millisecond), sg.Create.Seconds()/sg.Raw.Seconds(), goalSegmentScratch, verdict(sg.Create <= goalSegmentScratch && sg.MemberCount == int64(sg.Members)))
	fmt.Fprintf(w, "| … until its %d segment.entered events were on Kafka (the outbox empty) | | %s | |\n\n", sg.MemberCount, sg.Drain.Round(time.Millisecond))
	fmt.Fprintf(w, "Incremental: %d `contact.updated` events of contacts' shape published on rapport.contacts.v1 at %d a second (a batch every %s, events.NewPublisher) in %s, each moving a contact of its own into the segment (%d, to France) or out of it (%d, to Germany). The audience's consumer applies each in a transaction (the projection's row, then the contact's dynamic segments re-evaluated). Lag is from just before the event's publish call to (a) the membership's change: the `at` of its row in `segment_membership_history`, the service's clock as it applied the event, read after the run; (b) its segment.entered or segment.left on rapport.marketing.v1: the record's time, set by the outbox relay's producer, read from the topic after the run.\n\n",
		sg.Events, r.Rate, updateTick, sg.Published.Round(time.Millisecond), sg.Entered, sg.Events-sg.Entered)
	fmt.Fprintf(w, "| lag | applied | p50 | p99 | max | goal |\n|---|---:|---:|---:|---:|---|\n")
	fmt.Fprintf(w, "| publish → membership changed | %d of %d | %s | %s | %s | p99 ≤ %s %s |\n", sg.Applied, sg.Events, ms(sg.ToMembership.P50), ms(sg.ToMembership.P99), ms(sg.ToMembership.Max),
		goalSegmentLagP99, verdict(sg.Applied == sg.Events && sg.ToMembership.P99 <= goalSegmentLagP99))
	fmt.Fprintf(w, "| publish → segment event on Kafka | %d of %d | %s | %s | %s | |\n\n", sg.EventsSeen, sg.Events, ms(sg.ToEvent.P50), ms(sg.ToEvent.P99), ms(sg.ToEvent.Max))
	fmt.Fprintf(w, "The service applied the events at %.0f a second (first to last membership change) against %d a second offered. Its consumer (libs/events.Consumer, group marketing-audience) takes one event at a time: a tenant transaction (the inbox row, the projection's row, the dynamic segments read and the contact matched against them, the membership, its history, the count and the segment event in the outbox), then a synchronous commit of the record's offset to Kafka, before it fetches the next; when it applies fewer events a second than arrive, the lag is the backlog's and grows with the run's length. The raw baseline of that loop, a kafka-go group reader with the consumer's settings fetching the same %d events and committing each offset synchronously without a handler, reads %.0f a second; the raw floor of the database's part, a tenant transaction per event through database/sql as the application role, one after the other, updating the contact's projection row and moving it into or out of a static list (%d of them, after the run), runs %.0f a second.\n\n",
		sg.ApplyRate, r.Rate, sg.Events, sg.RawConsume, sg.RawApplied, sg.RawApply)

	sd := r.Send
	fmt.Fprintf(w, "### Send of personalised emails\n\nThe tenant's settings: a From address, an RSA-2048 DKIM key and a throttle of 1,000,000 a minute (out of the way). A dynamic segment of the %d newsletter contacts (%d members), an email template with merge fields in its subject (with Chinese), HTML and text parts and two links, and `POST /v1/sends` of it now, with UTM tags: the service excludes the contacts without consent, makes a message of each other member, and its sending job (every second on each instance, %s) claims them in batches, with several workers at once, each keeping a go-smtp connection to the relay, and for each mail renders the template, decorates the links (signed click links, open pixel), composes (go-message), DKIM-signs (go-msgauth), rechecks its claim, sends it and records it sent with message.sent in the outbox. The sink (go-smtp) reads each mail and counts it by recipient and Message-ID against the %d expected recipients (consent granted), keeping a copy. The raw baseline sends those very mails (%.0f bytes each on average, DKIM signatures included) again from the copy, one after the other over one connection of one go-smtp client, to the same sink.\n\n",
		r.Newsletter, sd.Members, "`messaging/sender.go`", sd.Expected, sd.MailBytes)
	fmt.Fprintf(w, "| path | mails | duplicates | missing | unexpected | time | mails/s | goal |\n|---|---:|---:|---:|---:|---:|---:|---|\n")
	fmt.Fprintf(w, "| raw: one go-smtp client, the same mails | %d | %d | %d | %d | %s | %.0f | |\n", sd.Raw.Mails, sd.Raw.Duplicates, sd.Raw.Missing, sd.Raw.Unexpected,
		sd.RawTook.Round(time.Millisecond), sd.RawRate())
	ratio := sd.Rate() / sd.RawRate()
	fmt.Fprintf(w, "| the service: `POST /v1/sends` → the last mail at the sink | %d | %d | %d | %d | %s | %.0f (ratio %.2f) | ≥ %.1f× %s |\n", sd.Service.Mails,
		sd.Service.Duplicates, sd.Service.Missing, sd.Service.Unexpected, sd.Took.Round(time.Millisecond), sd.Rate(), ratio, goalSendRatio,
		verdict(ratio >= goalSendRatio && sd.Service.Duplicates == 0 && sd.Service.Missing == 0 && sd.Service.Unexpected == 0))
	fmt.Fprintf(w, "| the service: first → last mail | | | | | %s | %.0f (ratio %.2f) | |\n\n", sd.Service.Last.Sub(sd.Service.First).Round(time.Millisecond),
		sd.SteadyRate(), sd.SteadyRate()/sd.RawRate())
	fmt.Fprintf(w, "The send ended %s: %d recipients, %d sent, %d failed, %d excluded (%d without consent). During it, per mail, the service's process used %.2f ms of CPU (an RSA-2048 signature, DKIM's arithmetic, takes %.2f ms in the bench's process) and its database committed %.1f transactions (the relay's and the consumers' included: segments, campaigns, attribution follow message.sent); the send's wall time per mail, first to last, was %.2f ms. Each mail costs the sender a transaction to recheck its claim, the SMTP transaction and a transaction recording it sent with its event, besides its share of the claim's.\n\n",
		sd.Status, sd.Counts.Counts.Recipients, sd.Counts.Counts.Sent, sd.Counts.Counts.Failed, sd.Counts.Counts.Excluded, sd.Counts.Excluded.NoConsent,
		float64(sd.CPUPerMail)/float64(time.Millisecond), float64(sd.SignCost)/float64(time.Millisecond), sd.CommitsPerMail,
		1000/sd.SteadyRate())

	t := r.Track
	fmt.Fprintf(w, "### Tracking endpoints\n\n%d open and click links read from the first %d mails the sink kept, requested %d times each way at %d a second, alternately an open and a click, each started at its due time on a pool of keep-alive connections whatever the others do, after 200 sequential warm-up requests, with a browser's User-Agent: straight on the service's `/public/v1/t/o|c/{token}` with an internal token of the public principal (UserID public, marketing:public) as the gateway mints it, then as the mails hold them, through the real gateway (`<gateway>/m/<tenant id>/t/o|c/{token}`: no credentials; the gateway finds the active tenant, applies its public limits — raised out of the way, every request of the bench coming from one address — mints the public principal's internal token and forwards to marketing's `/public/v1/t/…` with X-Forwarded-For the client's address). Each hit verifies the link's HMAC, reads the message and records the open or click in `message_events` (the first a person makes also publishes message.opened|clicked) in a transaction; a click answers 302 to the signed target with its UTM tags. The raw baseline, run first, is the same client and schedule against an HTTP server of the bench answering the same paths with a constant 1×1 GIF or 302.\n\n",
		t.Links, trackingMails, t.Requests, t.Rate)
	fmt.Fprintf(w, "| path | requests | failed | p50 | p99 | max | goal |\n|---|---:|---:|---:|---:|---:|---|\n")
	fmt.Fprintf(w, "| raw: net/http server, constant GIF or 302 | %d | %d | %s | %s | %s | |\n", t.Requests, t.RawFailed, ms(t.Raw.P50), ms(t.Raw.P99), ms(t.Raw.Max))
	fmt.Fprintf(w, "| through the gateway: opens and clicks | %d | %d | %s | %s | %s | p99 ≤ %s %s |\n", t.Requests, t.GWFailed, ms(t.Gateway.P50), ms(t.Gateway.P99), ms(t.Gateway.Max),
		ms(goalTrackP99), verdict(t.GWFailed == 0 && t.Gateway.P99 <= goalTrackP99))
	fmt.Fprintf(w, "| … opens (GIF) | %d | | %s | %s | %s | |\n", t.Opens.Samples, ms(t.Opens.P50), ms(t.Opens.P99), ms(t.Opens.Max))
	fmt.Fprintf(w, "| … clicks (302) | %d | | %s | %s | %s | |\n", t.Clicks.Samples, ms(t.Clicks.P50), ms(t.Clicks.P99), ms(t.Clicks.Max))
	fmt.Fprintf(w, "| the service's /public/v1 directly | %d | %d | %s | %s | %s | |\n\n", t.Requests, t.Failed, ms(t.Direct.P50), ms(t.Direct.P99), ms(t.Direct.Max))
	fmt.Fprintf(w, "Ratios to the raw server: through the gateway p50 %.1f, p99 %.1f; direct p50 %.1f, p99 %.1f. The service recorded %d hits of the run in message_events, %d of them taken for a machine's",
		float64(t.Gateway.P50)/float64(t.Raw.P50), float64(t.Gateway.P99)/float64(t.Raw.P99),
		float64(t.Direct.P50)/float64(t.Raw.P50), float64(t.Direct.P99)/float64(t.Raw.P99), t.Recorded, t.Bots)
	if t.FirstError != "" {
		fmt.Fprintf(w, "; the first failure: `%s`", t.FirstError)
	}
	fmt.Fprintf(w, ". CPU per request (warm-ups included, from the processes' /metrics): the service %.2f ms direct; through the gateway, the gateway %.2f ms and the service %.2f ms. At %d requests a second that is %.1f of the machine's CPUs before PostgreSQL's share.\n\n",
		float64(t.DirectCPU)/float64(time.Millisecond), float64(t.GatewayCPU)/float64(time.Millisecond), float64(t.ServiceCPU)/float64(time.Millisecond),
		t.Rate, float64(t.Rate)*(t.GatewayCPU+t.ServiceCPU).Seconds())
}
