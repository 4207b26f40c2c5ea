package activities

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/internal/testdb"
)

// seedActivities inserts n activities of tenant: every type in turn, on
// 2,000 contacts and 200 accounts, of 50 assignees and 7 teams, one a
// minute back from now; every fifth a task (a third of them completed)
// with a fired reminder.
func seedActivities(t *testing.T, admin *sqlx.DB, tenant string, n int) {
	t.Helper()
	_, err := admin.Exec(`INSERT INTO activities (tenant_id, id, type, subject, contact_id, account_id, assignee_id, team_id,
			occurred_at, status, priority, due_at, reminder_at, created_by, created_at, updated_at, version)
		SELECT $1, gen_random_uuid(), (ARRAY['call', 'email', 'meeting', 'note', 'task'])[g % 5 + 1], 'Activity ' || g,
			('00000000-0000-0000-0000-' || lpad((g % 2000)::text, 12, '0'))::uuid,
			('00000000-0000-0000-0001-' || lpad((g % 200)::text, 12, '0'))::uuid,
			'user' || (g % 50), 'team' || (g % 7), now() - g * interval '1 minute',
			CASE WHEN g % 5 = 4 THEN CASE WHEN g % 3 = 0 THEN 'completed' ELSE 'open' END ELSE '' END,
			CASE WHEN g % 5 = 4 THEN 'normal' ELSE '' END,
			CASE WHEN g % 5 = 4 THEN now() - g * interval '1 minute' END,
			CASE WHEN g % 5 = 4 THEN now() - g * interval '1 minute' - interval '1 hour' END,
			'user' || (g % 50), now(), now(), 1
		FROM generate_series(1, $2::int) g`, tenant, n)
	if err != nil {
		t.Fatal(err)
	}
	_, err = admin.Exec(`INSERT INTO reminders (tenant_id, activity_id, due_at, fired_at)
		SELECT tenant_id, id, reminder_at, now() FROM activities WHERE tenant_id = $1 AND reminder_at IS NOT NULL`, tenant)
	if err != nil {
		t.Fatal(err)
	}
	_, err = admin.Exec(`INSERT INTO activity_keys (tenant_id, kind, value, activity_id)
		SELECT tenant_id, 'ref', 'sales/opportunity/' || (substr(subject, 10)::int % 1000), id FROM activities WHERE tenant_id = $1`, tenant)
	if err != nil {
		t.Fatal(err)
	}
}

// TestQueriesUseIndexes checks, on 2 tenants × 20,000 activities, that the
// lists (a timeline's query among them: a contact's or an account's
// activities, newest first), the open tasks, the calendar and the claim of
// due reminders read through their indexes under FORCE ROW LEVEL SECURITY,
// never a sequential scan.
func TestQueriesUseIndexes(t *testing.T) {
	admin, app := testdb.Migrated(t)
	tenant := uuid.NewString()
	seedActivities(t, admin, tenant, 20000)
	seedActivities(t, admin, uuid.NewString(), 20000)
	if _, err := admin.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	all := auth.Principal{TenantID: tenant, UserID: "user7", RecordScope: map[string]auth.Scope{customer.Module: auth.ScopeAll}}
	own := auth.Principal{TenantID: tenant, UserID: "user7", RecordScope: map[string]auth.Scope{customer.Module: auth.ScopeOwn}}
	now := time.Now()
	at := &position{At: &now, ID: uuid.NewString()}
	week := now.Add(-7 * 24 * time.Hour)
	dated, undated := openTaskConds(all, Owners{Assignee: "user7"}, nil, nil)
	overdue, _ := openTaskConds(all, Owners{Team: "team3"}, &now, at)
	for _, tt := range []struct {
		name  string
		conds []pgstore.Cond
		order string
		want  string
	}{
		{"a contact's, newest first", newestConds(all, filter{contact: "00000000-0000-0000-0000-000000000007"}, nil), newest, "activities_contact"},
		{"an account's, next page", newestConds(all, filter{account: "00000000-0000-0000-0001-000000000007"}, at), newest, "activities_account"},
		{"an assignee's calls", newestConds(all, filter{assignee: "user7", types: []string{TypeCall}}, nil), newest, "activities_assignee"},
		{"a record of another service's", newestConds(all, filter{related: "sales/opportunity/7"}, nil), newest, "activity_keys_pkey"},
		{"everything, newest first", newestConds(all, filter{}, nil), newest, "activities_occurred"},
		{"a contact's in the own scope", newestConds(own, filter{contact: "00000000-0000-0000-0000-000000000007"}, nil), newest, "activities_contact"},
		{"my open tasks", dated, soonestDue, "activities_open_tasks"},
		{"my open tasks without a due time", undated, undatedBy, "activities_open_tasks"},
		{"a team's overdue tasks", overdue, soonestDue, "activities_open_tasks_team"},
		{"an assignee's week", calendarConds(all, Owners{Assignee: "user7"}, week, now, nil, nil), byStart, "activities_assignee"},
		{"a team's week", calendarConds(all, Owners{Team: "team3"}, week, now, []string{TypeMeeting}, nil), byStart, "activities_team"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q, args := selectSQL(tt.conds, tt.order, 51)
			plan := explain(t, app, tenant, q, args...)
			if strings.Contains(plan, "Seq Scan") || !strings.Contains(plan, tt.want) {
				t.Errorf("want %s, no sequential scan:\n%s", tt.want, plan)
			}
		})
	}
	t.Run("the claim of due reminders", func(t *testing.T) {
		if plan := explain(t, app, tenant, claimSQL, reminderBatch); strings.Contains(plan, "Seq Scan") || !strings.Contains(plan, "reminders_pending") {
			t.Errorf("want reminders_pending, no sequential scan:\n%s", plan)
		}
	})
}

// explain returns the plan of q run by the application role in a
// transaction of tenant.
func explain(t *testing.T, app *sqlx.DB, tenant, q string, args ...any) string {
	t.Helper()
	var lines []string
	err := pgstore.New(app, "").InTx(context.Background(), tenant, func(tx *pgstore.Tx) error {
		return tx.SQL().Select(&lines, "EXPLAIN "+q, args...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
