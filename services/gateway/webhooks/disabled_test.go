package webhooks

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
)

// user adds a user of tenant with status, holding the built-in admin role
// when admin, and returns its id.
func (e *env) user(t *testing.T, tenant, status string, admin bool) string {
	t.Helper()
	id := ids.New()
	e.admin.MustExec(`INSERT INTO users (tenant_id, id, email, name, status, locale, time_zone, created_at, updated_at, version)
		VALUES ($1, $2, $3, 'U', $4, 'en', 'UTC', now(), now(), 1)`, tenant, id, id+"@example.test", status)
	name := "sales_rep"
	if admin {
		name = "admin"
	}
	e.admin.MustExec(`INSERT INTO roles (tenant_id, id, name, builtin, created_at, updated_at, version)
		VALUES ($1, $2, $3, true, now(), now(), 1) ON CONFLICT (tenant_id, name) DO NOTHING`, tenant, ids.New(), name)
	e.admin.MustExec(`INSERT INTO user_roles (tenant_id, user_id, role_id) SELECT $1, $2, id FROM roles WHERE tenant_id = $1 AND name = $3`,
		tenant, id, name)
	return id
}

func TestWebhooksAPIOnDisabledTellsTheActiveAdmins(t *testing.T) {
	e := newEnv(t)
	admin := e.user(t, e.tenantA, "active", true)
	e.user(t, e.tenantA, "disabled", true)
	e.user(t, e.tenantA, "active", false)
	e.user(t, e.tenantB, "active", true)
	sub := e.subscribe(t, e.tenantA, []string{"*"}, "")
	if err := pg.WithTenantTx(t.Context(), e.app, e.tenantA, func(tx *sqlx.Tx) error {
		tx.MustExec(`UPDATE webhook_subscriptions SET status = 'disabled', disabled_reason = $2, disabled_at = now() WHERE id = $1`,
			sub, "the endpoint answered 410 Gone")
		return e.store.OnDisabled(t.Context(), tx, e.tenantA, sub, "the endpoint answered 410 Gone")
	}); err != nil {
		t.Fatal(err)
	}
	if types := e.outboxEvents(t); !slices.Equal(types, []string{TypeCreated, TypeDisabled}) {
		t.Errorf("outbox events %v", types)
	}
	var row struct {
		Subject string `db:"subject"`
		Data    string `db:"data"`
	}
	if err := e.admin.Get(&row, `SELECT subject, data FROM outbox WHERE type = $1`, TypeDisabled); err != nil {
		t.Fatal(err)
	}
	var data disabledData
	if err := json.Unmarshal([]byte(row.Data), &data); err != nil {
		t.Fatal(err)
	}
	if row.Subject != sub || data.ID != sub || data.DisabledReason != "the endpoint answered 410 Gone" || !slices.Equal(data.AdminIDs, []string{admin}) {
		t.Errorf("disabled event %s %s", row.Subject, row.Data)
	}

	// notify's rule of the event makes a notification for each admin named.
	drafts, err := disabledNotifications(events.Event{Type: TypeDisabled, Data: json.RawMessage(row.Data)})
	if err != nil {
		t.Fatal(err)
	}
	if len(drafts) != 1 || drafts[0].UserID != admin || drafts[0].Kind != KindDisabled || drafts[0].Params["url"] != data.URL ||
		drafts[0].Link != "/admin/webhooks/"+sub {
		t.Errorf("drafts %+v", drafts)
	}
}
