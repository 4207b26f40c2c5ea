-- +goose Up
-- What a user has been told of once and is never told of again: a rule's
-- draft naming a key (Draft.Once) makes a notification only when the
-- consumer's transaction adds its row here. A note's mentions use the
-- note's id, so editing a note tells only the users it newly mentions.
CREATE TABLE notification_once (
    tenant_id  uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    key        text        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id, key)
);
ALTER TABLE notification_once ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_once FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_once
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE notification_once;
