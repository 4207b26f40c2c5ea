-- +goose Up
-- The audit log: one row per mutating request and per login attempt.
--
-- Tenant-owned under forced row-level security, with the policy expression of
-- libs/pg/doc.go split by command so that the gateway's role can read and
-- append its tenant's rows but never change them: there is no UPDATE policy.
-- Entries that belong to no known tenant (a login failure for an unknown
-- tenant slug) carry the nil UUID.
--
-- Retention: the two retention_* policies let a transaction that sets
-- app.audit_prune_before see and delete only the rows older than that
-- cut-off, across tenants; nothing else can delete a row.
CREATE TABLE audit_log (
    tenant_id   uuid        NOT NULL,
    at          timestamptz NOT NULL,
    id          uuid        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('request', 'login_success', 'login_failure')),
    user_id     text        NOT NULL DEFAULT '',
    api_key_id  text        NOT NULL DEFAULT '',
    subject     text        NOT NULL DEFAULT '',
    client_addr text        NOT NULL DEFAULT '',
    method      text        NOT NULL DEFAULT '',
    path        text        NOT NULL DEFAULT '',
    status      integer     NOT NULL DEFAULT 0,
    resource_id text        NOT NULL DEFAULT '',
    request_id  text        NOT NULL DEFAULT '',
    latency_ms  integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, at, id)
);
CREATE INDEX audit_log_user ON audit_log (tenant_id, user_id, at);
-- Retention deletes by time across tenants; the only index not led by tenant_id.
CREATE INDEX audit_log_at ON audit_log (at);

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log FOR SELECT
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY tenant_isolation_insert ON audit_log FOR INSERT
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY retention_select ON audit_log FOR SELECT
    USING (at < NULLIF(current_setting('app.audit_prune_before', true), '')::timestamptz);
CREATE POLICY retention_delete ON audit_log FOR DELETE
    USING (at < NULLIF(current_setting('app.audit_prune_before', true), '')::timestamptz);

-- +goose Down
DROP TABLE audit_log;
