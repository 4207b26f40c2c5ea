-- +goose Up
-- The emails of notifications still to send: the consumer's transaction
-- that stores a notification adds its email here when the recipient wants
-- it, so an email queued when a gateway stops is sent by another replica
-- or the next start. Every replica's Sender finds the tenants with emails
-- due (due_notification_email_tenants), claims each due row with FOR UPDATE
-- SKIP LOCKED in a transaction of its tenant, sends it while holding it and
-- deletes it in that transaction; a refused send counts an attempt and
-- waits until next_at, and after the last attempt the row stays as failed.
-- The recipient's address, name, locale and time zone are read from users
-- when it is sent.
CREATE TABLE notification_emails (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    kind       text        NOT NULL,
    params     jsonb       NOT NULL DEFAULT '{}',
    link       text        NOT NULL DEFAULT '',
    state      text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),
    attempts   int         NOT NULL DEFAULT 0,
    next_at    timestamptz NOT NULL,
    last_error text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- A tenant's due emails, oldest first: what a Sender claims.
CREATE INDEX notification_emails_pending ON notification_emails (tenant_id, next_at) WHERE state = 'pending';
-- The due emails of every tenant: how due_notification_email_tenants finds
-- the tenants with work. This index alone does not lead with tenant_id: it
-- serves the one query that crosses tenants, and holds only pending rows.
CREATE INDEX notification_emails_due ON notification_emails (next_at, tenant_id) WHERE state = 'pending';

ALTER TABLE notification_emails ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_emails FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_emails
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
-- The owner (the role migrating, not the application's) reads every
-- tenant's rows: due_notification_email_tenants runs as the owner to find
-- the work of all.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_lists ON notification_emails FOR SELECT TO %I USING (true)', current_user);
END $$;
-- +goose StatementEnd

-- due_notification_email_tenants lists up to max tenants having emails due
-- by now, the tenant with the oldest due one first: only their ids, for the
-- Sender to claim each one's emails in a transaction of that tenant.
-- +goose StatementBegin
CREATE FUNCTION due_notification_email_tenants(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT e.tenant_id FROM public.notification_emails e WHERE e.state = 'pending' AND e.next_at <= now()
    GROUP BY e.tenant_id ORDER BY min(e.next_at) LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION due_notification_email_tenants(int);
DROP TABLE notification_emails;
