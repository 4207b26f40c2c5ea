package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
)

// Sizes and goal of part 7 (issue 14): 100,000 reminders due in the same
// minute, fired by two replicas, each once, the last within 30 s of its due
// time.
const (
	remindersCount    = 100_000
	remindersTenants  = 10
	remindersWindow   = time.Minute
	remindersLead     = 20 * time.Second // from the start of the load to the first due time
	remindersReplicas = 2
	goalReminderLag   = 30 * time.Second
)

// remindersRun holds the results of part 7.
type remindersRun struct {
	Count, Tenants, Replicas int
	Load                     time.Duration // writing the tasks and their schedule
	LoadedBefore             time.Duration // how long before the first due time the load committed
	Fired                    int           // reminders marked fired
	// Lag is fired_at − due_at over all reminders (the transaction that
	// marked one fired added its event to the outbox).
	LagP50, LagP99, LagMax time.Duration
	// Published is what Kafka received: reminder_due events, the
	// reminders they name, those named by more than one event id, and the
	// latest publication after a reminder's due time.
	Events, Reminders, Twice int
	PublishLagMax            time.Duration
}

// measureReminders starts two instances of the contacts binary on one
// database, writes 100,000 open tasks of 10 tenants whose reminders fall due
// evenly over one minute starting 20 s later, waits until every reminder
// has fired, and reads what was published.
func measureReminders(ctx context.Context, root string) (r remindersRun, err error) {
	r.Count, r.Tenants, r.Replicas = remindersCount, remindersTenants, remindersReplicas
	stack, err := startContactsStack(ctx, root)
	if err != nil {
		return r, err
	}
	defer stack.Close()
	for range remindersReplicas - 1 {
		if _, err := stack.replica(ctx); err != nil {
			return r, err
		}
	}
	admin, err := pg.Open(stack.db.AdminURL, pg.Options{})
	if err != nil {
		return r, err
	}
	defer admin.Close()

	began := time.Now()
	first := began.Add(remindersLead)
	step := remindersWindow / remindersCount
	for t := range remindersTenants {
		if err := loadReminders(ctx, admin, newTenant(), t, first, step); err != nil {
			return r, err
		}
	}
	r.Load, r.LoadedBefore = time.Since(began), time.Until(first)
	fmt.Fprintf(os.Stderr, "bench: reminders: %d tasks written in %s, %s before the first is due\n", remindersCount, r.Load.Round(time.Millisecond), r.LoadedBefore.Round(time.Millisecond))

	deadline := first.Add(remindersWindow + 5*time.Minute)
	for {
		var left int
		if err := admin.GetContext(ctx, &left, `SELECT count(*) FROM reminders WHERE fired_at IS NULL`); err != nil {
			return r, err
		}
		if left == 0 && time.Now().After(first.Add(remindersWindow)) {
			break
		}
		if time.Now().After(deadline) {
			return r, fmt.Errorf("%d reminders not fired %s after the last was due", left, time.Until(deadline)+5*time.Minute)
		}
		time.Sleep(250 * time.Millisecond)
	}
	var p50, p99, most float64
	if err := admin.QueryRowxContext(ctx, `SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM fired_at - due_at)),
			percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM fired_at - due_at)), max(extract(epoch FROM fired_at - due_at))
		FROM reminders WHERE fired_at IS NOT NULL`).Scan(&r.Fired, &p50, &p99, &most); err != nil {
		return r, err
	}
	r.LagP50, r.LagP99, r.LagMax = seconds(p50), seconds(p99), seconds(most)
	err = readReminderEvents(ctx, admin, stack.brokers, &r)
	return r, err
}

// loadReminders writes remindersCount/remindersTenants open tasks of tenant
// with their reminders, the n-th of the tenant numbered t due at first +
// (n·remindersTenants + t)·step, in one transaction.
func loadReminders(ctx context.Context, admin *sqlx.DB, tenant string, t int, first time.Time, step time.Duration) error {
	_, err := admin.ExecContext(ctx, `WITH t AS (
			INSERT INTO activities (tenant_id, id, type, subject, assignee_id, occurred_at, reminder_at, status, priority, due_at,
				created_by, created_at, updated_at, version)
			SELECT $1::uuid, gen_random_uuid(), 'task', 'Follow up ' || n, 'user-' || (n % 50), d + interval '1 hour', d, 'open', 'normal',
				d + interval '1 hour', 'user-' || (n % 50), now(), now(), 1
			FROM generate_series(0, $2::int - 1) n, LATERAL (SELECT $3::timestamptz + (n * $4::int + $5::int) * $6::bigint * interval '1 microsecond' AS d) due
			RETURNING tenant_id, id, reminder_at)
		INSERT INTO reminders (tenant_id, activity_id, due_at) SELECT tenant_id, id, reminder_at FROM t`,
		tenant, remindersCount/remindersTenants, first, remindersTenants, t, step.Microseconds())
	if err != nil {
		return fmt.Errorf("load reminders: %w", err)
	}
	return nil
}

