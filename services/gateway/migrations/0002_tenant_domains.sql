-- +goose Up
-- Sign-in names a tenant by its slug or by one of its domains
-- (identity.tenantByRef). Domains are stored trimmed and lower-case, as the
-- tenant API now writes them, and the lookup (domains @> ARRAY[$1]) uses a
-- GIN index rather than reading every tenant.
UPDATE tenants SET domains = ARRAY(
    SELECT d FROM (SELECT lower(btrim(u.d)) AS d, min(u.o) AS o
                   FROM unnest(domains) WITH ORDINALITY AS u(d, o)
                   WHERE btrim(u.d) <> '' GROUP BY 1) AS kept
    ORDER BY o)
WHERE domains <> '{}';
CREATE INDEX tenants_domains ON tenants USING gin (domains);

-- +goose Down
DROP INDEX tenants_domains;
