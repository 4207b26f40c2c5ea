-- +goose Up
-- The built-in role integration as identity.BuiltinRoles now declares it:
-- it also holds webhooks:read and webhooks:manage, for the API keys that
-- subscribe to the events. For the tenants made before: their built-in
-- role of that name is updated (a custom role of such a name is left as
-- it is). roles is under forced row-level security, so each tenant's
-- statements run with its tenant set.
-- +goose StatementBegin
DO $$
DECLARE
    t uuid;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        UPDATE roles SET permissions = ARRAY['contacts:*', 'sales:*', 'marketing:*', 'support:*', 'reporting:read', 'webhooks:read', 'webhooks:manage'],
                description = 'For the owners of API keys: reads and writes CRM data of every module and manages the webhooks.',
                updated_at = now(), version = version + 1
         WHERE tenant_id = t AND builtin AND name = 'integration';
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
        UPDATE roles SET permissions = ARRAY['contacts:*', 'sales:*', 'marketing:*', 'support:*', 'reporting:read'],
                description = 'For the owners of API keys: reads and writes CRM data of every module.',
                updated_at = now(), version = version + 1
         WHERE tenant_id = t AND builtin AND name = 'integration';
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
-- +goose StatementEnd
