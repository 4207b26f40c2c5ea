-- +goose Up
-- The gateway's identity store.
--
-- tenants is platform-level: it has no tenant_id column and no row-level
-- security, because the login path must find a tenant by slug (and the admin
-- API must list tenants) before any tenant is known. It holds no secrets and
-- no personal data. Every other table is tenant-owned, carries tenant_id
-- leading its keys, and sits under forced row-level security on
-- app.tenant_id.
--
-- Three tables must be found before the tenant is known, by someone who holds
-- a secret: api_keys (by the key's visible prefix), refresh_tokens and
-- invitations (by the SHA-256 of the token). Each has a second, SELECT-only
-- policy that shows the one row whose lookup value the transaction set in
-- app.lookup; the caller must still present the secret, whose hash is
-- compared in Go (api keys) or is the lookup value itself (tokens).
CREATE TABLE tenants (
    id         uuid        NOT NULL PRIMARY KEY,
    slug       text        NOT NULL,
    name       text        NOT NULL,
    domains    text[]      NOT NULL DEFAULT '{}',
    tier       text        NOT NULL CHECK (tier IN ('shared', 'dedicated')),
    status     text        NOT NULL CHECK (status IN ('active', 'suspended', 'deleted')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version    bigint      NOT NULL
);
CREATE UNIQUE INDEX tenants_slug ON tenants (slug);

CREATE TABLE users (
    tenant_id     uuid        NOT NULL REFERENCES tenants (id),
    id            uuid        NOT NULL,
    email         text        NOT NULL,
    name          text        NOT NULL,
    password_hash text        NOT NULL DEFAULT '',
    status        text        NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
    locale        text        NOT NULL DEFAULT 'en',
    time_zone     text        NOT NULL DEFAULT 'UTC',
    oidc_subject  text,
    last_login_at timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    version       bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX users_email ON users (tenant_id, lower(email));
CREATE UNIQUE INDEX users_oidc_subject ON users (tenant_id, oidc_subject) WHERE oidc_subject IS NOT NULL;

CREATE TABLE teams (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    name       text        NOT NULL,
    parent_id  uuid,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version    bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES teams (tenant_id, id),
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE UNIQUE INDEX teams_name ON teams (tenant_id, lower(name));
CREATE INDEX teams_parent ON teams (tenant_id, parent_id);

CREATE TABLE roles (
    tenant_id     uuid        NOT NULL,
    id            uuid        NOT NULL,
    name          text        NOT NULL,
    description   text        NOT NULL DEFAULT '',
    permissions   text[]      NOT NULL DEFAULT '{}',
    record_scopes jsonb       NOT NULL DEFAULT '{}',
    builtin       boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    version       bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX roles_name ON roles (tenant_id, name);

CREATE TABLE user_roles (
    tenant_id uuid NOT NULL,
    user_id   uuid NOT NULL,
    role_id   uuid NOT NULL,
    PRIMARY KEY (tenant_id, user_id, role_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE user_teams (
    tenant_id uuid    NOT NULL,
    user_id   uuid    NOT NULL,
    team_id   uuid    NOT NULL,
    manager   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, user_id, team_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX user_teams_team ON user_teams (tenant_id, team_id);

CREATE TABLE api_keys (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    user_id      uuid        NOT NULL,
    name         text        NOT NULL,
    prefix       text        NOT NULL,
    secret_hash  bytea       NOT NULL,
    scopes       text[]      NOT NULL,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX api_keys_prefix ON api_keys (prefix);

CREATE TABLE refresh_tokens (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    family_id  uuid        NOT NULL,
    token_hash text        NOT NULL,
    expires_at timestamptz NOT NULL,
    spent_at   timestamptz,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX refresh_tokens_hash ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family ON refresh_tokens (tenant_id, family_id);

CREATE TABLE invitations (
    tenant_id   uuid        NOT NULL,
    id          uuid        NOT NULL,
    user_id     uuid        NOT NULL,
    token_hash  text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX invitations_hash ON invitations (token_hash);

-- One OIDC provider per tenant. client_secret is AES-256-GCM ciphertext under
-- the gateway's data key and never leaves the gateway.
CREATE TABLE oidc_providers (
    tenant_id     uuid        NOT NULL PRIMARY KEY,
    issuer        text        NOT NULL,
    client_id     text        NOT NULL,
    client_secret bytea       NOT NULL,
    scopes        text[]      NOT NULL DEFAULT '{}',
    role_claim    text        NOT NULL DEFAULT '',
    role_mapping  jsonb       NOT NULL DEFAULT '{}',
    default_roles text[]      NOT NULL DEFAULT '{}',
    enabled       boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    version       bigint      NOT NULL
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'teams', 'roles', 'user_roles', 'user_teams',
                             'api_keys', 'refresh_tokens', 'invitations', 'oidc_providers'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

CREATE POLICY lookup ON api_keys FOR SELECT
    USING (prefix = NULLIF(current_setting('app.lookup', true), ''));
CREATE POLICY lookup ON refresh_tokens FOR SELECT
    USING (token_hash = NULLIF(current_setting('app.lookup', true), ''));
CREATE POLICY lookup ON invitations FOR SELECT
    USING (token_hash = NULLIF(current_setting('app.lookup', true), ''));

-- +goose Down
DROP TABLE oidc_providers, invitations, refresh_tokens, api_keys, user_teams,
    user_roles, roles, teams, users, tenants;
