package queues

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// pool is a queue locked for assignment: its members who may take a case
// now (skilled, online) with their open cases, and its round-robin
// cursor.
type pool struct {
	queue  *Queue
	cursor string
	online map[string]bool
	load   map[string]int
}

// lockPool locks the queue id (SELECT … FOR UPDATE of its row: one
// assignment of a queue at a time, on every replica), then the presence
// rows of its skilled members in user id order, and counts the open
// cases of those online. One transaction locks one queue's pool at most,
// so assignments never wait on each other in a cycle.
func lockPool(ctx context.Context, tx *outbox.Tx, id string) (*pool, error) {
	q, cursor, err := getQueueRow(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	p := &pool{queue: q, cursor: cursor, online: map[string]bool{}, load: map[string]int{}}
	if q.AssignmentMode == ModeManual {
		return p, nil
	}
	var users []string
	for _, m := range q.Members {
		if q.skilled(m) {
			users = append(users, m.UserID)
		}
	}
	slices.Sort(users)
	if p.online, err = lockOnline(ctx, tx, users); err != nil {
		return nil, err
	}
	var online []string
	for u, ok := range p.online {
		if ok {
			online = append(online, u)
		}
	}
	if p.load, err = openCases(ctx, tx, online); err != nil {
		return nil, err
	}
	return p, nil
}

// available reports whether m may be assigned a case now: skilled, online
// and under capacity.
func (p *pool) available(m Member) bool {
	return p.queue.skilled(m) && p.online[m.UserID] && p.load[m.UserID] < m.Capacity
}

// pick chooses the member a case of the queue goes to, by its mode: the
// available member with the fewest open cases (the first listed of
// those), or the next available one after the round-robin cursor. It
// counts the case in their load and moves the cursor; false when nobody
// is available or the queue is manual.
func (p *pool) pick() (string, bool) {
	members := p.queue.Members
	chosen := -1
	switch p.queue.AssignmentMode {
	case ModeLeastLoaded:
		for i, m := range members {
			if p.available(m) && (chosen < 0 || p.load[m.UserID] < p.load[members[chosen].UserID]) {
				chosen = i
			}
		}
	case ModeRoundRobin:
		start := slices.IndexFunc(members, func(m Member) bool { return m.UserID == p.cursor }) + 1
		for k := range members {
			if i := (start + k) % len(members); p.available(members[i]) {
				chosen = i
				break
			}
		}
	}
	if chosen < 0 {
		return "", false
	}
	u := members[chosen].UserID
	p.load[u]++
	p.cursor = u
	return u, true
}

// settle saves what pick moved: the round-robin cursor.
func (p *pool) settle(ctx context.Context, tx *outbox.Tx, before string) error {
	if p.queue.AssignmentMode != ModeRoundRobin || p.cursor == before {
		return nil
	}
	return setCursor(ctx, tx, p.queue.ID, p.cursor)
}

// placeIn puts the case caseID in the queue queueID when it has no queue
// (routed: raising its priority to the queue's default) and assigns it
// there when it has nobody and is open, through cases.ChangeIn (which
// publishes case.updated): a case that moved to another queue or was
// deleted meanwhile is left as it is, and so is a queue gone.
func placeIn(ctx context.Context, tx *outbox.Tx, caseID, queueID string, routed bool) error {
	p, err := lockPool(ctx, tx, queueID)
	if errors.Is(err, ErrQueueNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	before := p.cursor
	_, err = cases.ChangeIn(ctx, tx, caseID, func(c *cases.Case) error {
		if c.QueueID == "" && routed {
			c.QueueID, c.Priority = queueID, p.queue.raisePriority(c.Priority)
		}
		if c.QueueID == queueID && c.AssigneeID == "" && cases.Active(c.Status) {
			c.AssigneeID, _ = p.pick()
		}
		return nil
	})
	if errors.Is(err, cases.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("place case %s: %w", caseID, err)
	}
	return p.settle(ctx, tx, before)
}

// assignQueue assigns up to limit of the open cases waiting unassigned in
// the queue id, oldest first, while someone is available, and returns how
// many it assigned. It waits for cases another transaction holds (none
// of which waits for a queue's row: lockPool is always taken first).
func assignQueue(ctx context.Context, tx *outbox.Tx, id string, limit int) (int, error) {
	p, err := lockPool(ctx, tx, id)
	if errors.Is(err, ErrQueueNotFound) {
		return 0, nil
	}
	if err != nil || p.queue.AssignmentMode == ModeManual {
		return 0, err
	}
	var waiting []string
	if err := tx.SQL().SelectContext(ctx, &waiting, `SELECT id FROM cases WHERE queue_id = $1 AND assignee_id IS NULL
		AND deleted_at IS NULL AND status NOT IN ('solved', 'closed') ORDER BY created_at, id LIMIT $2 FOR UPDATE`,
		id, limit); err != nil {
		return 0, fmt.Errorf("find unassigned cases: %w", pg.MapError(err))
	}
	before, n := p.cursor, 0
	for _, caseID := range waiting {
		u, ok := p.pick()
		if !ok {
			break
		}
		if _, err := cases.ChangeIn(ctx, tx, caseID, func(c *cases.Case) error {
			c.AssigneeID = u
			return nil
		}); err != nil {
			return n, fmt.Errorf("assign case %s: %w", caseID, err)
		}
		n++
	}
	return n, p.settle(ctx, tx, before)
}

// waitingQueues returns the tenant's queues (of the ids given; all when
// none) that assign and have open cases waiting unassigned.
func waitingQueues(ctx context.Context, tx *outbox.Tx, only []string) ([]string, error) {
	var out []string
	if err := tx.SQL().SelectContext(ctx, &out, `SELECT q.id FROM support_queues q WHERE q.assignment_mode <> 'manual'
		AND (cardinality($1::uuid[]) = 0 OR q.id = ANY($1::uuid[]))
		AND EXISTS (SELECT 1 FROM cases c WHERE c.queue_id = q.id AND c.assignee_id IS NULL AND c.deleted_at IS NULL
			AND c.status NOT IN ('solved', 'closed')) ORDER BY q.id`, pq.StringArray(only)); err != nil {
		return nil, fmt.Errorf("find queues with unassigned cases: %w", pg.MapError(err))
	}
	return out, nil
}
