package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/segmentio/kafka-go"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
)

// Sizes and goal of part 8 (issue 14): the timeline of a contact with
// 10,000 activities and 1,000 events of other services, first page p99 ≤
// 20 ms.
const (
	timelineActivities = 10_000
	timelineForeign    = 1_000
	timelineMerged     = 100     // activities of a contact merged into it
	timelineNoise      = 100_000 // activities of 5,000 other contacts of the tenant
	timelineUpdates    = 20      // PATCHes of the contact
	timelineRequests   = 1_000
	timelineWarmup     = 100
	goalTimelineP99    = 20 * time.Millisecond
)

// timelineFirstPage names the case the goal is about.
const timelineFirstPage = "(a) GET /v1/contacts/{id}/timeline, first page (50)"

// timelineCase is one request measured.
type timelineCase struct {
	Name    string
	Items   int
	Latency latency
}

// timelineRun holds the results of part 8.
type timelineRun struct {
	Load    time.Duration // the activities, as the database owner
	Consume time.Duration // the 1,000 events, from their publication to the last one recorded
	Entries int           // the first page's timeline holds, in all
	Cases   []timelineCase
	Explain string
}

// timelineTopics are the topics of the contexts the timeline consumes;
// the contacts stack has none of them until part 8 creates them.
var timelineTopics = []string{registry.Sales, registry.Support, registry.Marketing}

// measureTimeline starts the contacts binary, gives a contact 10,000
// activities (and a merged contact's 100, among 100,000 of other
// contacts), 20 updates and 1,000 events of sales, support and marketing
// through Kafka, and times pages of its timeline.
func measureTimeline(ctx context.Context, root string) (r timelineRun, err error) {
	stack, err := startContactsStack(ctx, root)
	if err != nil {
		return r, err
	}
	defer stack.Close()
	admin, err := pg.Open(stack.db.AdminURL, pg.Options{})
	if err != nil {
		return r, err
	}
	defer admin.Close()
	if err := createTopics(ctx, stack.brokers); err != nil {
		return r, err
	}
	tenant := newTenant()
	token := stack.tokens(auth.Principal{TenantID: tenant, UserID: "user-1", Roles: []string{"admin"},
		Permissions: []string{"*"}, RecordScope: map[string]auth.Scope{"*": auth.ScopeAll}})
	client := &http.Client{Timeout: 30 * time.Second}
	call := func(method, path, body string, header ...string) (map[string]any, error) {
		return benchCall(ctx, client, token, method, stack.base+path, body, header...)
	}
	contact, err := call("POST", "/v1/contacts", `{"firstName":"Ada","lastName":"Lovelace","emails":[{"address":"ada@example.org"}]}`)
	if err != nil {
		return r, err
	}
	loser, err := call("POST", "/v1/contacts?allowDuplicate=true", `{"firstName":"Augusta","lastName":"King"}`)
	if err != nil {
		return r, err
	}
	id, loserID := contact["id"].(string), loser["id"].(string)

	began := time.Now()
	if err := loadTimelineActivities(ctx, admin, tenant, id, loserID); err != nil {
		return r, err
	}
	r.Load = time.Since(began)
	for v := 1; v <= timelineUpdates; v++ {
		if _, err := call("PATCH", "/v1/contacts/"+id, fmt.Sprintf(`{"jobTitle":"Title %d"}`, v), "If-Match", fmt.Sprintf(`"%d"`, v)); err != nil {
			return r, err
		}
	}
	if _, err := call("POST", "/v1/contacts/"+id+"/merge", fmt.Sprintf(`{"loserId":%q}`, loserID),
		"If-Match", fmt.Sprintf(`"%d"`, timelineUpdates+1)); err != nil {
		return r, err
	}
	if r.Consume, err = publishTimelineEvents(ctx, admin, stack.brokers, tenant, id); err != nil {
		return r, err
	}
	fmt.Fprintf(os.Stderr, "bench: timeline: activities loaded in %s, %d events recorded %s after their publication\n",
		r.Load.Round(time.Millisecond), timelineForeign, r.Consume.Round(time.Millisecond))
	if _, err := admin.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
		return r, err
	}
	if _, err := admin.ExecContext(ctx, `CHECKPOINT`); err != nil {
		return r, err
	}
	r.Entries = timelineActivities + timelineMerged + timelineForeign + timelineUpdates + 3 // + 2 creations and the merge

	path := stack.base + "/v1/contacts/" + id + "/timeline"
	deep, err := timelineCursor(ctx, client, token, path, 20)
	if err != nil {
		return r, err
	}
	cases := []struct{ name, url string }{
		{timelineFirstPage, path},
		{"(b) the same, limit 200", path + "?limit=200"},
		{"(c) the 21st page of 50, by cursor", path + "?cursor=" + url.QueryEscape(deep)},
		{"(d) only other services' events (type=sales,support,marketing)", path + "?type=sales,support,marketing"},
		{"(e) GET /v1/activities?contact={id}, first page (50): the activities alone", stack.base + "/v1/activities?contact=" + id},
		{"floor: GET /v1/contacts/{id}", stack.base + "/v1/contacts/" + id},
	}
	for _, c := range cases {
		took := make([]time.Duration, 0, timelineRequests)
		items := 0
		for i := range timelineWarmup + timelineRequests {
			t := time.Now()
			n, _, err := timelineGet(ctx, client, token, c.url)
			if err != nil {
				return r, fmt.Errorf("%s: %w", c.name, err)
			}
			if i >= timelineWarmup {
				took = append(took, time.Since(t))
			}
			items = n
		}
		slices.Sort(took)
		r.Cases = append(r.Cases, timelineCase{Name: c.name, Items: items,
			Latency: latency{P50: quantile(took, 0.50), P99: quantile(took, 0.99), Max: took[len(took)-1], Samples: len(took)}})
	}
	r.Explain, err = timelineExplain(ctx, stack.db.AppURL, tenant, id)
	return r, err
}

