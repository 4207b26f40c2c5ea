package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type fixture struct {
	db     *sqlx.DB
	dsn    string
	tenant string
	topic  string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	db := testkit.Postgres(t)
	admin := testkit.Open(t, db.AdminURL)
	if err := pg.Migrate(context.Background(), admin.DB, quiet, db.AppRole, Migrations()); err != nil {
		t.Fatal(err)
	}
	return fixture{db: testkit.Open(t, db.AppURL), dsn: db.AppURL, tenant: uuid.NewString(), topic: events.Topic("", "test")}
}

// write commits one event with key and a payload carrying seq, and returns its id.
func (f fixture) write(t testing.TB, key string, seq int) string {
	t.Helper()
	ev, err := events.New("/rapport/test", "dev.rapport.test.thing.updated.v1", key, f.tenant, map[string]int{"seq": seq})
	if err != nil {
		t.Fatal(err)
	}
	err = pg.WithTenantTx(context.Background(), f.db, f.tenant, func(tx *sqlx.Tx) error {
		return Add(context.Background(), tx, f.topic, ev)
	})
	if err != nil {
		t.Fatalf("write: %v", err)
	}
	return ev.ID
}

// pending counts the rows still in the outbox.
func (f fixture) pending(t *testing.T) int {
	t.Helper()
	var n int
	err := pg.WithTx(context.Background(), f.db, func(tx *sqlx.Tx) error {
		if _, err := tx.Exec(`SELECT set_config('app.outbox_relay', 'on', true)`); err != nil {
			return err
		}
		return tx.Get(&n, `SELECT count(*) FROM outbox`)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f fixture) startRelay(t *testing.T, brokers []string, mutate func(*Relay)) (stop func()) {
	t.Helper()
	pub := events.NewPublisher(brokers)
	r, err := NewRelay(RelayConfig{DB: f.db, DSN: f.dsn, Publisher: pub, Logger: quiet, MaxBackoff: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done; pub.Close() }) }
	t.Cleanup(stop)
	return stop
}

func ids(recs []*kgo.Record) map[string]int {
	out := map[string]int{}
	for _, r := range recs {
		for _, h := range r.Headers {
			if h.Key == events.HeaderID {
				out[string(h.Value)]++
			}
		}
	}
	return out
}

func TestConcurrentWritersAllPublishedInKeyOrder(t *testing.T) {
	f := newFixture(t)
	brokers := testkit.Kafka(t, kfake.SeedTopics(3, f.topic))
	f.startRelay(t, brokers, nil)

	const writers, perWriter = 8, 1000
	var wg sync.WaitGroup
	written := make([][]string, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				written[w] = append(written[w], f.write(t, "key-"+strconv.Itoa(w), i))
			}
		}()
	}
	wg.Wait()

	recs := testkit.ReadTopic(t, brokers, f.topic, writers*perWriter, 60*time.Second)
	got := ids(recs)
	for w := range writers {
		for _, id := range written[w] {
			if got[id] == 0 {
				t.Fatalf("event %s of writer %d never published (got %d records)", id, w, len(recs))
			}
		}
	}
	// Per key, the payload sequence must only go up.
	last := map[string]int{}
	for _, r := range recs {
		var seq int
		if _, err := fmt.Sscanf(string(r.Value), `{"seq":%d}`, &seq); err != nil {
			t.Fatalf("payload %q: %v", r.Value, err)
		}
		k := string(r.Key)
		if prev, ok := last[k]; ok && seq <= prev {
			t.Fatalf("key %s: seq %d published after %d", k, seq, prev)
		}
		last[k] = seq
	}
	if n := f.pending(t); n != 0 {
		t.Errorf("rows left in the outbox: got %d, want 0", n)
	}
}

func TestRelayStoppedMidBatchLosesNothing(t *testing.T) {
	f := newFixture(t)
	brokers := testkit.Kafka(t, kfake.SeedTopics(3, f.topic))
	var want []string
	for i := range 1200 {
		want = append(want, f.write(t, "k"+strconv.Itoa(i%10), i))
	}
	crashed := make(chan struct{})
	stop := f.startRelay(t, brokers, func(r *Relay) {
		r.afterPublish = func(int) error {
			select {
			case <-crashed:
			default:
				close(crashed)
			}
			return errors.New("simulated crash after publish, before delete")
		}
	})
	<-crashed
	stop()
	if n := f.pending(t); n != len(want) {
		t.Fatalf("rows after the crash: got %d, want %d (nothing deleted)", n, len(want))
	}
	f.startRelay(t, brokers, nil)
	recs := testkit.ReadTopic(t, brokers, f.topic, len(want)+500, 30*time.Second)
	got := ids(recs)
	for _, id := range want {
		if got[id] == 0 {
			t.Fatalf("event %s lost", id)
		}
	}
	f.waitPending(t, 0, "outbox to empty")
}

