-- +goose Up
-- Templates (package templates): a tenant's email templates (subject,
-- html and text parts) and SMS templates (body), with merge tags checked
-- when saved. channel: email or sms; the other channel's parts are ''.
CREATE TABLE templates (
    tenant_id   uuid        NOT NULL,
    id          uuid        NOT NULL,
    name        text        NOT NULL,
    channel     text        NOT NULL CHECK (channel IN ('email', 'sms')),
    subject     text        NOT NULL DEFAULT '',
    html        text        NOT NULL DEFAULT '',
    text        text        NOT NULL DEFAULT '',
    body        text        NOT NULL DEFAULT '',
    description text        NOT NULL DEFAULT '',
    created_by  text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX templates_name ON templates (tenant_id, lower(name), id);

ALTER TABLE templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE templates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON templates
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE templates;