// createTopics creates the topics (and dead-letter topics) of
// timelineTopics.
func createTopics(ctx context.Context, brokers []string) error {
	var topics []kafka.TopicConfig
	for _, name := range timelineTopics {
		t := registry.MustTopic("", name)
		topics = append(topics, kafka.TopicConfig{Topic: t, NumPartitions: partitions, ReplicationFactor: 1},
			kafka.TopicConfig{Topic: events.DLQ(t), NumPartitions: partitions, ReplicationFactor: 1})
	}
	res, err := (&kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}).CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: topics})
	if err != nil {
		return err
	}
	for name, err := range res.Errors {
		if err != nil {
			return fmt.Errorf("create topic %s: %w", name, err)
		}
	}
	return nil
}

// loadTimelineActivities writes, as the database owner, 10,000 activities
// of contact (every type in turn, one every 97 minutes back from now, each
// with its type's details), 100 of loser, and 100,000 of 5,000 other
// contacts.
func loadTimelineActivities(ctx context.Context, admin *sqlx.DB, tenant, contact, loser string) error {
	_, err := admin.ExecContext(ctx, `INSERT INTO activities (tenant_id, id, type, subject, body, contact_id, assignee_id, occurred_at,
			ends_at, details, status, priority, due_at, completed_at, created_by, created_at, updated_at, version)
		SELECT $1::uuid, gen_random_uuid(), a.type, 'Activity ' || g, CASE WHEN a.type = 'note' THEN 'Notes ' || repeat('x', 200) ELSE '' END,
			CASE WHEN g <= $3::int THEN $2::uuid ELSE $4::uuid END, 'user-' || (g % 5), a.at,
			CASE a.type WHEN 'call' THEN a.at + (g % 600) * interval '1 second' WHEN 'meeting' THEN a.at + interval '1 hour' END,
			CASE a.type
				WHEN 'call' THEN jsonb_build_object('direction', CASE WHEN g % 2 = 0 THEN 'inbound' ELSE 'outbound' END,
					'from', '+14155550100', 'fromE164', '+14155550100', 'to', '1001', 'startedAt', a.at, 'durationSeconds', g % 600, 'outcome', 'answered')
				WHEN 'email' THEN jsonb_build_object('from', 'sales@example.com', 'to', jsonb_build_array('ada@example.org'),
					'messageId', '<' || g || '@example.com>', 'sentAt', a.at)
				WHEN 'meeting' THEN jsonb_build_object('startAt', a.at, 'endAt', a.at + interval '1 hour', 'timeZone', 'Europe/Berlin',
					'attendees', jsonb_build_array(jsonb_build_object('name', 'Ada', 'email', 'ada@example.org')), 'location', 'Room 1')
				ELSE '{}'::jsonb END,
			CASE WHEN a.type = 'task' THEN 'completed' ELSE '' END, CASE WHEN a.type = 'task' THEN 'normal' ELSE '' END,
			CASE WHEN a.type = 'task' THEN a.at END, CASE WHEN a.type = 'task' THEN a.at END,
			'user-' || (g % 5), a.at, a.at, 1
		FROM generate_series(1, $3::int + $5::int) g,
			LATERAL (SELECT (ARRAY['call', 'email', 'meeting', 'note', 'task'])[g % 5 + 1] AS type,
				now() - g * interval '97 minutes' AS at) a`,
		tenant, contact, timelineActivities, loser, timelineMerged)
	if err != nil {
		return fmt.Errorf("load the contact's activities: %w", err)
	}
	_, err = admin.ExecContext(ctx, `INSERT INTO activities (tenant_id, id, type, subject, contact_id, assignee_id, occurred_at,
			created_by, created_at, updated_at, version)
		SELECT $1::uuid, gen_random_uuid(), 'note', 'Note ' || g, md5($1::text || (g % 5000)::text)::uuid, 'user-' || (g % 5),
			now() - g * interval '5 minutes', 'user-' || (g % 5), now(), now(), 1
		FROM generate_series(1, $2::int) g`, tenant, timelineNoise)
	if err != nil {
		return fmt.Errorf("load other contacts' activities: %w", err)
	}
	return nil
}

