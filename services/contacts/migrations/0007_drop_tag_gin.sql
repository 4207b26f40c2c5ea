-- +goose Up
-- The GIN indexes on tag_ids were never used: array containment (@>, &&)
-- is not leakproof, so under FORCE ROW LEVEL SECURITY PostgreSQL does not
-- use them for the application role (0002), yet every write of a record
-- maintained them. Tag filters read tag_ids from rows another index found.
DROP INDEX contacts_tags;
DROP INDEX accounts_tags;

-- +goose Down
CREATE INDEX contacts_tags ON contacts USING gin (tag_ids);
CREATE INDEX accounts_tags ON accounts USING gin (tag_ids);
