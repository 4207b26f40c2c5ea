-- +goose Up
-- Events a consumer has applied, so a redelivered event has no second effect.
CREATE TABLE inbox (
    tenant_id  uuid        NOT NULL,
    source     text        NOT NULL,
    id         uuid        NOT NULL,
    type       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, source, id)
);
CREATE INDEX inbox_applied_at ON inbox (tenant_id, applied_at);
ALTER TABLE inbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE inbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON inbox
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE inbox;
