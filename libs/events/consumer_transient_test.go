package events

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// fullRoleURL returns the URL of a login role the server refuses with
// SQLSTATE 53300 (too many connections): its connection limit is 0.
func fullRoleURL(t *testing.T) string {
	t.Helper()
	d := testkit.Postgres(t)
	admin := testkit.Open(t, d.AdminURL)
	role := "full_" + uuid.NewString()[:8]
	if _, err := admin.Exec(`CREATE ROLE ` + role + ` LOGIN CONNECTION LIMIT 0 PASSWORD 'full'`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP ROLE ` + role); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(d.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(role, "full")
	return u.String()
}

// tooManyConnections connects to full (fullRoleURL) and returns the
// server's refusal.
func tooManyConnections(ctx context.Context, full string) error {
	db, err := sql.Open("postgres", full)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return err
	}
	return errors.New("the full role was let in")
}

// TestConsumerTransientDatabaseErrorsAreRetriedNotDeadLettered: a handler
// that fails four times with what a real server answers while it is full
// (53300) or when its connection was terminated (pg_terminate_backend:
// lib/pq's driver.ErrBadConn) then succeeds has its event applied once and nothing dead-lettered,
// though MaxAttempts is 2; a poison event still goes to the DLQ after
// exactly MaxAttempts tries. In the default mode and in the batch mode.
func TestConsumerTransientDatabaseErrorsAreRetriedNotDeadLettered(t *testing.T) {
	for _, batch := range []int{1, 4} {
		t.Run(map[int]string{1: "single", 4: "batch"}[batch], func(t *testing.T) {
			full := fullRoleURL(t)
			f := newConsumerFixture(t)
			var calls, poisonCalls atomic.Int64
			good := f.recordEffect(&calls)
			var mu sync.Mutex
			var seen []string // each provoked failure: its SQLSTATE, or the driver's error
			metrics := &lagRecorder{dlq: map[string]int{}}
			f.run(t, ConsumerConfig{MaxAttempts: 2, Batch: batch, Backoff: 10 * time.Millisecond, Metrics: metrics, Handler: func(ctx context.Context, tx *sqlx.Tx, ev Event) error {
				if ev.Type == "dev.rapport.test.poison.created.v1" {
					poisonCalls.Add(1)
					return errors.New("cannot handle poison")
				}
				var err error
				switch n := calls.Load(); {
				case n >= 4:
					return good(ctx, tx, ev)
				case n%2 == 0:
					err = tooManyConnections(ctx, full)
				default:
					_, err = tx.ExecContext(ctx, `SELECT pg_terminate_backend(pg_backend_pid())`)
				}
				calls.Add(1)
				var pqErr *pq.Error
				mu.Lock()
				switch {
				case errors.As(err, &pqErr):
					seen = append(seen, string(pqErr.Code))
				case errors.Is(err, driver.ErrBadConn):
					seen = append(seen, "bad connection")
				default:
					seen = append(seen, fmt.Sprint(err))
				}
				mu.Unlock()
				return err
			}}, nil)

			f.publish(t, "dev.rapport.test.thing.created.v1")
			f.waitEffects(t, 1, "the event applied after its transient failures")
			poison := f.publish(t, "dev.rapport.test.poison.created.v1")
			recs := testkit.ReadTopic(t, f.brokers, DLQ(f.topic), 1, 20*time.Second)
			if len(recs) != 1 {
				t.Fatalf("dead-lettered records: got %d, want 1", len(recs))
			}
			for _, kv := range recs[0].Headers {
				if kv.Key == HeaderID && string(kv.Value) != poison.ID {
					t.Errorf("dead-lettered %s, want only the poison %s", kv.Value, poison.ID)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if want := []string{"53300", "bad connection", "53300", "bad connection"}; len(seen) != len(want) || seen[0] != want[0] || seen[1] != want[1] || seen[2] != want[2] || seen[3] != want[3] {
				t.Errorf("provoked failures: got %q, want %q", seen, want)
			}
			if got := calls.Load(); got != 5 {
				t.Errorf("handler calls for the valid event: got %d, want 5 (4 failures, 1 success)", got)
			}
			if got, want := poisonCalls.Load(), int64(map[int]int{1: 2, 4: 3}[batch]); got != want {
				t.Errorf("tries of the poison event: got %d, want %d (MaxAttempts, after its batch's in the batch mode)", got, want)
			}
			if got := f.effects(t); got != 1 {
				t.Errorf("effects: got %d, want 1", got)
			}
			metrics.mu.Lock()
			defer metrics.mu.Unlock()
			if metrics.dlq[f.topic] != 1 {
				t.Errorf("dead-lettered: got %v, want only the poison of %s", metrics.dlq, f.topic)
			}
		})
	}
}

// TestConsumerTransientClassification: the failures the consumer waits out
// (pg.Transient) and those it counts toward the dead-letter topic.
func TestConsumerTransientClassification(t *testing.T) {
	for code, want := range map[pq.ErrorCode]bool{
		"53300": true, "57P03": true, "57P01": true, "08006": true, "40001": true, "40P01": true,
		"23505": false, "22P02": false, "42501": false,
	} {
		err := errors.Join(errors.New("events: handler"), &pq.Error{Code: code})
		if got := pg.Transient(err); got != want {
			t.Errorf("pg.Transient(%s) = %v, want %v", code, got, want)
		}
	}
	if pg.Transient(errors.New("cannot handle poison")) {
		t.Errorf("a handler's own error is transient")
	}
}
