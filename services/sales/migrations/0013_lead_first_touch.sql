-- +goose Up
-- First-touch deadlines (package leads): a lead assigned by a rule with
-- firstTouchMinutes must be touched by an activity (contacts'
-- activity events naming it) by due_at. The row is the source of truth,
-- never a timer in memory: every instance claims the due rows not touched
-- with FOR UPDATE SKIP LOCKED in a transaction of the lead's tenant, marks
-- them missed and adds each one's lead.sla_missed to the outbox in that
-- transaction, so the event is raised once however many instances run. A
-- new assignment by such a rule arms the row again.
CREATE TABLE lead_first_touch (
    tenant_id  uuid        NOT NULL,
    lead_id    uuid        NOT NULL,
    rule_id    uuid        NOT NULL,
    owner_id   text        NOT NULL,
    due_at     timestamptz NOT NULL,
    touched_at timestamptz,
    missed_at  timestamptz,
    PRIMARY KEY (tenant_id, lead_id),
    FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, id) ON DELETE CASCADE
);
-- The due deadlines of every tenant, oldest first: how
-- due_first_touch_tenants finds the tenants with work, and each tenant's
-- claim.
CREATE INDEX lead_first_touch_due ON lead_first_touch (due_at, tenant_id) WHERE touched_at IS NULL AND missed_at IS NULL;
CREATE INDEX lead_first_touch_pending ON lead_first_touch (tenant_id, due_at) WHERE touched_at IS NULL AND missed_at IS NULL;

ALTER TABLE lead_first_touch ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_first_touch FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_first_touch
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
-- The owner (the role migrating) reads every tenant's rows:
-- due_first_touch_tenants runs as the owner to find the work of all.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_lists ON lead_first_touch FOR SELECT TO %I USING (true)', current_user);
END $$;
-- +goose StatementEnd

-- due_first_touch_tenants lists up to max tenants having first-touch
-- deadlines passed and untouched, the oldest first: only their ids, for
-- the sweeper to claim each one's in a transaction of that tenant.
-- +goose StatementBegin
CREATE FUNCTION due_first_touch_tenants(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT f.tenant_id FROM public.lead_first_touch f WHERE f.touched_at IS NULL AND f.missed_at IS NULL AND f.due_at <= now()
    GROUP BY f.tenant_id ORDER BY min(f.due_at) LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION due_first_touch_tenants(int);
DROP TABLE lead_first_touch;
