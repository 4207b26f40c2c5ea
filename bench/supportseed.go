package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
)

// Shape of the cases the support part loads: spread over supportQueues
// queues and supportAgents agents; supportOpenPerMil of them being worked
// (new, open, pending customer or on hold), the rest solved or closed.
const (
	supportQueues     = 20
	supportAgents     = 100
	supportOpenPerMil = 150
	supportLoadChunk  = 100_000
)

// supportQueueIDs are the queue ids of the load: uuids derived from the
// tenant, queue-0 … queue-19.
func supportQueueIDs(tenant string) []string {
	out := make([]string, supportQueues)
	for i := range out {
		out[i] = uuid.NewMD5(uuid.MustParse(tenant), []byte(fmt.Sprintf("queue-%d", i))).String()
	}
	return out
}

// loadCases writes n cases of tenant as the database owner, in chunks:
// the g-th in queue (g mod 20), assigned to agent-(g mod 100), priority
// low, normal, high or urgent by g, created one every minute back from
// now; 15% being worked (new, open, pending_customer, on_hold in turn)
// with an SLA due spread over −2 … +12 days (one in ten with none), the
// rest solved or closed; then the tenant's case number sequence.
func loadCases(ctx context.Context, admin *sqlx.DB, tenant string, n int) error {
	queues := pq.StringArray(supportQueueIDs(tenant))
	for from := 1; from <= n; from += supportLoadChunk {
		to := min(n, from+supportLoadChunk-1)
		if _, err := admin.ExecContext(ctx, `INSERT INTO cases (tenant_id, id, number, subject, description, contact_id, account_id, channel,
				type, priority, status, queue_id, assignee_id, tags, tag_keys, language, sla_due_at, solved_at, closed_at,
				created_by, created_at, updated_at, version)
			SELECT $1::uuid, md5($1::text || g)::uuid, g, 'Case ' || g || CASE WHEN g % 3 = 0 THEN ' 打印机无法打印' ELSE ' printer does not print' END,
				'Described by the customer, case ' || g, md5('contact' || (g % 50000))::uuid, md5('account' || (g % 5000))::uuid,
				(ARRAY['email','portal','chat','phone','api'])[1 + g % 5], 'problem', (ARRAY['low','normal','high','urgent'])[1 + g % 4],
				s.status, ($2::uuid[])[1 + g % $4::int], 'agent-' || g % $5::int,
				CASE WHEN g % 10 = 0 THEN '{VIP}'::text[] ELSE '{}' END, CASE WHEN g % 10 = 0 THEN '{vip}'::text[] ELSE '{}' END,
				CASE WHEN g % 3 = 0 THEN 'zh-CN' ELSE 'en' END,
				CASE WHEN s.open AND g % 10 <> 7 THEN now() - interval '2 days' + ((g::bigint * 7919) % 20160) * interval '1 minute' END,
				CASE WHEN NOT s.open THEN s.at + interval '1 day' END, CASE WHEN s.status = 'closed' THEN s.at + interval '5 days' END,
				'system:bench', s.at, s.at, 1
			FROM generate_series($6::int, $7::int) g
			CROSS JOIN LATERAL (SELECT (g * 7) % 1000 < $8 AS open, now() - ($3::int - g) * interval '1 minute' AS at) o
			CROSS JOIN LATERAL (SELECT o.open, o.at, CASE WHEN o.open THEN (ARRAY['new','open','pending_customer','on_hold'])[1 + g % 4]
				WHEN g % 2 = 0 THEN 'solved' ELSE 'closed' END AS status) s`,
			tenant, queues, n, supportQueues, supportAgents, from, to, supportOpenPerMil); err != nil {
			return fmt.Errorf("load cases %d–%d: %w", from, to, err)
		}
		fmt.Fprintf(os.Stderr, "bench: support: %d cases loaded\n", to)
	}
	_, err := admin.ExecContext(ctx, `INSERT INTO number_sequences (tenant_id, name, scope, last) VALUES ($1, 'case', '', $2)`, tenant, n)
	return err
}

// loadClocks gives the first n open cases of tenant (by number) a running
// first-response and resolution clock of policy, started in the last
// hour (so that few warnings or breaches fall due for the sweep while the
// part runs), due as if every minute were a business minute (the next
// calendar edit computes them), and sets those cases' sla_due_at to their
// nearest; it returns how many cases got clocks.
func loadClocks(ctx context.Context, admin *sqlx.DB, tenant, policy string, n int) (int, error) {
	var cases int
	err := pg.WithTx(ctx, admin, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &cases, `WITH c AS (SELECT id, number FROM cases WHERE tenant_id = $1 AND status NOT IN ('solved', 'closed')
				ORDER BY number LIMIT $3),
			ins AS (INSERT INTO case_clocks (tenant_id, case_id, target, policy_id, minutes, started_at, due_at)
				SELECT $1, c.id, t.target, $2, t.minutes, s.at, s.at + t.minutes * interval '1 minute'
				FROM c CROSS JOIN (VALUES ('first_response', 240), ('resolution', 2400)) AS t(target, minutes)
				CROSS JOIN LATERAL (SELECT now() - (c.number % 60) * interval '1 minute' AS at) s RETURNING 1)
			SELECT count(*) / 2 FROM ins`, tenant, policy, n); err != nil {
			return fmt.Errorf("load clocks: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases c SET sla_due_at = k.due FROM (SELECT case_id, min(due_at) AS due FROM case_clocks
			WHERE tenant_id = $1 AND policy_id = $2 GROUP BY case_id) k WHERE c.tenant_id = $1 AND c.id = k.case_id`, tenant, policy); err != nil {
			return fmt.Errorf("set the cases' due times: %w", err)
		}
		return nil
	})
	return cases, err
}

// settle vacuums and analyses the database and checkpoints, so that no
// load's write-back runs while requests are timed.
func settle(ctx context.Context, admin *sqlx.DB) (time.Duration, error) {
	began := time.Now()
	if _, err := admin.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
		return 0, err
	}
	_, err := admin.ExecContext(ctx, `CHECKPOINT`)
	return time.Since(began), err
}
