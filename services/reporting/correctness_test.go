package reporting_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// crSeedEnv names the variable that replays a seed the test printed.
const crSeedEnv = "REPORTING_CORRECTNESS_SEED"

// crSize scales each tenant's history: about 20,000 events in all, the
// redeliveries included.
const crSize = 1.5

// TestCorrectnessReportsMatchOracle publishes three tenants' random
// histories (about 20,000 events) to topics of 3 partitions, with ~3%
// of the events redelivered and ~5% of an entity's events published
// before its first one, waits until every event is applied,
// and compares every row and figure of every report, under several
// parameters, with an oracle computed from the histories (exact
// equality); each tenant's figures are its own.
func TestCorrectnessReportsMatchOracle(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(crSeedEnv); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", crSeedEnv, err)
		}
		seed = v
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("seed %d (replay: %s=%d)", seed, crSeedEnv, seed)
		}
	})
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	var worlds []*crWorld
	for i := range 3 {
		worlds = append(worlds, newWorld(t, r, i, crSize))
	}
	order := crOrder(r, worlds)
	e := newEnvPartitions(t, 3)
	start := time.Now()
	e.crPublish(order)
	for _, w := range worlds {
		for ctx, n := range w.distinct() {
			e.crWait(w.tenant, ctx, n)
		}
	}
	t.Logf("seed %d: %d events published (%d distinct) and applied in %s", seed, len(order), len(order)-crDuplicates(order),
		time.Since(start).Round(time.Second))
	early := crEarly(order)
	t.Logf("published before their entity's creation: %v", early)
	for _, typ := range []string{"sales.opportunity.stage_changed", "support.case_entry.created", "contacts.contact.erased"} {
		if early[typ] == 0 {
			t.Fatalf("no %s published before its entity's creation: %v", typ, early)
		}
	}
	u := newUser("")
	rows := map[string]int{}
	for _, w := range worlds {
		u.tenant = w.tenant
		for _, c := range crCases() {
			rows[c.report] += e.crCompare(t, u, w, c)
		}
	}
	t.Logf("rows compared: %v", rows)
}

// crCase is a report and the parameters it is compared under.
type crCase struct {
	report string
	p      crParams
}

// crCases are the reports and parameters compared: each report under
// a few intervals and groupings, over the whole history and over part of
// it.
func crCases() []crCase {
	all := crParams{from: crStart, to: crEnd}
	part := crParams{from: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)}
	with := func(p crParams, interval, groupBy string) crParams {
		p.interval, p.groupBy = interval, groupBy
		return p
	}
	inGBP := func(p crParams) crParams {
		p.currency = "GBP"
		return p
	}
	var out []crCase
	add := func(report string, ps ...crParams) {
		for _, p := range ps {
			out = append(out, crCase{report, p})
		}
	}
	add("funnel", with(all, "month", ""), with(all, "quarter", "owner"), with(part, "month", "source"), with(all, "month", "campaign"),
		with(part, "quarter", "team"))
	add("pipeline", with(all, "month", ""), with(all, "quarter", "owner"), with(part, "month", "pipeline"), inGBP(with(all, "month", "team")))
	add("pipeline-stages", with(all, "", "pipeline"), with(part, "", "pipeline"), inGBP(with(part, "", "pipeline")))
	add("lead-sources", with(all, "month", "source"), with(part, "quarter", "campaign"), inGBP(with(all, "quarter", "source")))
	for _, m := range []string{"", "first_touch", "last_touch", "linear"} {
		p := with(all, "", "campaign")
		p.model = m
		add("campaign-roi", p)
	}
	add("campaign-roi", with(part, "", "campaign"), inGBP(with(all, "", "campaign")))
	add("forecast", with(all, "month", "owner"), with(all, "quarter", "owner"), with(all, "month", "team"), with(part, "quarter", "team"),
		inGBP(with(all, "quarter", "owner")))
	add("lifecycle", with(all, "month", ""), with(all, "quarter", "owner"), with(part, "month", "source"))
	add("lifecycle-flows", with(all, "month", ""), with(part, "quarter", ""))
	add("customer-value", with(all, "", ""), with(all, "", "segment"), with(part, "", "industry"), with(part, "", "owner"),
		inGBP(with(all, "", "")))
	add("service", with(all, "month", ""), with(all, "quarter", "channel"), with(part, "month", "queue"), with(all, "month", "priority"),
		with(all, "quarter", "owner"))
	add("activity", with(all, "month", "owner"), with(part, "quarter", "team"), with(all, "month", "type"))
	scoped := map[string]bool{}
	for _, c := range append([]crCase{}, out...) { // each report's first parameters as a caller of scope own
		if !scoped[c.report] {
			scoped[c.report] = true
			c.p.own = "owner-b"
			out = append(out, c)
		}
	}
	return out
}

