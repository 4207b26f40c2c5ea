-- +goose Up
-- The names a quote's revision prints for its account and primary contact,
-- as the contacts service gave them to the caller who made the revision
-- (empty: unknown, not printed).
ALTER TABLE quote_revisions
    ADD COLUMN account_name text NOT NULL DEFAULT '',
    ADD COLUMN contact_name text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE quote_revisions DROP COLUMN contact_name, DROP COLUMN account_name;
