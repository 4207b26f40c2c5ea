-- +goose Up
-- The built-in role marketer as identity.BuiltinRoles now declares it, for
-- the marketing service: marketing:read, write and send, where marketing:*
-- also gave it marketing:admin (the sending settings, the admin's) and
-- marketing:public (the gateway's principal of the public pages only). For
-- the tenants made before: their built-in marketer is updated, and a tenant
-- without one gets it (a custom role of that name is left as it is). roles
-- is under forced row-level security, so each tenant's statements run with
-- its tenant set.
-- +goose StatementBegin
DO $$
DECLARE
    t uuid;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        INSERT INTO roles (tenant_id, id, name, description, permissions, record_scopes, builtin, created_at, updated_at, version)
        VALUES (t, gen_random_uuid(), 'marketer',
                'Runs marketing over every contact: segments, campaigns, templates, sends, forms and attribution; the sending settings are the admin''s.',
                ARRAY['contacts:read', 'marketing:read', 'marketing:write', 'marketing:send', 'reporting:read'],
                '{"*": "all"}', true, now(), now(), 1)
        ON CONFLICT (tenant_id, name) DO UPDATE
            SET description = EXCLUDED.description, permissions = EXCLUDED.permissions,
                record_scopes = EXCLUDED.record_scopes, updated_at = now(), version = roles.version + 1
            WHERE roles.builtin;
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
        UPDATE roles SET description = 'Runs campaigns and segments over every contact.',
                         permissions = ARRAY['contacts:read', 'marketing:*', 'reporting:read'],
                         updated_at = now(), version = version + 1
         WHERE tenant_id = t AND name = 'marketer' AND builtin;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
-- +goose StatementEnd
