package main

import (
	"fmt"
	"io"
	"time"
)

// writeLeadsSection renders part 10's lead assignment and lead creation.
func writeLeadsSection(w io.Writer, a assignRun, c leadCreate) {
	fmt.Fprintf(w, "### Lead assignment\n\n")
	fmt.Fprintf(w, "A tenant of its own gets %d assignment rules through `POST /v1/lead-assignment-rules` and %d new leads owned by `%s`, loaded straight in SQL as the database owner in %s (not timed): the g-th of source `source-(g mod 20)`, rated hot, warm or cold by g mod 3, every seventh's company an Acme. Rule k < 19 takes source-k's leads (all, the hot and warm, or those not of an Acme) for a team of its own %d members, in round robin but every fourth least loaded; some caps are reached by every member (50, and least loaded's 80: the rest pass to the next rule), one only by a first member who owned %d open leads before (150); the last rule takes every lead for %d members in round robin without a cap. Then one `POST /v1/leads/assign` with `{\"filter\": {\"field\": \"ownerId\", \"op\": \"eq\", \"value\": \"%s\"}}` is timed: the service's batches of 500 leads, each its own transaction (one query matching every rule, the rotations locked, the members' advisory locks and open leads, one UPDATE of the batch, `lead.assigned` for each into the outbox; relay running). Afterwards, in SQL: each member's open leads against the rule's cap, and per rule the leads it gave each member, with the spread (max − min) among the members below the cap. The raw baseline, measured after, gives the same %d leads a new owner, team and reason by one `UPDATE leads … WHERE id = $1` each, %d to a transaction (`pg.WithTenantTx`, the runtime role, RLS), the transactions one after another as the service's batches run.\n\n",
		assignRules, assignLeads, assignQueue, a.Load.Round(time.Millisecond), assignMembers, assignPreloaded, assignCatchAll, assignQueue, assignLeads, assignBaselineTx)
	fmt.Fprintf(w, "| rule | condition | strategy | cap | assigned | members at cap | most open leads | spread below the cap |\n|---:|---|---|---:|---:|---:|---:|---:|\n")
	for k, r := range a.Rules {
		capText := "—"
		if r.Cap > 0 {
			capText = fmt.Sprint(r.Cap)
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %d | %d/%d | %d | %d |\n", k, r.Condition, r.Strategy, capText, r.Assigned, r.AtCap, len(r.Members), r.MostOpen, r.Spread)
	}
	fmt.Fprintf(w, "\n| measurement | sales | raw baseline | ratio | goal |\n|---|---:|---:|---:|---|\n")
	fmt.Fprintf(w, "| %d leads through %d rules in %s (%d assigned by a rule) vs %d single-row UPDATEs | %.0f leads/s | %.0f rows/s | %.2f | ≥ %.0f leads/s %s |\n",
		a.Leads, assignRules, ms(a.Took), a.Assigned, assignLeads, a.Rate, a.Baseline, a.Rate/a.Baseline, goalAssignRate, verdict(a.Rate >= goalAssignRate))
	fmt.Fprintf(w, "| members above their cap | %d | | | none %s |\n", a.OverCap, verdict(a.OverCap == 0))
	fmt.Fprintf(w, "| round-robin rules whose members below the cap differ by more than one lead | %d | | | none %s |\n", a.Uneven, verdict(a.Uneven == 0))
	fmt.Fprintf(w, "| leads left without a rule | %d | | | none %s |\n\n", a.Unassigned, verdict(a.Unassigned == 0))

	fmt.Fprintf(w, "### Lead create\n\n")
	fmt.Fprintf(w, "%d clients × %d `POST /v1/leads` in a tenant of its own without assignment rules (validation, E.164, the custom fields' and scoring's reads, insert, duplicate check on email and phone, `lead.created` into the outbox, relay running), each lead with a distinct name, company, email and phone. The same-schema ceiling, measured after at the same concurrency and count, inserts the very leads the creates stored (every column the service writes, each with a new UUIDv7 id and the current time) one per transaction into `lead_ceiling`, a copy of the service's `leads` table (`LIKE leads INCLUDING ALL`: the generated column, checks and every index, with the same row-level security), as the runtime role in a tenant transaction (`pg.WithTenantTx`), each with the outbox insert of a `lead.created` carrying a created lead's JSON (`outbox.Add`, its `pg_notify` included), as contacts' ceiling does without the outbox. It leaves out HTTP, tokens, validation, the reads of custom fields, scoring and assignment rules, and the duplicate check.\n\n",
		createWriters, createPerWriter)
	fmt.Fprintf(w, "| measurement | sales | ceiling | ratio |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(w, "| creates/s at concurrency %d vs same-schema INSERT + outbox transactions/s | %.0f | %.0f | %.2f |\n", createWriters, c.Rate, c.Ceiling, c.Rate/c.Ceiling)
	fmt.Fprintf(w, "| create latency p50 / p99 / max | %s / %s / %s | | |\n\n", ms(c.Latency.P50), ms(c.Latency.P99), ms(c.Latency.Max))
}
