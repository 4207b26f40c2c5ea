package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
)

// leadCreate holds the results of part 10's lead creation (issue 15: at
// concurrency 16, against the same-schema INSERT ceiling of the same run).
type leadCreate struct {
	Rate    float64 // leads created/s over HTTP
	Ceiling float64 // one-row INSERT + outbox transactions/s into the copy of leads
	Latency latency // per create request
}

// leadsCeiling inserts the leads a create run stored into lead_ceiling, a
// copy of the service's leads table (copyLeadsTable), with the columns
// the service writes when it creates a lead (columns and tag_keys in
// services/sales/leads/store.go's save).
var leadsCeiling = ceilingTable{From: "leads", Into: "lead_ceiling", Columns: []string{"id", "first_name", "last_name", "company", "title",
	"email", "phone", "phone_e164", "source", "campaign_id", "status", "disqualified_reason", "rating", "score", "score_reasons", "owner_id",
	"team_id", "assigned_by_rule_id", "assignment_reason", "converted_contact_id", "converted_account_id", "converted_opportunity_id",
	"converted_at", "created_at", "updated_at", "version", "deleted_at", "tags", "custom_fields", "tag_keys"}}

// salesEvents is the part of the sales service's catalogue
// (services/sales/internal/pgstore/events.go) the ceiling publishes.
var salesEvents = events.Catalogue{Source: "/rapport/sales", Context: registry.Sales, Verbs: map[string][]string{"lead": {"created"}}}

// measureLeadCreate creates createWriters×createPerWriter leads over HTTP
// in a tenant of its own without assignment rules (validation, E.164, the
// custom fields' and scoring's reads, insert, duplicate check, outbox,
// relay running), each with a distinct name, email and phone, then
// measures the same-schema ceiling: the very leads it stored, inserted
// again one per transaction at the same concurrency into a copy of the
// leads table, each with the outbox insert of lead.created carrying a
// created lead's JSON as the service's does.
func measureLeadCreate(ctx context.Context, stack *contactsStack, admin *sqlx.DB) (res leadCreate, err error) {
	p := salesPrincipal(newTenant(), 0, auth.ScopeAll)
	token := stack.tokens(p)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: createWriters}, Timeout: 30 * time.Second}
	created := make([]json.RawMessage, createWriters*createPerWriter)
	res.Rate, res.Latency, err = timedCreates(ctx, func(ctx context.Context, n int) error {
		body, err := benchRequest(ctx, client, token, http.MethodPost, stack.base+"/v1/leads", leadBody(n))
		if err != nil {
			return fmt.Errorf("create lead %d: %w", n, err)
		}
		created[n] = body
		return nil
	})
	if err != nil {
		return res, err
	}

	if err := copyLeadsTable(ctx, admin, stack.db.AppRole); err != nil {
		return res, err
	}
	app, err := pg.Open(stack.db.AppURL, pg.Options{})
	if err != nil {
		return res, err
	}
	defer app.Close()
	rows, err := storedRows(ctx, app, p.TenantID, leadsCeiling)
	if err != nil {
		return res, err
	}
	topic := registry.MustTopic("", registry.Sales)
	res.Ceiling, err = schemaCeiling(ctx, app, leadsCeiling, rows, createWriters, createPerWriter,
		func(ctx context.Context, tx *sqlx.Tx, tenant string, i int, id string) error {
			ev, err := salesEvents.New(tenant, "lead", "created", id, created[i], nil)
			if err != nil {
				return err
			}
			return outbox.Add(ctx, tx, topic, ev)
		})
	return res, err
}

// leadBody is lead n to create: a distinct name, company, email and
// phone, so the duplicate check runs and finds nothing; no owner, so the
// create asks the (absent) assignment rules.
func leadBody(n int) string {
	return fmt.Sprintf(`{"firstName":%q,"lastName":%q,"company":"%s GmbH","email":"lead.%d@example.com","phone":"+1 212 %03d %04d",`+
		`"source":"web","rating":"warm","tags":["bench"]}`,
		pseudoWord(uint64(n)*3+1), pseudoWord(uint64(n)*3+2), pseudoWord(uint64(n)*3+3), n, 200+n/10000%800, n%10000)
}

// copyLeadsTable makes lead_ceiling, as the database owner: the service's
// leads table's columns (the generated email_key too), defaults, checks and
// indexes (LIKE … INCLUDING ALL), with its row-level security, writable by
// role.
func copyLeadsTable(ctx context.Context, admin *sqlx.DB, role string) error {
	if _, err := admin.ExecContext(ctx, `CREATE TABLE lead_ceiling (LIKE leads INCLUDING ALL);
		ALTER TABLE lead_ceiling ENABLE ROW LEVEL SECURITY;
		ALTER TABLE lead_ceiling FORCE ROW LEVEL SECURITY;
		CREATE POLICY tenant_isolation ON lead_ceiling
			USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
			WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
		GRANT SELECT, INSERT ON lead_ceiling TO `+role); err != nil {
		return fmt.Errorf("copy the leads table: %w", err)
	}
	return nil
}