// readReminderEvents reads the reminder_due events of the service's topic
// until every reminder has one and the outbox is empty, and records what
// was published in r.
func readReminderEvents(ctx context.Context, admin *sqlx.DB, brokers []string, r *remindersRun) error {
	due := map[string]time.Time{}
	rows, err := admin.QueryxContext(ctx, `SELECT activity_id, due_at FROM reminders`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return err
		}
		due[id] = at
	}
	if err := rows.Close(); err != nil {
		return err
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(registry.MustTopic("", registry.Contacts)),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200*time.Millisecond))
	if err != nil {
		return err
	}
	defer cl.Close()
	ids := map[string]map[string]bool{} // activity → the event ids naming it
	deadline := time.Now().Add(2 * time.Minute)
	for quiet := 0; quiet < 5 || len(ids) < len(due); {
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d reminders published after 2 minutes of reading", len(ids), len(due))
		}
		fetchCtx, cancel := context.WithTimeout(ctx, time.Second)
		fs := cl.PollFetches(fetchCtx)
		cancel()
		n := 0
		fs.EachRecord(func(rec *kgo.Record) {
			n++
			var typ, subject, id string
			for _, h := range rec.Headers {
				switch h.Key {
				case "ce_type":
					typ = string(h.Value)
				case "ce_subject":
					subject = string(h.Value)
				case "ce_id":
					id = string(h.Value)
				}
			}
			if typ != "dev.rapport.contacts.activity.reminder_due.v1" {
				return
			}
			r.Events++
			if ids[subject] == nil {
				ids[subject] = map[string]bool{}
			}
			ids[subject][id] = true
			if lag := rec.Timestamp.Sub(due[subject]); lag > r.PublishLagMax {
				r.PublishLagMax = lag
			}
		})
		var left int
		if err := admin.GetContext(ctx, &left, `SELECT count(*) FROM outbox`); err != nil {
			return err
		}
		if quiet++; n > 0 || left > 0 {
			quiet = 0
		}
	}
	r.Reminders = len(ids)
	for _, evs := range ids {
		if len(evs) > 1 {
			r.Twice++
		}
	}
	return nil
}

// seconds is a number of seconds as a duration.
func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// writeRemindersSection renders part 7.
func writeRemindersSection(w io.Writer, r remindersRun) {
	fmt.Fprintf(w, "## 7. Reminders due in one minute\n\n")
	fmt.Fprintf(w, "%d instances of the real `services/contacts` binary on one database and one Kafka, each running the reminder job (every %s: the tenants with due reminders, then in each a transaction per 500 claimed with `FOR UPDATE SKIP LOCKED`, marked fired and their `activity.reminder_due` events added to the outbox). %d open tasks of %d tenants written in %s (as the database owner, the tasks and their schedule rows), their reminders due evenly over one minute starting %s after the load committed.\n\n",
		r.Replicas, time.Second, r.Count, r.Tenants, r.Load.Round(time.Millisecond), r.LoadedBefore.Round(time.Millisecond))
	fmt.Fprintf(w, "| measurement | value | goal |\n|---|---:|---|\n")
	fmt.Fprintf(w, "| reminders fired (marked fired, event in the outbox) | %d of %d | all %s |\n", r.Fired, r.Count, verdict(r.Fired == r.Count))
	fmt.Fprintf(w, "| reminders published (reminder_due events with distinct ids in Kafka) | %d (%d events) | all %s |\n", r.Reminders, r.Events, verdict(r.Reminders == r.Count))
	fmt.Fprintf(w, "| reminders published under more than one event id (fired twice) | %d | 0 %s |\n", r.Twice, verdict(r.Twice == 0))
	fmt.Fprintf(w, "| fired − due, p50 / p99 | %s / %s | |\n", ms(r.LagP50), ms(r.LagP99))
	fmt.Fprintf(w, "| fired − due, the latest | %s | ≤ %s %s |\n", ms(r.LagMax), goalReminderLag, verdict(r.Fired == r.Count && r.LagMax <= goalReminderLag))
	fmt.Fprintf(w, "| published (Kafka record time) − due, the latest | %s | |\n\n", ms(r.PublishLagMax))
}

// runRemindersOnly measures part 7 alone and prints its section;
// results.md is left as it is.
func runRemindersOnly(ctx context.Context) error {
	root, err := proc.RepoRoot()
	if err != nil {
		return err
	}
	r, err := measureReminders(ctx, root)
	if err != nil {
		return err
	}
	writeRemindersSection(os.Stdout, r)
	return nil
}
