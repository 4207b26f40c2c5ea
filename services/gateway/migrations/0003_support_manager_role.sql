-- +goose Up
-- The built-in role support_manager (identity.BuiltinRoles) for the
-- tenants made before it existed; a tenant that already has a role of that
-- name keeps its own. roles is under forced row-level security, so each
-- tenant's insert runs with its tenant set.
-- +goose StatementBegin
DO $$
DECLARE
    t uuid;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        INSERT INTO roles (tenant_id, id, name, description, permissions, record_scopes, builtin, created_at, updated_at, version)
        VALUES (t, gen_random_uuid(), 'support_manager',
                'Runs the support desk: works every case and configures queues, SLAs, calendars, mailboxes and the knowledge base.',
                ARRAY['contacts:read', 'contacts:write', 'support:*', 'reporting:read', 'users:read', 'teams:read'],
                '{"*": "all"}', true, now(), now(), 1)
        ON CONFLICT (tenant_id, name) DO NOTHING;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
    t uuid;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        DELETE FROM roles WHERE tenant_id = t AND name = 'support_manager' AND builtin;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
-- +goose StatementEnd
