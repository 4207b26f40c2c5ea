-- +goose Up
-- Saved views, filters, sorts and exports name fields in one vocabulary per
-- entity, the resource's JSON names (fields.go). Filters and sorts called a
-- contact's primary email and phone "email" and "phone", an account's
-- revenue currency "currency" and a custom field "custom.<key>"; they are
-- now "emails", "phones", "annualRevenue.currency" and "customFields.<key>"
-- (emails and phones still filter and sort on the primary address and
-- number). The stored views are rewritten to the new names: their columns,
-- their sort and every "field" of their filter.

-- vocabulary_name is the new name of one field name of entity.
-- +goose StatementBegin
CREATE FUNCTION pg_temp.vocabulary_name(entity text, name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN name LIKE 'custom.%' THEN 'customFields.' || substr(name, 8)
        WHEN entity = 'contact' AND name IN ('email', 'phone') THEN name || 's'
        WHEN entity = 'account' AND name = 'currency' THEN 'annualRevenue.currency'
        ELSE name
    END
$$;
-- +goose StatementEnd

-- vocabulary_filter renames the field of every condition of a filter.
-- +goose StatementBegin
CREATE FUNCTION pg_temp.vocabulary_filter(entity text, f jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    renamed jsonb;
BEGIN
    CASE jsonb_typeof(f)
    WHEN 'array' THEN
        SELECT COALESCE(jsonb_agg(pg_temp.vocabulary_filter(entity, e) ORDER BY i), '[]')
            INTO renamed FROM jsonb_array_elements(f) WITH ORDINALITY AS t(e, i);
    WHEN 'object' THEN
        SELECT jsonb_object_agg(key, CASE
                WHEN key = 'field' AND jsonb_typeof(value) = 'string'
                    THEN to_jsonb(pg_temp.vocabulary_name(entity, value #>> '{}'))
                WHEN key IN ('and', 'or', 'not') THEN pg_temp.vocabulary_filter(entity, value)
                ELSE value END)
            INTO renamed FROM jsonb_each(f);
    ELSE
        renamed := f;
    END CASE;
    RETURN renamed;
END
$$;
-- +goose StatementEnd

-- vocabulary_sort renames the fields of a sort ("-email,lastName").
-- +goose StatementBegin
CREATE FUNCTION pg_temp.vocabulary_sort(entity text, sort text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(string_agg(CASE
            WHEN btrim(s) LIKE '-%' THEN '-' || pg_temp.vocabulary_name(entity, substr(btrim(s), 2))
            ELSE pg_temp.vocabulary_name(entity, btrim(s)) END, ',' ORDER BY i), '')
    FROM unnest(string_to_array(sort, ',')) WITH ORDINALITY AS t(s, i)
$$;
-- +goose StatementEnd

-- The migration role owns the table; FORCE is lifted for the statement so a
-- non-superuser owner sees every tenant's views (the transaction restores it).
ALTER TABLE saved_views NO FORCE ROW LEVEL SECURITY;
UPDATE saved_views SET
    columns = ARRAY(SELECT pg_temp.vocabulary_name(entity, c) FROM unnest(columns) WITH ORDINALITY AS t(c, i) ORDER BY i),
    sort = pg_temp.vocabulary_sort(entity, sort),
    filter = pg_temp.vocabulary_filter(entity, filter);
ALTER TABLE saved_views FORCE ROW LEVEL SECURITY;

-- +goose Down
-- The old names back. Sorts held only sortable names, of which emails and
-- custom fields were renamed; names the old vocabulary lacks stay, and
-- fail there as any unknown name does.
ALTER TABLE saved_views NO FORCE ROW LEVEL SECURITY;
UPDATE saved_views SET
    columns = ARRAY(SELECT CASE
            WHEN entity = 'contact' AND c IN ('emails', 'phones') THEN rtrim(c, 's')
            WHEN entity = 'account' AND c = 'annualRevenue.currency' THEN 'currency'
            ELSE regexp_replace(c, '^customFields\.', 'custom.') END
        FROM unnest(columns) WITH ORDINALITY AS t(c, i) ORDER BY i),
    sort = regexp_replace(regexp_replace(sort, '(^|,)(\s*-?)customFields\.', '\1\2custom.', 'g'),
        '(^|,)(\s*-?)emails(?=\s*(,|$))', '\1\2email', 'g'),
    filter = regexp_replace(regexp_replace(filter::text, '"field": "customFields\.', '"field": "custom.', 'g'),
        CASE entity WHEN 'contact' THEN '"field": "(email|phone)s"' ELSE '"field": "annualRevenue\.(currency)"' END,
        '"field": "\1"', 'g')::jsonb;
ALTER TABLE saved_views FORCE ROW LEVEL SECURITY;
