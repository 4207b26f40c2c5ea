package notify

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// queue queues, as the consumer does, the email of a lead named name
// assigned to user of tenant.
func (e *env) queue(t *testing.T, tenant, user, name string) {
	t.Helper()
	n := Notification{Kind: KindLeadAssigned, Params: map[string]string{"name": name}, Link: "/leads/x", CreatedAt: pg.Now()}
	if err := pg.WithTenantTx(t.Context(), e.app, tenant, func(tx *sqlx.Tx) error { return queueEmail(t.Context(), tx, tenant, user, n) }); err != nil {
		t.Fatal(err)
	}
}

// queued is a row of notification_emails as the tests read it.
type queued struct {
	State     string `db:"state"`
	Attempts  int    `db:"attempts"`
	LastError string `db:"last_error"`
	WaitMS    int64  `db:"wait_ms"` // until next_at
}

// queued returns the rows of notification_emails (read as the owner,
// across tenants).
func (e *env) queued(t *testing.T) []queued {
	t.Helper()
	var out []queued
	if err := e.admin.Select(&out, `SELECT state, attempts, last_error,
			(extract(epoch FROM next_at - now()) * 1000)::bigint AS wait_ms FROM notification_emails`); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSenderSurvivesRestart: the consumer queues an email in the database
// while no Sender runs, then stops; a Sender started afterwards on the
// same database sends it and empties the queue. Another tenant's email is
// sent by the same Sender, in its tenant's transaction.
func TestSenderSurvivesRestart(t *testing.T) {
	e := newEnv(t)
	li := e.user(t, e.tenantA, "李娜", "li@example.com", "zh-CN", "active")
	olga := e.user(t, e.tenantB, "Olga", "olga@example.com", "en", "active")
	stop := e.startConsumer(t, true)
	e.publish(t, e.tenantA, TypeLeadAssigned, leadPayload(li, ""))
	e.wait(t, e.tenantA, li, 1)
	testkit.Eventually(t, 10*time.Second, "the email queued", func() (bool, string) {
		q := e.queued(t)
		return len(q) == 1 && q[0].State == EmailPending, fmt.Sprint(q)
	})
	stop()
	e.queue(t, e.tenantB, olga, "Bea")

	box := newInbox(t, 0)
	e.startSender(t, box.url, SenderConfig{})
	msgs := box.messages(t, 2)
	got := map[string]string{}
	for _, m := range msgs {
		got[strings.Join(m.to, ",")] = m.subject
	}
	if got["li@example.com"] != "分配给您的线索：Ada Lovelace" || got["olga@example.com"] != "Lead assigned to you: Bea" {
		t.Errorf("emails %v", got)
	}
	testkit.Eventually(t, 5*time.Second, "an empty queue", func() (bool, string) {
		q := e.queued(t)
		return len(q) == 0, fmt.Sprint(q)
	})
}

// TestSendersSendOnce: two Senders (two replicas) on one queue of 40
// emails send each exactly once.
func TestSendersSendOnce(t *testing.T) {
	e := newEnv(t)
	ann := e.user(t, e.tenantA, "Ann", "ann@example.com", "en", "active")
	olga := e.user(t, e.tenantB, "Olga", "olga@example.com", "en", "active")
	const n = 40
	for i := range n {
		tenant, user := e.tenantA, ann
		if i%2 == 1 {
			tenant, user = e.tenantB, olga
		}
		e.queue(t, tenant, user, fmt.Sprintf("Lead %02d", i))
	}
	box := newInbox(t, 0)
	e.startSender(t, box.url, SenderConfig{Poll: time.Millisecond})
	e.startSender(t, box.url, SenderConfig{Poll: time.Millisecond})
	box.messages(t, n)
	testkit.Eventually(t, 5*time.Second, "an empty queue", func() (bool, string) {
		q := e.queued(t)
		return len(q) == 0, fmt.Sprint(q)
	})
	time.Sleep(200 * time.Millisecond) // a second send would have arrived by now
	box.mu.Lock()
	defer box.mu.Unlock()
	seen := map[string]int{}
	for _, m := range box.msgs {
		seen[m.subject]++
	}
	if len(box.msgs) != n || len(seen) != n {
		t.Errorf("%d messages of %d subjects, want %d of %d: %v", len(box.msgs), len(seen), n, n, seen)
	}
}

// TestSenderBackoff: a refused email counts an attempt, keeps the server's
// answer and waits its backoff before it is sent.
func TestSenderBackoff(t *testing.T) {
	e := newEnv(t)
	ann := e.user(t, e.tenantA, "Ann", "ann@example.com", "en", "active")
	box := newInbox(t, 1)
	e.queue(t, e.tenantA, ann, "Ada")
	start := time.Now()
	e.startSender(t, box.url, SenderConfig{Backoff: 2 * time.Second})
	testkit.Eventually(t, 10*time.Second, "a refused attempt", func() (bool, string) {
		q := e.queued(t)
		return len(q) == 1 && q[0].Attempts == 1, fmt.Sprint(q)
	})
	q := e.queued(t)[0]
	if q.State != EmailPending || !strings.Contains(q.LastError, "try again later") || q.WaitMS < 1000 || q.WaitMS > 2000 {
		t.Errorf("after a refusal: %+v, want pending, the server's answer, due in about 2s", q)
	}
	if m := box.messages(t, 1); m[0].subject != "Lead assigned to you: Ada" {
		t.Errorf("email %+v", m[0])
	}
	if waited := time.Since(start); waited < 2*time.Second {
		t.Errorf("sent again after %s, before its backoff of 2s", waited)
	}
	testkit.Eventually(t, 5*time.Second, "an empty queue", func() (bool, string) { // the sender commits after the server took it
		q := e.queued(t)
		return len(q) == 0, fmt.Sprint(q)
	})
}

// TestSenderGivesUp: an email refused at every attempt ends failed after
// the last one, with the server's answer, and is not tried again; one to
// a disabled user is dropped unsent.
func TestSenderGivesUp(t *testing.T) {
	e := newEnv(t)
	ann := e.user(t, e.tenantA, "Ann", "ann@example.com", "en", "active")
	gil := e.user(t, e.tenantA, "Gil", "gil@example.com", "en", "disabled")
	box := newInbox(t, 1000)
	e.queue(t, e.tenantA, ann, "Ada")
	e.queue(t, e.tenantA, gil, "Bea")
	e.startSender(t, box.url, SenderConfig{Attempts: 3, Backoff: 10 * time.Millisecond})
	testkit.Eventually(t, 10*time.Second, "a failed email", func() (bool, string) {
		q := e.queued(t)
		return len(q) == 1 && q[0].State == EmailFailed, fmt.Sprint(q)
	})
	time.Sleep(200 * time.Millisecond)
	q := e.queued(t)
	if len(q) != 1 || q[0].Attempts != 3 || !strings.Contains(q[0].LastError, "try again later") {
		t.Errorf("queue %+v, want one failed after 3 attempts", q)
	}
	box.mu.Lock()
	defer box.mu.Unlock()
	if box.failFirst != 1000-3 || len(box.msgs) != 0 {
		t.Errorf("the server saw %d attempts and accepted %d, want 3 and 0", 1000-box.failFirst, len(box.msgs))
	}
}
