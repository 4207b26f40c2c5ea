-- +goose Up
-- Macros (package macros): canned replies with merge fields and the
-- actions (status, priority, tags to add, queue) applied with them. A
-- shared macro is the tenant's; any other is owner_id's alone, which every
-- read filters on (shared OR owner_id = the caller).
CREATE TABLE support_macros (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    name       text        NOT NULL,
    body       text        NOT NULL,
    shared     boolean     NOT NULL,
    owner_id   text        NOT NULL,
    actions    jsonb       NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version    bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX support_macros_owner ON support_macros (tenant_id, owner_id) WHERE NOT shared;

ALTER TABLE support_macros ENABLE ROW LEVEL SECURITY;
ALTER TABLE support_macros FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON support_macros
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE support_macros;
