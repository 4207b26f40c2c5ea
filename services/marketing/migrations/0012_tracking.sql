-- +goose Up
-- What recipients did with a message (package tracking): opens and clicks
-- through its signed links, and the feedback of mail servers (delivered,
-- bounce, complaint). Every one is a row; bot is an open or click taken
-- for a mail scanner's or a prefetch's (bot_reason says why), kept but
-- never published. first marks the row whose event was published: one per
-- message, kind and target (a click's URL, a bounce's type hard or soft;
-- '' for the others), which the partial unique index makes so under
-- concurrent requests. detail is a bounce's status and diagnostic or a
-- complaint's feedback type.
CREATE TABLE message_events (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    message_id uuid        NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('open', 'click', 'delivered', 'bounce', 'complaint')),
    target     text        NOT NULL DEFAULT '',
    first      boolean     NOT NULL DEFAULT false,
    bot        boolean     NOT NULL DEFAULT false,
    bot_reason text        NOT NULL DEFAULT '',
    detail     text        NOT NULL DEFAULT '',
    user_agent text        NOT NULL DEFAULT '',
    ip         text        NOT NULL DEFAULT '',
    at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX message_events_message ON message_events (tenant_id, message_id, kind);
CREATE UNIQUE INDEX message_events_first ON message_events (tenant_id, message_id, kind, target) WHERE first;

ALTER TABLE message_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE message_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON message_events
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Every bounce or complaint report received for the tenant, matched to a
-- message or not: kind delivery-status or feedback-report, source smtp or
-- upload, message_id the message it names (NULL: none of the tenant's, a
-- report counted and logged, nothing else done), outcome what it did
-- (delivered, hard_bounce, soft_bounce, complaint, unmatched).
CREATE TABLE feedback_reports (
    tenant_id   uuid        NOT NULL,
    id          uuid        NOT NULL,
    kind        text        NOT NULL,
    source      text        NOT NULL,
    message_id  uuid,
    outcome     text        NOT NULL,
    detail      text        NOT NULL DEFAULT '',
    received_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX feedback_reports_outcome ON feedback_reports (tenant_id, outcome, received_at);

ALTER TABLE feedback_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE feedback_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON feedback_reports
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- A bounce arriving at the SMTP listener names its message (by id or
-- Message-ID) before any tenant is known: the owner (the role migrating)
-- reads every tenant's messages, and marketing_message_by_ref, running as
-- the owner, returns the tenant and id of the message msg, else of the one
-- whose Message-ID is smtp (with or without its angle brackets), and
-- nothing else.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_feedback ON messages FOR SELECT TO %I USING (true)', current_user);
END $$;
-- +goose StatementEnd

CREATE INDEX messages_by_id ON messages (id);
CREATE INDEX messages_by_smtp_id ON messages (smtp_id) WHERE smtp_id <> '';

-- +goose StatementBegin
CREATE FUNCTION marketing_message_by_ref(msg uuid, smtp text) RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT m.tenant_id, m.id FROM public.messages m WHERE m.id = msg
    UNION ALL
    SELECT m.tenant_id, m.id FROM public.messages m WHERE smtp <> '' AND m.smtp_id IN (smtp, '<' || smtp || '>')
    LIMIT 1
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION marketing_message_by_ref(uuid, text);
DROP INDEX messages_by_smtp_id;
DROP INDEX messages_by_id;
DROP POLICY owner_feedback ON messages;
DROP TABLE feedback_reports;
DROP TABLE message_events;
