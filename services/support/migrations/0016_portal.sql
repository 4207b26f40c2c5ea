-- +goose Up
-- The cases customers submit through the self-service portal (package
-- portal), one row per accepted submission: what the per-email limit
-- counts (submissions of an address in the last hour). A submission the
-- honeypot caught is logged, never stored.
CREATE TABLE portal_submissions (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    email      text        NOT NULL,
    case_id    uuid        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX portal_submissions_email ON portal_submissions (tenant_id, email, created_at);

ALTER TABLE portal_submissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE portal_submissions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON portal_submissions
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE portal_submissions;
