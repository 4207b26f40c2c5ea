package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// testStatistics: the contacts service gives its new database's tables
// statistics within seconds of their first writes, as a manual ANALYZE
// (pg_stat_user_tables.last_analyze), not waiting for autovacuum
// (last_autoanalyze), once a table has had 100 rows written.
func testStatistics(t *testing.T, w *world) {
	for i := range 110 {
		stack.Must(t, stack.Request{Method: http.MethodPost, URL: w.st.GatewayURL + "/v1/contacts", Token: w.a.tenant.Admin.Token,
			Body: map[string]any{"firstName": "Stat" + letters(8), "lastName": letters(8),
				"emails": []map[string]any{{"address": fmt.Sprintf("stat%d.%s@%s.example", i, letters(6), letters(6))}}}},
			http.StatusCreated, nil)
	}
	db := testkit.Open(t, w.st.ContactsDB)
	testkit.Eventually(t, 40*time.Second, "the service analyzed the contacts table after 110 contacts were created", func() (bool, string) {
		var analyzed bool
		if err := db.Get(&analyzed, `SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'contacts'`); err != nil {
			t.Fatal(err)
		}
		return analyzed, ""
	})
}
