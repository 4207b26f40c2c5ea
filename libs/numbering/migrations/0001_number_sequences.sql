-- +goose Up
-- Gap-free number sequences per tenant (libs/numbering): the last number
-- given of each sequence name (quote, case) in a scope ('' or, for numbers
-- that start again each year, the year). Raised in the transaction that
-- uses the number (INSERT … ON CONFLICT DO UPDATE … RETURNING), so a
-- rollback gives it back.
CREATE TABLE number_sequences (
    tenant_id uuid   NOT NULL,
    name      text   NOT NULL,
    scope     text   NOT NULL DEFAULT '',
    last      bigint NOT NULL CHECK (last > 0),
    PRIMARY KEY (tenant_id, name, scope)
);

ALTER TABLE number_sequences ENABLE ROW LEVEL SECURITY;
ALTER TABLE number_sequences FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON number_sequences
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE number_sequences;
