-- +goose Up
-- The attempt that converted each lead (leads.Converter): a digest of the
-- converting user and the Idempotency-Key of the request, written in the
-- conversion's own transaction with the actions it took, so a retry of that
-- request gets the first answer again even when its outcome was never kept
-- by libs/idempotency (the replica died between the commit and the record).
CREATE TABLE lead_conversion_attempts (
    tenant_id      uuid NOT NULL,
    lead_id        uuid NOT NULL,
    attempt        text NOT NULL,
    contact_action text NOT NULL,
    account_action text NOT NULL,
    PRIMARY KEY (tenant_id, lead_id)
);

ALTER TABLE lead_conversion_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_conversion_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_conversion_attempts
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE lead_conversion_attempts;
