-- +goose Up
-- Messages (package messaging): a row per recipient of a send, made before
-- the message goes out and checked before every SMTP transaction or SMS
-- request, so that a crash, a retry or a second replica never sends one
-- twice (UNIQUE (tenant_id, send_id, contact_id)). status: queued, sending
-- (claimed by a sender: claimed_by, claimed_at), sent, failed; the
-- tracking context's feedback (delivered, bounced, complained) is kept in
-- feedback. smtp_id is the Message-ID the mail went out with, what a
-- bounce names. send_id is the send or the journey step's send; variant
-- the A/B test's variant ('' for none).
CREATE TABLE messages (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    send_id      uuid        NOT NULL,
    campaign_id  uuid,
    contact_id   uuid        NOT NULL,
    channel      text        NOT NULL,
    address      text        NOT NULL,
    variant      text        NOT NULL DEFAULT '',
    status       text        NOT NULL,
    smtp_id      text        NOT NULL DEFAULT '',
    feedback     text        NOT NULL DEFAULT '',
    error        text        NOT NULL DEFAULT '',
    attempts     integer     NOT NULL DEFAULT 0,
    claimed_by   text        NOT NULL DEFAULT '',
    claimed_at   timestamptz,
    sent_at      timestamptz,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, send_id, contact_id)
);

CREATE INDEX messages_send_status ON messages (tenant_id, send_id, status);
CREATE INDEX messages_contact ON messages (tenant_id, contact_id);
CREATE INDEX messages_smtp_id ON messages (tenant_id, smtp_id) WHERE smtp_id <> '';

ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON messages
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The tenant's suppression list (package tracking writes it, package
-- messaging reads it before every send): an address (lower-cased email or
-- E.164 phone) on a channel never sent to again. reason: hard_bounce,
-- complaint, unsubscribed, manual.
CREATE TABLE suppressions (
    tenant_id  uuid        NOT NULL,
    channel    text        NOT NULL,
    address    text        NOT NULL,
    reason     text        NOT NULL,
    detail     text        NOT NULL DEFAULT '',
    created_by text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, channel, address)
);

ALTER TABLE suppressions ENABLE ROW LEVEL SECURITY;
ALTER TABLE suppressions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON suppressions
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE suppressions;
DROP TABLE messages;