func TestBrokerDownKeepsRowsUntilItReturns(t *testing.T) {
	f := newFixture(t)
	port := testkit.FreePort(t)
	dataDir := t.TempDir()
	start := func() *kfake.Cluster {
		c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port), kfake.DataDir(dataDir),
			kfake.AllowAutoTopicCreation(), kfake.SeedTopics(3, f.topic))
		if err != nil {
			t.Fatalf("kfake: %v", err)
		}
		return c
	}
	c := start()
	brokers := c.ListenAddrs()
	failures := &countingHandler{msg: "outbox relay failed; retrying"}
	f.startRelay(t, brokers, func(r *Relay) { r.cfg.Logger = slog.New(failures) })
	first := f.write(t, "k", 0)
	if got := ids(testkit.ReadTopic(t, brokers, f.topic, 1, 15*time.Second)); got[first] == 0 {
		t.Fatalf("first event not published while the broker was up")
	}

	c.Close()
	var want []string
	for i := range 50 {
		want = append(want, f.write(t, "k", i+1))
	}
	// The broker stays away while the relay fails five times more, each
	// attempt after the first taking every row written, and its back-off
	// reaches its cap (100 ms doubling to 500 ms).
	before := failures.n.Load()
	testkit.Eventually(t, 30*time.Second, "five failed publishes while the broker is down", func() (bool, string) {
		n := failures.n.Load() - before
		return n >= 5, fmt.Sprintf("%d failed", n)
	})
	if n := f.pending(t); n != len(want) {
		t.Fatalf("rows while the broker is down: got %d, want %d", n, len(want))
	}

	c = start()
	defer c.Close()
	f.waitPending(t, 0, "outbox to drain after the broker returned")
	got := ids(testkit.ReadTopic(t, brokers, f.topic, len(want)+1, 30*time.Second))
	for _, id := range want {
		if got[id] == 0 {
			t.Fatalf("event %s written while the broker was down was never published", id)
		}
	}
}

