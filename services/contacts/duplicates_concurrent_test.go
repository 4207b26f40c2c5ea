package contacts_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestSimilarNamesAcrossTransactions creates a record whose INSERT is held
// open (a trigger sleeps in it) and, while it is held, a record of a
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
			e.hold("INSERT", c.table, c.column)
			u := newUser(uuid.NewString())
			held := make(chan reply, 1)
			go func() { held <- e.do(u, "POST", c.path, c.first) }()
			e.waitForSleep()
			second := e.do(u, "POST", c.path, c.second)
			first := e.want(<-held, http.StatusCreated)
			if second.status != http.StatusConflict {
				t.Fatalf("the similar record: status %d, want 409: %s", second.status, second.raw)
			}
			if _, ok := duplicates(t, second, "duplicates")[first.body["id"].(string)]; !ok {
				t.Errorf("the similar record is refused without naming the held one: %s", second.raw)
			}
		})
	}
}

// hold makes each op ("INSERT" or "UPDATE") of a row of table whose column
// is 'hold' sleep 2 s in a trigger, so that its transaction stays open.
func (e *env) hold(op, table, column string) {
	e.t.Helper()
	name := strings.ToLower("hold_" + op + "_" + table)
	for _, q := range []string{
		fmt.Sprintf(`CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.%s = 'hold' THEN PERFORM pg_sleep(2); END IF;
			RETURN NEW;
		END $$`, name, column),
		fmt.Sprintf(`CREATE TRIGGER %[1]s BEFORE %[2]s ON %[3]s FOR EACH ROW EXECUTE FUNCTION %[1]s()`, name, op, table),
	} {
		if _, err := e.admin.Exec(q); err != nil {
			e.t.Fatal(err)
		}
	}
}

// waitForSleep waits until a backend of the test database sleeps in
// pg_sleep: the held INSERT, with its duplicate check done.
func (e *env) waitForSleep() {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := e.admin.QueryRow(`SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event = 'PgSleep'`).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatal("no INSERT is held")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