// timelineEventTypes are the events part 8 publishes, in turn.
var timelineEventTypes = []struct{ context, typ string }{
	{registry.Sales, "dev.rapport.sales.opportunity.created.v1"},
	{registry.Sales, "dev.rapport.sales.opportunity.won.v1"},
	{registry.Support, "dev.rapport.support.case.opened.v1"},
	{registry.Support, "dev.rapport.support.case.resolved.v1"},
	{registry.Marketing, "dev.rapport.marketing.email.opened.v1"},
	{registry.Marketing, "dev.rapport.marketing.email.clicked.v1"},
}

// publishTimelineEvents publishes 1,000 events naming contact, spread over
// the last two years, and returns how long after the publication began the
// last was in a timeline.
func publishTimelineEvents(ctx context.Context, admin *sqlx.DB, brokers []string, tenant, contact string) (time.Duration, error) {
	byTopic := map[string][]kafka.Message{}
	for i := range timelineForeign {
		kind := timelineEventTypes[i%len(timelineEventTypes)]
		ev, err := events.New("/rapport/"+kind.context, kind.typ, newTenant(), tenant,
			map[string]any{"contactId": contact, "name": fmt.Sprintf("Item %d", i), "amount": map[string]any{"minor": 100 * i, "currency": "EUR"}})
		if err != nil {
			return 0, err
		}
		ev.Time = time.Now().Add(-time.Duration(i) * 17 * time.Hour).UTC()
		topic := registry.MustTopic("", kind.context)
		byTopic[topic] = append(byTopic[topic], ev.Message(topic))
	}
	pub := events.NewPublisher(brokers)
	defer pub.Close()
	began := time.Now()
	for topic, msgs := range byTopic {
		// A topic just created may be unknown to the publisher's metadata
		// for a few seconds.
		for {
			err := pub.Publish(ctx, msgs...)
			if err == nil {
				break
			}
			if time.Since(began) > time.Minute {
				return 0, fmt.Errorf("publish to %s: %w", topic, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	for {
		var n int
		if err := admin.GetContext(ctx, &n, `SELECT count(*) FROM timeline_entries WHERE type NOT LIKE 'record.%'`); err != nil {
			return 0, err
		}
		if n == timelineForeign {
			return time.Since(began), nil
		}
		if time.Since(began) > 5*time.Minute {
			return 0, fmt.Errorf("%d of %d events recorded after 5 minutes", n, timelineForeign)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// timelineCursor follows the pages of the timeline at u and returns the
// cursor of page n+1.
func timelineCursor(ctx context.Context, c *http.Client, token func() (string, error), u string, n int) (string, error) {
	cursor := ""
	for range n {
		next := u
		if cursor != "" {
			next += "?cursor=" + url.QueryEscape(cursor)
		}
		_, nc, err := timelineGet(ctx, c, token, next)
		if err != nil {
			return "", err
		}
		cursor = nc
	}
	return cursor, nil
}

// timelineGet sends an authenticated GET and returns the items of a page
// (1 for a record) and its next cursor.
func timelineGet(ctx context.Context, c *http.Client, token func() (string, error), u string) (int, string, error) {
	body, err := benchRequest(ctx, c, token, http.MethodGet, u, "")
	if err != nil {
		return 0, "", err
	}
	var page struct {
		Items      []json.RawMessage `json:"items"`
		NextCursor string            `json:"nextCursor"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return 0, "", err
	}
	return max(len(page.Items), 1), page.NextCursor, nil
}

// benchCall sends a JSON request and decodes the JSON object it answers.
func benchCall(ctx context.Context, c *http.Client, token func() (string, error), method, u, body string, header ...string) (map[string]any, error) {
	b, err := benchRequest(ctx, c, token, method, u, body, header...)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(b, &out)
}

// benchRequest sends an authenticated request and returns the body of a
// 2xx answer; another status is an error.
func benchRequest(ctx context.Context, c *http.Client, token func() (string, error), method, u, body string, header ...string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	tok, err := token()
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		if method == http.MethodPatch {
			req.Header.Set("Content-Type", "application/merge-patch+json")
		}
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %d %s", method, u, res.StatusCode, b)
	}
	return b, nil
}

// timelineExplain runs EXPLAIN ANALYZE, as the application role under RLS,
// of the two reads of a first page: the contact's activities and its
// stored entries, as services/contacts renders them.
func timelineExplain(ctx context.Context, appURL, tenant, contact string) (string, error) {
	app, err := pg.Open(appURL, pg.Options{})
	if err != nil {
		return "", err
	}
	defer app.Close()
	var out []string
	for _, q := range []string{
		`SELECT id, type, occurred_at, details FROM activities WHERE (contact_id = $1) ORDER BY occurred_at DESC, id DESC LIMIT 51`,
		`SELECT s.record_id, s.at, s.id, s.type, s.summary, s.details FROM unnest(ARRAY[$1]::uuid[]) AS r(id)
		CROSS JOIN LATERAL (SELECT e.record_id, e.at, e.id, e.type, e.summary, e.details FROM timeline_entries e
			WHERE e.record_id = r.id ORDER BY e.at DESC, e.id DESC LIMIT 51) s ORDER BY s.at DESC, s.id DESC LIMIT 51`,
	} {
		var lines []string
		if err := pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
			return tx.SelectContext(ctx, &lines, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+q, contact)
		}); err != nil {
			return "", err
		}
		out = append(out, strings.Join(lines, "\n"))
	}
	return strings.Join(out, "\n\n"), nil
}

// writeTimelineSection renders part 8.
func writeTimelineSection(w io.Writer, r timelineRun) {
	fmt.Fprintf(w, "## 8. Customer timeline\n\n")
	fmt.Fprintf(w, "The real `services/contacts` binary on a scratch database and an in-process Kafka without the sales, support and marketing topics, which the bench then creates: the service's timeline consumer joins them as they appear. One contact of a tenant gets %d activities (every type in turn with its type's details, one every 97 minutes back from now), written as the database owner in %s beside %d activities of 5,000 other contacts; %d updates (`PATCH`); a merged contact with %d activities of its own (`POST …/merge`); and %d events of sales, support and marketing naming it (opportunities created and won, cases opened and resolved, marketing emails opened and clicked, one every 17 hours back from now), published to their topics and all in the timeline %s after their publication began. Its timeline holds %d entries. Then `VACUUM ANALYZE` and a `CHECKPOINT`; requests with an internal token, sequential, %d each after %d warm-up:\n\n",
		timelineActivities, r.Load.Round(time.Millisecond), timelineNoise, timelineUpdates, timelineMerged, timelineForeign, r.Consume.Round(time.Millisecond),
		r.Entries, timelineRequests, timelineWarmup)
	fmt.Fprintf(w, "| request | items | p50 | p99 | max | goal |\n|---|---:|---:|---:|---:|---|\n")
	for _, c := range r.Cases {
		goal := ""
		if c.Name == timelineFirstPage {
			goal = fmt.Sprintf("p99 ≤ %s %s", ms(goalTimelineP99), verdict(c.Latency.P99 <= goalTimelineP99))
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s |\n", c.Name, c.Items, ms(c.Latency.P50), ms(c.Latency.P99), ms(c.Latency.Max), goal)
	}
	fmt.Fprintf(w, "\nA page reads the contact and the contacts merged into it, then newest first from each source — its activities and the merged contact's by their contact index, the stored entries (changes and other services' events) of both by their primary key — at most limit + 1 of each, and merges them. EXPLAIN ANALYZE as the application role (RLS forced) of the two reads of a first page:\n\n```\n%s\n```\n\n", r.Explain)
}

// runTimelineOnly measures part 8 alone and prints its section; results.md
// is left as it is.
func runTimelineOnly(ctx context.Context) error {
	root, err := proc.RepoRoot()
	if err != nil {
		return err
	}
	r, err := measureTimeline(ctx, root)
	if err != nil {
		return err
	}
	writeTimelineSection(os.Stdout, r)
	return nil
}