// oracle returns the rows the report of c must answer for w.
func (w *crWorld) oracle(c crCase) []crRow {
	switch c.report {
	case "funnel":
		return w.oracleFunnel(c.p)
	case "pipeline":
		return w.oraclePipeline(c.p)
	case "pipeline-stages":
		return w.oracleStages(c.p)
	case "lead-sources":
		return w.oracleLeadSources(c.p)
	case "campaign-roi":
		return w.oracleCampaignROI(c.p)
	case "forecast":
		return w.oracleForecast(c.p)
	case "lifecycle":
		return w.oracleLifecycle(c.p)
	case "lifecycle-flows":
		return w.oracleFlows(c.p)
	case "customer-value":
		return w.oracleValue(c.p)
	case "service":
		return w.oracleService(c.p)
	}
	return w.oracleActivity(c.p)
}

// query is c's query string.
func (c crCase) query() string {
	q := url.Values{"from": {c.p.from.Format(time.DateOnly)}, "to": {c.p.to.Format(time.DateOnly)}}
	for k, v := range map[string]string{"interval": c.p.interval, "groupBy": c.p.groupBy, "currency": c.p.currency, "model": c.p.model} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q.Encode()
}

// crCompare gets c's report as u and fails t unless every row equals the
// oracle's of w, printing the params and the first rows that differ; it
// returns how many rows the oracle has.
func (e *env) crCompare(t *testing.T, u user, w *crWorld, c crCase) int {
	t.Helper()
	path := "/v1/reports/" + c.report + "?" + c.query()
	label := path
	if c.p.own != "" {
		u = u.scoped(auth.ScopeOwn)
		u.id = c.p.own
		label += " as " + c.p.own + " of scope own"
	}
	res := e.do(u, http.MethodGet, path, nil)
	if res.Status != http.StatusOK {
		t.Errorf("tenant %s %s: status %d: %s", w.tenant, label, res.Status, res.Raw)
		return 0
	}
	var body struct {
		Rows []map[string]any `json:"rows"`
	}
	dec := json.NewDecoder(bytes.NewReader(res.Raw))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	cols := oracleColumns[c.report]
	got := make([]crRow, len(body.Rows))
	for i, row := range body.Rows {
		got[i] = crRow{}
		for _, col := range cols {
			got[i][col] = crCell(row[col])
		}
	}
	want := w.oracle(c)
	for i := 0; i < max(len(got), len(want)); i++ {
		if i < len(got) && i < len(want) && crLine(cols, got[i]) == crLine(cols, want[i]) {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "tenant %s GET %s: %d rows, oracle %d; first difference at row %d (columns %s)\n", w.tenant, label,
			len(got), len(want), i, strings.Join(cols, ","))
		for j := max(0, i-1); j < min(max(len(got), len(want)), i+3); j++ {
			if j < len(got) {
				fmt.Fprintf(&b, "  got  %d: %s\n", j, crLine(cols, got[j]))
			}
			if j < len(want) {
				fmt.Fprintf(&b, "  want %d: %s\n", j, crLine(cols, want[j]))
			}
		}
		t.Error(b.String())
		break
	}
	return len(want)
}

