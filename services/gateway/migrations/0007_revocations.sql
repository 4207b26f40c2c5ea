-- +goose Up
-- Revocations shared by every gateway replica (identity/revocation*.go).
--
-- A revoking action (logout, a user disabled or their roles or teams
-- changed, a role or the team tree changed, an API key revoked) inserts its
-- row in the same transaction as the change, so a revocation is never lost
-- between the commit and its announcement; every replica reads the rows it
-- has not seen (on start, then every REVOCATION_POLL, and at once when Redis
-- relays the announcement) into memory, where each request is checked.
--
-- The table holds no personal data and no secret: opaque ids (an access
-- token's jti, a user, tenant or API key id) and times. A tenant's
-- transaction may insert only its own tenant's rows; every replica reads all
-- rows, whatever tenant (it needs them before any request names one), and
-- deletes those long expired.
CREATE TABLE revocations (
    id         bigserial   NOT NULL PRIMARY KEY,
    tenant_id  uuid        NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('session', 'user', 'tenant', 'api_key')),
    subject    uuid        NOT NULL,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX revocations_at ON revocations (at);
CREATE INDEX revocations_expires ON revocations (expires_at);
ALTER TABLE revocations ENABLE ROW LEVEL SECURITY;
ALTER TABLE revocations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON revocations FOR INSERT
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY replicas_read ON revocations FOR SELECT USING (true);
CREATE POLICY replicas_prune ON revocations FOR DELETE USING (expires_at < now());

-- The jti of the access token issued with each refresh token, so that
-- logging out (or a refresh token's reuse) revokes the session's access
-- tokens too.
ALTER TABLE refresh_tokens ADD COLUMN access_jti uuid;

-- +goose Down
ALTER TABLE refresh_tokens DROP COLUMN access_jti;
DROP TABLE revocations;
