-- +goose Up
-- Attachments (package attachments): the files of cases' threads, their
-- bytes beside their metadata (the database store; an object store can
-- take the bytes later behind attachments.Store). name is sanitised,
-- content_type sniffed from the bytes, sha256 in hex. A case's deletion
-- takes its files along; a merge moves them to the surviving case.
CREATE TABLE attachments (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    case_id      uuid        NOT NULL,
    name         text        NOT NULL,
    content_type text        NOT NULL,
    size         bigint      NOT NULL CHECK (size > 0),
    sha256       text        NOT NULL,
    created_at   timestamptz NOT NULL,
    data         bytea       NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX attachments_case ON attachments (tenant_id, case_id);

ALTER TABLE attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE attachments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON attachments
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE attachments;
