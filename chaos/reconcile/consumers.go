package reconcile

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	_ "github.com/lib/pq" // the PostgreSQL driver

	"github.com/rapport-crm/rapport/chaos/load"
)

// audience checks the marketing service's projection of contacts: every
// live contact once, nothing else.
func audience(ctx context.Context, a api, live map[string]bool) (Check, error) {
	items, err := a.list(ctx, "/v1/audience/contacts")
	if err != nil {
		return Check{}, err
	}
	t := tally{c: Check{Tenant: a.t.Slug, Name: "audience projection = live contacts", Want: len(live)}}
	seen := map[string]int{}
	for _, it := range items {
		var c struct{ ID string }
		if err := json.Unmarshal(it, &c); err != nil {
			return Check{}, err
		}
		seen[c.ID]++
	}
	for id, n := range seen {
		switch {
		case !live[id]:
			t.c.Extra++
			t.note("projected but not live " + id)
		case n > 1:
			t.c.Duplicated += n - 1
		}
		t.c.Got++
	}
	for id := range live {
		if seen[id] == 0 {
			t.c.Lost++
			t.note("not projected " + id)
		}
	}
	return t.done(), nil
}

// reporting checks the pipeline-stages report's open opportunities per
// stage of the load's pipeline against the sales service's list.
func reporting(ctx context.Context, a api, opps []opportunity) (Check, error) {
	f := fmt.Sprintf(`{"field":"pipelineId","op":"eq","value":%q}`, a.t.Pipeline)
	var rep struct {
		Rows []map[string]any `json:"rows"`
	}
	if _, err := a.get(ctx, "/v1/reports/pipeline-stages?filter="+url.QueryEscape(f), &rep); err != nil {
		return Check{}, err
	}
	source := map[string]int{}
	for _, o := range opps {
		source[o.StageID]++
	}
	t := tally{c: Check{Tenant: a.t.Slug, Name: "reporting open opportunities per stage = sales", Want: len(opps)}}
	for _, r := range rep.Rows {
		stage, _ := r["stage"].(string)
		n, _ := r["open"].(float64)
		got, want := int(n), source[stage]
		t.c.Got += got
		if got < want {
			t.c.Lost += want - got
			t.note(fmt.Sprintf("stage %s: %d, sales %d", stage, got, want))
		} else if got > want {
			t.c.Duplicated += got - want
			t.note(fmt.Sprintf("stage %s: %d, sales %d", stage, got, want))
		}
	}
	return t.done(), nil
}

// accountTimeline checks that every opportunity the load created (on the
// tenant's account) shows once in the account's timeline as
// sales.opportunity.created (the contacts service's consumer of sales'
// events).
func accountTimeline(ctx context.Context, a api, entries []load.Entry) (Check, error) {
	t := tally{c: Check{Tenant: a.t.Slug, Name: "account timeline: an opportunity-created entry per opportunity, exactly once"}}
	items, err := a.list(ctx, "/v1/accounts/"+a.t.Account+"/timeline?type=sales")
	if err != nil {
		return Check{}, err
	}
	created, err := countRelated(items, "sales.opportunity.created")
	if err != nil {
		return Check{}, err
	}
	for _, e := range entries {
		if e.Kind == load.KindOppCreate && e.Outcome == load.Acked {
			t.want("opportunity "+e.ID, load.Acked, created[e.ID])
		}
	}
	return t.done(), nil
}

// timeline checks that every case opened on a contact shows once in the
// contact's timeline (the contacts service's consumer of support's
// events), following a merged contact to its winner.
func timeline(ctx context.Context, a api, entries []load.Entry) (Check, error) {
	t := tally{c: Check{Tenant: a.t.Slug, Name: "timeline: a case-opened entry per case, exactly once"}}
	byContact := map[string][]string{}
	for _, e := range entries {
		if e.Kind == load.KindCaseCreate && e.Outcome == load.Acked && e.Target != "" {
			byContact[e.Target] = append(byContact[e.Target], e.ID)
		}
	}
	for contact, caseIDs := range byContact {
		items, err := a.list(ctx, a.resolve(ctx, "/v1/contacts/"+contact)+"/timeline?type=support")
		if err != nil {
			return Check{}, err
		}
		opened, err := countRelated(items, "support.case.created")
		if err != nil {
			return Check{}, err
		}
		for _, id := range caseIDs {
			t.want("case "+id, load.Acked, opened[id])
		}
	}
	return t.done(), nil
}

