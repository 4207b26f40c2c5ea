-- +goose Up
-- Reminders (issue 14 point 2): the durable schedule of the reminders of
-- tasks and meetings, one row per activity with a reminder. The row is the
-- source of truth, never a timer in memory: every instance of the service
-- claims due rows with FOR UPDATE SKIP LOCKED in a transaction of the
-- reminder's tenant, adds each one's activity.reminder_due event to the
-- outbox and marks it fired in that transaction, so a reminder fires once
-- however many instances run and whenever they stop. A write of the
-- activity keeps the row in step: a new reminder time (rescheduling,
-- snoozing) arms it again, completing the task or removing the reminder
-- deletes it, and deleting the activity cascades.
CREATE TABLE reminders (
    tenant_id   uuid        NOT NULL,
    activity_id uuid        NOT NULL,
    due_at      timestamptz NOT NULL,
    fired_at    timestamptz,
    PRIMARY KEY (tenant_id, activity_id),
    FOREIGN KEY (tenant_id, activity_id) REFERENCES activities (tenant_id, id) ON DELETE CASCADE
);
-- A tenant's due reminders, oldest first: what an instance claims.
CREATE INDEX reminders_pending ON reminders (tenant_id, due_at) WHERE fired_at IS NULL;
-- The due reminders of every tenant, oldest first: how due_reminder_tenants
-- finds the tenants with work without visiting each tenant. This index alone
-- does not lead with tenant_id: it serves the one query that crosses
-- tenants, and holds only reminders not yet fired.
CREATE INDEX reminders_due ON reminders (due_at, tenant_id) WHERE fired_at IS NULL;

ALTER TABLE reminders ENABLE ROW LEVEL SECURITY;
ALTER TABLE reminders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON reminders
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
-- The owner (the role migrating, not the application's) reads every tenant's
-- rows: due_reminder_tenants runs as the owner to find the work of all.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_lists ON reminders FOR SELECT TO %I USING (true)', current_user);
END $$;
-- +goose StatementEnd

-- due_reminder_tenants lists up to max tenants having reminders due by now,
-- the tenant with the oldest due one first: only their ids, for the firing
-- to claim each one's reminders in a transaction of that tenant.
-- +goose StatementBegin
CREATE FUNCTION due_reminder_tenants(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.tenant_id FROM public.reminders r WHERE r.fired_at IS NULL AND r.due_at <= now()
    GROUP BY r.tenant_id ORDER BY min(r.due_at) LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION due_reminder_tenants(int);
DROP TABLE reminders;
