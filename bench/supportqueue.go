package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

// Goal of the queue view (issue 18): an agent's queue view over a tenant
// of 1,000,000 cases, p99 ≤ 30 ms.
const goalQueueP99 = 30 * time.Millisecond

// queueCase is one request of the queue view measured, beside its SQL
// through database/sql when it has a baseline.
type queueCase struct {
	Name    string
	Items   int
	Goal    bool
	Latency latency
	Raw     *latency
}

// queueSQL is the queue view's read of one queue as services/support's
// cases/list.go renders it (the columns of cases/store.go): the cases
// being worked of queue $1, by SLA due (none last) then number, a page
// and one more.
const queueSQL = `SELECT id, number, subject, description, contact_id, account_id, channel, type, priority, status, queue_id, assignee_id,
	tags, custom_fields, links, language, sla_due_at, solved_at, closed_at, merged_into, created_by, created_at, updated_at, version
	FROM cases WHERE deleted_at IS NULL AND queue_id = $1 AND status NOT IN ('solved', 'closed')
	ORDER BY sla_due_at ASC NULLS LAST, number ASC LIMIT 51`

// measureQueueView times, for agent-7 with a token of token, the queue
// view of queue-7 (first page, then the page after it), the agent's own
// open cases, the tenant's, and a case by id as the floor; then the first
// page's SQL through database/sql as the application role in a tenant
// transaction, and its EXPLAIN ANALYZE.
func measureQueueView(ctx context.Context, stack *supportStack, tenant string) ([]queueCase, string, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	token := stack.tokens(supportAgent(tenant, "agent-7"))
	queue := supportQueueIDs(tenant)[7]
	first := stack.base + "/v1/cases?" + url.Values{"view": {"queue"}, "queueId": {queue}}.Encode()
	b, err := benchRequest(ctx, client, token, http.MethodGet, first, "")
	if err != nil {
		return nil, "", err
	}
	var page struct {
		Items      []struct{ ID string } `json:"items"`
		NextCursor string                `json:"nextCursor"`
	}
	if err := json.Unmarshal(b, &page); err != nil {
		return nil, "", err
	}
	if len(page.Items) == 0 || page.NextCursor == "" {
		return nil, "", fmt.Errorf("the queue view of queue-7 has %d cases and no next page: the load is not what it should be", len(page.Items))
	}
	cases := []struct {
		name, url string
		goal      bool
	}{
		{"(a) GET /v1/cases?view=queue&queueId={queue-7}", first, true},
		{"(b) the page after it (cursor)", first + "&cursor=" + url.QueryEscape(page.NextCursor), true},
		{"(c) view=queue&assigneeId=me (agent-7's open cases)", stack.base + "/v1/cases?view=queue&assigneeId=me", true},
		{"(d) view=queue, the tenant's open cases", stack.base + "/v1/cases?view=queue", false},
		{"floor: GET /v1/cases/{id}", stack.base + "/v1/cases/" + page.Items[0].ID, false},
	}
	var out []queueCase
	for _, c := range cases {
		items := 0
		l, err := timeRequests(ctx, client, token, c.url, func(body []byte) error {
			var p struct {
				Items []json.RawMessage `json:"items"`
			}
			if err := json.Unmarshal(body, &p); err != nil || p.Items == nil {
				items = 1 // a case, not a page
				return nil
			}
			items = len(p.Items)
			return nil
		})
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", c.name, err)
		}
		out = append(out, queueCase{Name: c.name, Items: items, Goal: c.goal, Latency: l})
	}
	app, err := pg.Open(stack.db.AppURL, pg.Options{})
	if err != nil {
		return nil, "", err
	}
	defer app.Close()
	raw, err := timeSQL(ctx, app, tenant, queueSQL, queue)
	if err != nil {
		return nil, "", fmt.Errorf("raw queue view: %w", err)
	}
	out[0].Raw = &raw
	var lines []string
	err = pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &lines, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+queueSQL, queue)
	})
	return out, strings.Join(lines, "\n"), err
}

// timeSQL runs query with args as the application role in a transaction
// of tenant (pg.WithTenantTx: set_config, RLS), reading every row,
// sequentially, salesWarmup times untimed then salesRequests timed.
func timeSQL(ctx context.Context, app *sqlx.DB, tenant, query string, args ...any) (latency, error) {
	took := make([]time.Duration, 0, salesRequests)
	for i := range salesWarmup + salesRequests {
		t := time.Now()
		err := pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
			rows, err := tx.QueryxContext(ctx, query, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				if _, err := rows.SliceScan(); err != nil {
					return err
				}
			}
			return rows.Err()
		})
		if err != nil {
			return latency{}, err
		}
		if i >= salesWarmup {
			took = append(took, time.Since(t))
		}
	}
	return distribution(took), nil
}