func TestRolledBackTransactionPublishesNothing(t *testing.T) {
	f := newFixture(t)
	brokers := testkit.Kafka(t, kfake.SeedTopics(3, f.topic))
	f.startRelay(t, brokers, nil)
	ev, err := events.New("/rapport/test", "dev.rapport.test.thing.created.v1", "same-key", f.tenant, map[string]int{"seq": 0})
	if err != nil {
		t.Fatal(err)
	}
	rollback := errors.New("business rule failed")
	err = pg.WithTenantTx(context.Background(), f.db, f.tenant, func(tx *sqlx.Tx) error {
		if err := Add(context.Background(), tx, f.topic, ev); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatalf("got %v, want the rollback error", err)
	}
	marker := f.write(t, "same-key", 1) // same key, same partition, after the rolled-back one
	recs := testkit.ReadTopic(t, brokers, f.topic, 1, 15*time.Second)
	got := ids(recs)
	if got[marker] != 1 {
		t.Fatalf("committed marker not published: %v", got)
	}
	if got[ev.ID] != 0 {
		t.Errorf("rolled-back event %s was published", ev.ID)
	}
	if len(recs) != 1 {
		t.Errorf("records on the topic: got %d, want 1", len(recs))
	}
}

// startSlowPollRelay runs a relay whose poll is an hour away, so only a
// wake-up can deliver an event in time.
func (f fixture) startSlowPollRelay(t *testing.T, brokers []string) {
	t.Helper()
	pub := events.NewPublisher(brokers)
	r, err := NewRelay(RelayConfig{DB: f.db, DSN: f.dsn, Publisher: pub, Logger: quiet, Poll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; pub.Close() })
	testkit.Eventually(t, 30*time.Second, "the relay to LISTEN and take wake-ups", func() (bool, string) {
		running, listening := localRelays.running(), f.listening(t)
		return running && listening, fmt.Sprintf("running %v, listening %v", running, listening)
	})
}

// listening reports whether a session of the fixture's database listens
// on Channel.
func (f fixture) listening(t *testing.T) bool {
	t.Helper()
	var n int
	err := f.db.Get(&n, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query = 'LISTEN "' || $1 || '"'`, Channel)
	if err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// countingHandler is a slog.Handler counting the records whose message is msg.
type countingHandler struct {
	msg string
	n   atomic.Int32
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *countingHandler) WithGroup(string) slog.Handler            { return h }

func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.n.Add(1)
	}
	return nil
}

func TestRelayIsWokenInProcessOnCommit(t *testing.T) {
	f := newFixture(t)
	brokers := testkit.Kafka(t, kfake.SeedTopics(3, f.topic))
	f.startSlowPollRelay(t, brokers)
	id := f.write(t, "k", 0)
	if got := ids(testkit.ReadTopic(t, brokers, f.topic, 1, 10*time.Second)); got[id] != 1 {
		t.Fatalf("event not delivered without a poll: %v", got)
	}
}

// TestRelayIsWokenByNotify writes the way a process without a relay does —
// a transaction not run by pg.WithTx, so no in-process wake-up is possible —
// and expects NOTIFY to wake the relay.
func TestRelayIsWokenByNotify(t *testing.T) {
	f := newFixture(t)
	brokers := testkit.Kafka(t, kfake.SeedTopics(3, f.topic))
	f.startSlowPollRelay(t, brokers)
	ev, err := events.New("/rapport/test", "dev.rapport.test.thing.created.v1", "k", f.tenant, map[string]int{"seq": 0})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := f.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`SELECT set_config('app.tenant_id', $1, true)`, f.tenant); err != nil {
		t.Fatal(err)
	}
	if err := Add(context.Background(), tx, f.topic, ev); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := ids(testkit.ReadTopic(t, brokers, f.topic, 1, 10*time.Second)); got[ev.ID] != 1 {
		t.Fatalf("event not delivered by NOTIFY: %v", got)
	}
}

func TestTenantTransactionCannotReadTheQueue(t *testing.T) {
	f := newFixture(t)
	f.write(t, "k", 0)
	var n int
	err := pg.WithTenantTx(context.Background(), f.db, f.tenant, func(tx *sqlx.Tx) error {
		return tx.Get(&n, `SELECT count(*) FROM outbox`)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("outbox rows visible to a tenant transaction: got %d, want 0", n)
	}
	err = pg.WithTenantTx(context.Background(), f.db, uuid.NewString(), func(tx *sqlx.Tx) error {
		ev, _ := events.New("/rapport/test", "dev.rapport.test.thing.created.v1", "k", f.tenant, nil)
		return Add(context.Background(), tx, f.topic, ev) // tenant of the event ≠ tenant of the transaction
	})
	if err == nil {
		t.Errorf("adding an event of another tenant: got nil, want a refusal")
	}
}

// waitPending waits until the outbox holds n rows.
func (f fixture) waitPending(t *testing.T, n int, what string) {
	t.Helper()
	testkit.Eventually(t, 30*time.Second, what, func() (bool, string) {
		got := f.pending(t)
		return got == n, fmt.Sprintf("%d rows", got)
	})
}

// TestRelayQueryWalksThePrimaryKey guards the relay's plan: under row-level
// security its batch query must read the oldest rows through the primary key,
// not scan and sort the whole outbox (which makes draining a backlog
// quadratic).
func TestRelayQueryWalksThePrimaryKey(t *testing.T) {
	db := testkit.Postgres(t)
	admin := testkit.Open(t, db.AdminURL)
	if err := pg.Migrate(context.Background(), admin.DB, quiet, db.AppRole, Migrations()); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`INSERT INTO outbox (tenant_id, topic, event_id, source, type, subject, time, data)
		SELECT gen_random_uuid(), 't', gen_random_uuid(), 's', 'x', 'k', now(), '{}' FROM generate_series(1, 20000)`); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`ANALYZE outbox`); err != nil {
		t.Fatal(err)
	}
	app := testkit.Open(t, db.AppURL)
	var plan []string
	err := pg.WithTx(context.Background(), app, func(tx *sqlx.Tx) error {
		if _, err := tx.Exec(`SELECT set_config('app.outbox_relay', 'on', true)`); err != nil {
			return err
		}
		return tx.Select(&plan, `EXPLAIN `+strings.ReplaceAll(takeBatch, "$1", "2000"))
	})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "Index Only Scan using outbox_pkey") && !strings.Contains(text, "Index Scan using outbox_pkey") || strings.Contains(text, "Seq Scan") || strings.Contains(text, "Sort") {
		t.Errorf("relay plan: want an index scan on outbox_pkey and no sort, got\n%s", text)
	}
}

// TestRelayPlansABurstAfterAnIdleOutbox guards the relay's statements as it
// runs them, takeBatch prepared on one connection (pg.Statements): after
// many runs on an idle, empty and analysed outbox, a burst of 20,000 rows
// is still taken by looking each row of the batch up by primary key
// (beginBatch forces a plan for the outbox of each run), not by
// PostgreSQL's generic plan of the empty outbox, which rescans the batch
// for every queued row: 14 s a batch of 2,000 here, a minute at 100,000.
func TestRelayPlansABurstAfterAnIdleOutbox(t *testing.T) {
	ctx := context.Background()
	db := testkit.Postgres(t)
	admin := testkit.Open(t, db.AdminURL)
	if err := pg.Migrate(ctx, admin.DB, quiet, db.AppRole, Migrations()); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`ANALYZE outbox`); err != nil {
		t.Fatal(err)
	}
	conn, err := testkit.Open(t, db.AppURL).Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PREPARE take_batch(int) AS "+takeBatch); err != nil {
		t.Fatal(err)
	}
	run := func(stmt string) []string {
		t.Helper()
		tx, err := conn.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback() //nolint:errcheck // nothing to keep
		if _, err := tx.ExecContext(ctx, beginBatch, relayLockKey); err != nil {
			t.Fatal(err)
		}
		var out []string
		rows, err := tx.QueryContext(ctx, stmt)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if cols, _ := rows.Columns(); len(cols) == 1 {
				if err := rows.Scan(&line); err != nil {
					t.Fatal(err)
				}
			}
			out = append(out, line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for range 10 { // an idle relay polling the empty outbox
		run("EXECUTE take_batch(2000)")
	}
	if _, err := admin.Exec(`INSERT INTO outbox (tenant_id, topic, event_id, source, type, subject, time, data)
		SELECT gen_random_uuid(), 't', gen_random_uuid(), 's', 'x', 'k', now(), '{}' FROM generate_series(1, 20000)`); err != nil {
		t.Fatal(err)
	}
	plan := strings.Join(run("EXPLAIN EXECUTE take_batch(2000)"), "\n")
	if !strings.Contains(plan, "Index Scan using outbox_pkey on outbox ") || strings.Contains(plan, "Semi Join") {
		t.Errorf("the burst's plan: want the batch's rows by outbox_pkey, no semi join rescanning the batch for each row; got\n%s", plan)
	}
}

// TestRelayTakesABurstAfterAVacuumOfADrainedOutbox guards the relay's
// batch against statistics that say the outbox is (nearly) empty whatever
// its size — what a VACUUM of a drained outbox leaves (a row or none over
// pages that stay) until autovacuum analyses it again: a burst of 20,000
// rows after it is taken by reading the batch through the primary key and
// deleting its rows by TID, a few pages per row of the batch. The batch was
// joined to the queue in a nested loop rescanning it for every queued row:
// three minutes a batch at 1,000,000 rows.
func TestRelayTakesABurstAfterAVacuumOfADrainedOutbox(t *testing.T) {
	ctx := context.Background()
	db := testkit.Postgres(t)
	admin := testkit.Open(t, db.AdminURL)
	if err := pg.Migrate(ctx, admin.DB, quiet, db.AppRole, Migrations()); err != nil {
		t.Fatal(err)
	}
	const burst = `INSERT INTO outbox (tenant_id, topic, event_id, source, type, subject, time, data)
		SELECT gen_random_uuid(), 't', gen_random_uuid(), 's', 'x', 'k', now(), '{}' FROM generate_series(1, 20000)`
	// A drained outbox but for its newest row: VACUUM cannot truncate its
	// pages, and leaves statistics of one row over them all.
	for _, q := range []string{burst, `DELETE FROM outbox WHERE seq < (SELECT max(seq) FROM outbox)`, `VACUUM outbox`, burst} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var plan []byte
	err := pg.WithTx(ctx, testkit.Open(t, db.AppURL), func(tx *sqlx.Tx) error {
		if _, err := tx.Exec(beginBatch, relayLockKey); err != nil {
			return err
		}
		return tx.Get(&plan, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) `+strings.ReplaceAll(takeBatch, "$1", "2000"))
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []struct {
		Plan struct {
			Hit  int64 `json:"Shared Hit Blocks"`
			Read int64 `json:"Shared Read Blocks"`
		}
	}
	if err := json.Unmarshal(plan, &out); err != nil || len(out) != 1 {
		t.Fatalf("EXPLAIN %s: %v", plan, err)
	}
	if blocks := out[0].Plan.Hit + out[0].Plan.Read; blocks > 10*2000 {
		t.Errorf("a batch of 2,000 read %d blocks, want at most 20,000: %s", blocks, plan)
	}
}
