-- +goose Up
-- The built-in roles manager, marketer and support_manager as
-- identity.BuiltinRoles now declares them, for the reporting service: each
-- also holds reporting:write, to save dashboards and schedule reports for
-- the people it manages (reading them needed only reporting:read). For
-- the tenants made before: their built-in roles of those names are
-- updated (a custom role of such a name is left as it is). roles is under
-- forced row-level security, so each tenant's statements run with its
-- tenant set.
-- +goose StatementBegin
DO $$
DECLARE
    t uuid;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        UPDATE roles SET permissions = CASE name
                WHEN 'manager' THEN ARRAY['contacts:*', 'sales:*', 'support:*', 'marketing:read', 'reporting:read', 'reporting:write', 'users:read', 'teams:read', 'roles:read']
                WHEN 'marketer' THEN ARRAY['contacts:read', 'marketing:read', 'marketing:write', 'marketing:send', 'reporting:read', 'reporting:write']
                ELSE ARRAY['contacts:read', 'contacts:write', 'support:*', 'reporting:read', 'reporting:write', 'users:read', 'teams:read']
            END, updated_at = now(), version = version + 1
         WHERE tenant_id = t AND builtin AND name IN ('manager', 'marketer', 'support_manager');
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
        UPDATE roles SET permissions = array_remove(permissions, 'reporting:write'), updated_at = now(), version = version + 1
         WHERE tenant_id = t AND builtin AND name IN ('manager', 'marketer', 'support_manager');
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
-- +goose StatementEnd
