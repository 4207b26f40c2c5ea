-- +goose Up
-- Tags are found by name case-insensitively. Under FORCE ROW LEVEL SECURITY
-- an index on lower(name) is never used (lower() is not leakproof, see
-- 0002), so every lookup read the tenant's whole catalogue: the lower-cased
-- name is now a stored column, and equality on it is an index lookup.
ALTER TABLE tags ADD COLUMN name_key text GENERATED ALWAYS AS (lower(name)) STORED;
DROP INDEX tags_name;
CREATE UNIQUE INDEX tags_name ON tags (tenant_id, name_key);

-- +goose Down
DROP INDEX tags_name;
ALTER TABLE tags DROP COLUMN name_key;
CREATE UNIQUE INDEX tags_name ON tags (tenant_id, lower(name));
