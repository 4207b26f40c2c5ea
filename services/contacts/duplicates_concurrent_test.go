package contacts_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestSimilarNamesAcrossTransactions creates a record whose INSERT is held
// open (a trigger waits in it for the test) and, while it is held, a record of a
// similar name — in the same email domain for contacts — which the service
// writes in a transaction of its own, the first one's batch still running.
// The second must wait for the first to commit and then be refused as its
// duplicate, as it would be had the two come one after the other. Without
// locks on the name keys, both were created.
func TestSimilarNamesAcrossTransactions(t *testing.T) {
	cases := []struct {
		table, column, path string
		first, second       map[string]any
	}{
		{"contacts", "job_title", "/v1/contacts",
			map[string]any{"firstName": "Katherine", "lastName": "Slowpoke", "jobTitle": "hold",
				"emails": []any{map[string]any{"address": "katherine@initech.example"}}},
			map[string]any{"firstName": "Katherine", "lastName": "Slowpokes",
				"emails": []any{map[string]any{"address": "k.slowpoke@initech.example"}}}},
		{"accounts", "industry", "/v1/accounts",
			map[string]any{"name": "Slowpoke Dynamics Ltd", "domain": "slowpoke.example", "industry": "hold"},
			map[string]any{"name": "Slowpoke Dynamics GmbH", "domain": "slowpoke-dynamics.example"}},
	}
	for _, c := range cases {
		t.Run(c.table, func(t *testing.T) {
			e := newEnv(t)
			release := e.hold("INSERT", c.table, c.column)
			u := newUser(uuid.NewString())
			held := make(chan reply, 1)
			go func() { held <- e.do(u, "POST", c.path, c.first) }()
			e.waitForHeld()
			similar := make(chan reply, 1)
			go func() { similar <- e.do(u, "POST", c.path, c.second) }()
			e.waitForLockWaiters(2, "the similar record waits for the held one", func() bool { return len(similar) > 0 })
			release()
			first := e.want(<-held, http.StatusCreated)
			second := <-similar
			if second.Status != http.StatusConflict {
				t.Fatalf("the similar record: status %d, want 409: %s", second.Status, second.Raw)
			}
			if _, ok := candidates(second, "duplicates")[first.id()]; !ok {
				t.Errorf("the similar record is refused without naming the held one: %s", second.Raw)
			}
		})
	}
}

// holdKey is the advisory lock a held write waits for (hold).
const holdKey = 7340001

// hold makes each op ("INSERT" or "UPDATE") of a row of table whose column
// is 'hold' wait in a trigger, its transaction open, until the test calls
// the release it returns (or ends): the test holds the advisory lock holdKey
// on a connection of its own, and the trigger waits to share it.
func (e *env) hold(op, table, column string) (release func()) {
	e.t.Helper()
	ctx := context.Background()
	conn, err := e.admin.Conn(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", holdKey); err != nil {
		e.t.Fatal(err)
	}
	release = sync.OnceFunc(func() {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", holdKey); err != nil {
			e.t.Error(err)
		}
		conn.Close()
	})
	e.t.Cleanup(release)
	name := strings.ToLower("hold_" + op + "_" + table)
	for _, q := range []string{
		fmt.Sprintf(`CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.%s = 'hold' THEN PERFORM pg_advisory_xact_lock_shared(%d); END IF;
			RETURN NEW;
		END $$`, name, column, holdKey),
		fmt.Sprintf(`CREATE TRIGGER %[1]s BEFORE %[2]s ON %[3]s FOR EACH ROW EXECUTE FUNCTION %[1]s()`, name, op, table),
	} {
		if _, err := e.admin.Exec(q); err != nil {
			e.t.Fatal(err)
		}
	}
	return release
}

// waitForHeld waits until a write waits in hold's trigger: the held write,
// its duplicate check done.
func (e *env) waitForHeld() {
	e.t.Helper()
	testkit.Eventually(e.t, 10*time.Second, "a write is held", func() (bool, string) {
		var n int
		if err := e.admin.Get(&n, fmt.Sprintf(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND classid = 0 AND objid = %d AND objsubid = 1`, holdKey)); err != nil {
			e.t.Fatal(err)
		}
		return n > 0, ""
	})
}

// waitForLockWaiters waits until n backends of the test database wait for
// a lock (a held write among them), or until done (nil: never) reports that
// what should have waited has finished instead.
func (e *env) waitForLockWaiters(n int, what string, done func() bool) {
	e.t.Helper()
	testkit.Eventually(e.t, 10*time.Second, what, func() (bool, string) {
		var waiting int
		if err := e.admin.Get(&waiting, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
			e.t.Fatal(err)
		}
		return waiting >= n || done != nil && done(), fmt.Sprintf("%d waiting for a lock", waiting)
	})
}
