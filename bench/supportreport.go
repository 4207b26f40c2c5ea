package main

import (
	"fmt"
	"io"
	"time"
)

// writeSupportSection renders part 12.
func writeSupportSection(w io.Writer, r supportRun) {
	fmt.Fprintf(w, "## 12. Support: queue view, KB search, inbound mail and SLA recomputation\n\n")
	fmt.Fprintf(w, "The real `services/support` binary on a scratch database and an in-process Kafka (topics rapport.support.v1 and rapport.contacts.v1), its SMTP listener on (`SUPPORT_SMTP_ADDR`) and its outbound mail relayed (`SUPPORT_SMTP_URL`) to a go-smtp server of the bench, with internal tokens signed as the gateway signs them, of an agent with support:read, write and admin. One tenant gets %d cases, loaded straight in SQL as the database owner in %s (`INSERT … SELECT … FROM generate_series`, 100,000 a statement): over %d queues and %d agents, four priorities and five channels, one created every minute back from now; %d (%.0f%%) being worked (new, open, pending customer, on hold) with an SLA due over −2 … +12 days (one in ten none), the rest solved or closed. Beside that load, at the same time, %d knowledge-base articles through the API (`POST /v1/kb/articles` then its publish, %d at a time) in %s, as services/support's BenchmarkSearch builds them: half zh-CN, half en, words drawn by a Zipf law from 3,000 words per language (Chinese words of two common characters), 5-word titles and 200-word bodies, a third internal. Then `VACUUM ANALYZE` and a `CHECKPOINT` (%s). The machine is shared: its load average (1, 5, 15 min) was %s when the part began and %s when it ended.\n\n",
		r.Cases, r.Load.Round(time.Millisecond), supportQueues, supportAgents, r.Open, 100*float64(r.Open)/float64(max(r.Cases, 1)),
		r.Articles, kbLoaders, r.KBLoad.Round(time.Millisecond), r.Settle.Round(time.Millisecond), r.LoadBefore, r.LoadAfter)

	fmt.Fprintf(w, "### Queue view\n\nRequests of agent-7, sequential, %d each after %d warm-up. A page is 50 cases (the default). The raw baseline is the first page's SQL, as `cases/list.go` renders it, through database/sql as the application role in a tenant transaction (`pg.WithTenantTx`: set_config, RLS), every row read.\n\n", salesRequests, salesWarmup)
	fmt.Fprintf(w, "| request | items | p50 | p99 | max | goal |\n|---|---:|---:|---:|---:|---|\n")
	for _, c := range r.Queue {
		goal := ""
		if c.Goal {
			goal = fmt.Sprintf("p99 ≤ %s %s", ms(goalQueueP99), verdict(c.Latency.P99 <= goalQueueP99))
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s |\n", c.Name, c.Items, ms(c.Latency.P50), ms(c.Latency.P99), ms(c.Latency.Max), goal)
		if c.Raw != nil {
			fmt.Fprintf(w, "| raw: its SQL through database/sql | 51 rows | %s | %s | %s | ratio p50 %.2f, p99 %.2f |\n", ms(c.Raw.P50), ms(c.Raw.P99), ms(c.Raw.Max),
				float64(c.Latency.P50)/float64(c.Raw.P50), float64(c.Latency.P99)/float64(c.Raw.P99))
		}
	}
	fmt.Fprintf(w, "\nThe API takes one queue per request: an agent of several queues asks for each. EXPLAIN ANALYZE of (a)'s SQL as the application role:\n\n```\n%s\n```\n\n", r.QueueExplain)

	fmt.Fprintf(w, "### KB search\n\n`GET /v1/kb/search?q=…&limit=10` over the %d published articles, %d requests after %d warm-up, the queries of the mix in turn (BenchmarkSearch's). The raw baseline reads, through database/sql as the application role in a tenant transaction, the postings (`kb_terms`, the index the service's search reads) of the same query's terms — its words other than Chinese made lexemes by `to_tsvector('english', …)`, its Chinese words' bigrams — and keeps the best 10 articles having them all by the sum of their weights: the least a ranked search over this index costs, without the service's idf, phrase check, article and text reads or highlights (a one-character query, a prefix search, is left out of it).\n\n", r.Articles, kbRequests, kbWarmup)
	fmt.Fprintf(w, "| query | q | hits | p50 | p99 | max | raw hits | raw p50 | raw p99 |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, k := range r.KB {
		raw := "| — | — | — |"
		if k.RawInMix {
			raw = fmt.Sprintf("| %d | %s | %s |", k.RawHits, ms(k.Raw.P50), ms(k.Raw.P99))
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s %s\n", k.Name, k.Q, k.Hits, ms(k.Latency.P50), ms(k.Latency.P99), ms(k.Latency.Max), raw)
	}
	fmt.Fprintf(w, "\n| measurement | p50 | p99 | max | goal |\n|---|---:|---:|---:|---|\n")
	fmt.Fprintf(w, "| the whole mix through the service | %s | %s | %s | p99 ≤ %s %s |\n", ms(r.KBAll.P50), ms(r.KBAll.P99), ms(r.KBAll.Max), ms(goalKBP99), verdict(r.KBAll.P99 <= goalKBP99))
	fmt.Fprintf(w, "| raw postings reads of the mix (no one-character query) | %s | %s | %s | ratio p50 %.2f, p99 %.2f |\n", ms(r.KBRaw.P50), ms(r.KBRaw.P99), ms(r.KBRaw.Max),
		float64(r.KBAll.P50)/float64(r.KBRaw.P50), float64(r.KBAll.P99)/float64(r.KBRaw.P99))
	fmt.Fprintf(w, "| floor: GET /v1/kb/articles/{id} | %s | %s | %s | |\n\n", ms(r.KBFloor.P50), ms(r.KBFloor.P99), ms(r.KBFloor.Max))
	fmt.Fprintf(w, "EXPLAIN ANALYZE as the application role of hand-written SQL of the shape `kb/store_search.go` and `kb/candidates.go` render for the first query (one bigram; the service first parses the query in a statement of its own and then highlights the hits in Go):\n\n```\n%s\n```\n\n", r.KBExplain)

	in, raw := r.Inbound, r.InboundRaw
	fmt.Fprintf(w, "### Inbound mail over SMTP\n\n%d mails a second for %s to the tenant's mailbox (auto-acknowledging), each on a connection of its own started at its due time whatever the others do, each from a sender of its own (the service takes a sender's 21st mail in a minute for a loop), with a Base64 UTF-8 subject and a text body in Chinese and English, sent with go-smtp's client. The listener answers DATA only once the mail is kept, its case opened (or threaded) and its acknowledgement handed to the relay (`email/receive.go`), so DATA → 250 is the time to a case created and acknowledged; DATA → acknowledgement is when the relay had the answer (matched by its In-Reply-To). The raw baseline is the same client and schedule against a go-smtp server of the bench that reads each mail and forgets it. Before the paced run, %d mails one at a time (each sent once the last one's acknowledgement arrived) give the service's time for a mail without the others' load, and warm it up.\n\n", inboundRate, *supportSMTP, inboundOneByOne)
	fmt.Fprintf(w, "| path | mails | refused | answered/s | DATA → 250 p50 / p99 / max | session from due time p50 / p99 | DATA → acknowledgement p50 / p99 / max | goal |\n|---|---:|---:|---:|---|---|---|---|\n")
	fmt.Fprintf(w, "| raw go-smtp server | %d | %d | %.1f | %s / %s / %s | %s / %s | — | |\n", raw.Sent, raw.Failed, raw.Rate(),
		ms(raw.Data.P50), ms(raw.Data.P99), ms(raw.Data.Max), ms(raw.Session.P50), ms(raw.Session.P99))
	fmt.Fprintf(w, "| support's listener | %d | %d | %.1f | %s / %s / %s | %s / %s | %s / %s / %s (%d of %d) | p99 ≤ %s %s |\n", in.Sent, in.Failed, in.Rate(),
		ms(in.Data.P50), ms(in.Data.P99), ms(in.Data.Max), ms(in.Session.P50), ms(in.Session.P99), ms(in.Ack.P50), ms(in.Ack.P99), ms(in.Ack.Max),
		in.Acked, in.Sent-in.Failed, ms(goalInboundP99), verdict(in.Failed == 0 && in.Acked == in.Sent && in.Data.P99 <= goalInboundP99))
	one := r.InboundOne
	fmt.Fprintf(w, "| support's listener, one mail at a time | %d | %d | %.1f | %s / %s / %s | | %s / %s / %s (%d of %d) | |\n", one.Sent, one.Failed, one.Rate(),
		ms(one.Data.P50), ms(one.Data.P99), ms(one.Data.Max), ms(one.Ack.P50), ms(one.Ack.P99), ms(one.Ack.Max), one.Acked, one.Sent)
	fmt.Fprintf(w, "\nDuring the paced run, per mail, the service's process used %.1f ms of CPU, its database committed %.1f transactions and the server wrote %.0f bytes of WAL (the outbox relay's, the consumers' — SLA clocks, queues, contracts, surveys, email — and the jobs' included; the process's CPU time counted between two reads of its /metrics 1.5 s apart from the run's ends).\n",
		float64(r.CPUPerMail)/float64(time.Millisecond), r.CommitsPerMail, r.WALPerMail)
	fmt.Fprintf(w, "\nThe service opened %d cases from the %d mails it took (checked in the database after the run)", r.EmailCases, in.Sent+one.Sent)
	if in.FirstError != "" {
		fmt.Fprintf(w, "; the first refusal: `%s`", in.FirstError)
	}
	fmt.Fprintf(w, ".\n\n")

	s := r.SLA
	fmt.Fprintf(w, "### SLA recomputation after a calendar edit\n\nA business calendar (Asia/Shanghai, weekdays 09:00–12:00 and 13:00–18:00) and a policy on it (first-response and resolution targets for every priority) through the API; then, as the owner in %s, a running first-response and resolution clock of the policy for the first %d open cases (%d clocks, started in the last hour so that few warnings or breaches fall due for the sweep meanwhile, due as if every minute were a business minute, each case's `sla_due_at` its clocks' nearest), `ANALYZE` and a `CHECKPOINT`. The edit is one `PATCH /v1/business-calendars/{id}` of the time zone (Asia/Shanghai → Asia/Tokyo), which asks (a row of `sla_recomputes`) for the recomputation of every running clock of the policies on the calendar; the service's job, every second on each instance, works through it 5,000 clocks a transaction (`sla/recompute.go`): the edit is done when the row is gone (looked for every %s as the owner). The raw baselines move every clock an hour with the service's own statements through database/sql, 5,000 clocks a tenant transaction as the application role — the batch read with the case's priority, the `jsonb_to_recordset` update of the clocks and the update of the cases' `sla_due_at` — without the calendar arithmetic, the clocks' history, the claim of the recomputation and the job's wait.\n\n",
		s.Load.Round(time.Millisecond), s.Cases, s.Clocks, slaPoll)
	fmt.Fprintf(w, "| measurement | clocks | PATCH answered | PATCH → every clock recomputed | goal |\n|---|---|---:|---:|---|\n")
	fmt.Fprintf(w, "| time-zone edit (Asia/Shanghai → Asia/Tokyo) | %d running, %d with a due time, %d moved; %d cases' sla_due_at not their clocks' nearest due | %s | %s | ≤ %s %s |\n",
		s.Running, s.Due, s.Moved, s.CasesOff, s.Zone.Answer.Round(time.Millisecond), s.Zone.Done.Round(time.Millisecond), goalSLARecompute,
		verdict(s.Zone.Done <= goalSLARecompute && s.Due == s.Running && s.CasesOff == 0))
	rr := s.Raw
	fmt.Fprintf(w, "| raw: the same statements through database/sql, every due an hour later | %d | | %s | ratio %.2f |\n", s.Running, rr.Took.Round(time.Millisecond),
		s.Zone.Done.Seconds()/rr.Took.Seconds())
	rb := s.RawBounded
	fmt.Fprintf(w, "| raw, the read bounded (`JOIN cases c ON c.id = k.case_id AND c.id >= $2`) | %d | | %s | ratio %.2f |\n\n", s.Running, rb.Took.Round(time.Millisecond),
		s.Zone.Done.Seconds()/rb.Took.Seconds())
	fmt.Fprintf(w, "| raw baseline | batches | reading the clocks | writing them | writing the cases' due times | the rest (BEGIN, set_config, COMMIT, JSON) |\n|---|---:|---:|---:|---:|---:|\n")
	for _, x := range []struct {
		name string
		r    rawRecomputeRun
	}{{"the service's statements", rr}, {"the read bounded", rb}} {
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s |\n", x.name, x.r.Batches, x.r.Read.Round(time.Millisecond), x.r.WriteClocks.Round(time.Millisecond),
			x.r.WriteCases.Round(time.Millisecond), (x.r.Took - x.r.Read - x.r.WriteClocks - x.r.WriteCases).Round(time.Millisecond))
	}
	fmt.Fprintf(w, "\nThe service's read of a batch (`sla/recompute.go`, recomputeSQL) joins the cases by id alone after a row comparison on the clocks, from which the planner draws no bound on the cases: every batch reads the tenant's cases from the first (a merge join over `cases_pkey`, or a sequential scan and a hash join), so the reads grow with the cases of the tenant times the batches; the second baseline bounds them by the batch's first case.\n\n")
}