// crCell is a JSON value as crRow holds it.
func crCell(v any) string {
	switch x := v.(type) {
	case nil:
		return crNull
	case string:
		return crS(x)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprintf("?%v", v)
}

// crLine writes a row's cells in the columns' order.
func crLine(cols []string, r crRow) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = r[c]
	}
	return strings.Join(parts, " ")
}

// crOrder is the order the worlds' events are published in: the tenants'
// histories interleaved, ~5% of an entity's later events swapped with
// its first one (a stage change before its opportunity's creation, a
// reply before its case; half the erasures before their contact's
// creation), then ~3% published again at a random place (a redelivery).
func crOrder(r *rand.Rand, worlds []*crWorld) []crEvent {
	var order []crEvent
	pos := make([]int, len(worlds))
	for {
		left := 0
		for i, w := range worlds {
			left += len(w.evs) - pos[i]
		}
		if left == 0 {
			break
		}
		n := r.IntN(left)
		for i, w := range worlds {
			if rest := len(w.evs) - pos[i]; n < rest {
				order = append(order, w.evs[pos[i]])
				pos[i]++
				break
			} else {
				n -= rest
			}
		}
	}
	first := map[string]int{} // subject → index of its first event in order
	for i := range order {
		key := order[i].ev.TenantID + "/" + order[i].ev.Subject
		if j, ok := first[key]; !ok {
			first[key] = i
		} else if r.Float64() < 0.05 || strings.HasSuffix(order[i].ev.Type, ".contact.erased.v1") && r.Float64() < 0.5 {
			order[i], order[j] = order[j], order[i]
		}
	}
	for range len(order) * 3 / 100 {
		dup := order[r.IntN(len(order))]
		at := r.IntN(len(order) + 1)
		order = append(order[:at], append([]crEvent{dup}, order[at:]...)...)
	}
	return order
}

// crEarly counts, by type ("sales.opportunity.stage_changed"), the
// events of order published before the creation of their subject (an
// entity's *.created event, which the history has for every subject with
// a later event but forecasts, merges, breaches and surveys).
func crEarly(order []crEvent) map[string]int {
	created := map[string]bool{}
	out := map[string]int{}
	for _, c := range order {
		key := c.ev.TenantID + "/" + c.ev.Subject
		typ := strings.TrimSuffix(strings.TrimPrefix(c.ev.Type, "dev.rapport."), ".v1")
		switch {
		case strings.HasSuffix(typ, ".created") && !strings.HasPrefix(typ, "support.case_entry"):
			created[key] = true
		case !created[key]:
			out[typ]++
		}
	}
	return out
}

// crDuplicates counts the events of order published more than once.
func crDuplicates(order []crEvent) int {
	seen := map[string]bool{}
	n := 0
	for _, c := range order {
		if seen[c.ev.ID] {
			n++
		}
		seen[c.ev.ID] = true
	}
	return n
}

// distinct counts w's events by source context.
func (w *crWorld) distinct() map[string]int64 {
	out := map[string]int64{}
	for _, c := range w.evs {
		out[c.source]++
	}
	return out
}

// crPublish publishes order in batches of many records per
// events.Publisher.Publish call, each keyed by its subject.
func (e *env) crPublish(order []crEvent) {
	e.t.Helper()
	p := events.NewPublisher(e.brokers)
	defer p.Close()
	msgs := make([]kafka.Message, len(order))
	for i, c := range order {
		msgs[i] = c.ev.Message(registry.MustTopic("", c.source))
	}
	for len(msgs) > 0 {
		n := min(len(msgs), 2000)
		if err := p.Publish(context.Background(), msgs[:n]...); err != nil {
			e.t.Fatal(err)
		}
		msgs = msgs[n:]
	}
}

// crWait waits until n events of context were applied to tenant's read
// models (waitEvents, with the time a large history takes).
func (e *env) crWait(tenant, context string, n int64) {
	e.t.Helper()
	testkit.Eventually(e.t, 240*time.Second, context+" events applied", func() (bool, string) {
		got, err := e.applied(tenant, context)
		if err != nil {
			return false, err.Error()
		}
		return got >= n, fmt.Sprintf("tenant %s: %d of %d applied", tenant, got, n)
	})
}