// countRelated counts the timeline entries of type typ in items by the
// record of another service each is about (event.related.id).
func countRelated(items []json.RawMessage, typ string) (map[string]int, error) {
	n := map[string]int{}
	for _, it := range items {
		var en struct {
			Type  string
			Event struct {
				Related struct{ ID string }
			}
		}
		if err := json.Unmarshal(it, &en); err != nil {
			return nil, err
		}
		if en.Type == typ {
			n[en.Event.Related.ID]++
		}
	}
	return n, nil
}

// Receiver is the webhook receiver's record of deliveries per tenant: each
// event id with how many times it came.
type Receiver interface {
	Received(slug string) map[string]int
}

// webhooks checks that the tenant's receiver got every event of the
// tenant the platform published (read from the topics) after its
// subscription was made, duplicates
// counted apart as at-least-once redeliveries (Check.Duplicated is not a
// failure here: see Redeliveries).
func webhooks(t *load.Tenant, recv Receiver, published []Record, poison string) (Check, int) {
	got := recv.Received(t.Slug)
	c := tally{c: Check{Tenant: t.Slug, Name: "webhooks: every published event delivered"}}
	want := map[string]string{}
	early := map[string]bool{} // published before the subscription: delivered or not
	for _, r := range published {
		if r.Tenant == t.ID && !r.Time.After(t.HookSince) {
			early[r.ID] = true
		}
		if r.Tenant == t.ID && !r.DLQ() && r.ID != poison && r.Time.After(t.HookSince) {
			want[r.ID] = r.Type
		}
	}
	redeliveries := 0
	for id, typ := range want {
		c.c.Want++
		if got[id] == 0 {
			c.c.Lost++
			c.note("not delivered " + typ + " " + id)
		} else {
			c.c.Got++
			redeliveries += got[id] - 1
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok && id != poison && !early[id] {
			c.c.Extra++
			c.note("delivered but not published " + id)
		}
	}
	return c.done(), redeliveries
}

// dlq checks that the only record of every dead-letter topic is the
// poison one.
func dlq(published []Record, poison string) Check {
	c := tally{c: Check{Tenant: "all", Name: "DLQs hold the poison event only"}}
	var topics []string
	for _, r := range published {
		if !r.DLQ() {
			continue
		}
		c.c.Got++
		if r.ID == poison {
			c.c.Want++
			if !slices.Contains(topics, r.Topic) {
				topics = append(topics, r.Topic)
			}
			continue
		}
		c.c.Extra++
		c.note(fmt.Sprintf("%s: %s %s (from %s: %.160s)", r.Topic, r.Type, r.ID, r.Origin, r.Error))
	}
	if poison != "" && c.c.Want == 0 {
		c.c.Lost++
		c.note("the poison event reached no DLQ")
	}
	if len(c.samples) == 0 {
		c.note("poison in " + strings.Join(topics, ", "))
	}
	return c.done()
}

// outboxes checks that every service database's outbox is empty: every
// event written was published.
func outboxes(ctx context.Context, dsns map[string]string) (Check, error) {
	c := tally{c: Check{Tenant: "all", Name: "outboxes empty (every row published)"}}
	names := make([]string, 0, len(dsns))
	for svc := range dsns {
		names = append(names, svc)
	}
	slices.Sort(names)
	for _, svc := range names {
		db, err := sql.Open("postgres", dsns[svc])
		if err != nil {
			return Check{}, err
		}
		var n int
		var has bool
		err = db.QueryRowContext(ctx, `SELECT to_regclass('outbox') IS NOT NULL`).Scan(&has)
		if err == nil && has {
			err = db.QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&n)
		}
		db.Close()
		if err != nil {
			return Check{}, fmt.Errorf("%s outbox: %w", svc, err)
		}
		if !has {
			continue
		}
		c.c.Want++
		if n > 0 {
			c.c.Lost += n
			c.note(fmt.Sprintf("%s: %d rows", svc, n))
		} else {
			c.c.Got++
		}
	}
	return c.done(), nil
}
