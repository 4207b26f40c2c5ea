-- +goose Up
-- contact_match_keys and account_name_keys are derived from their records by
-- triggers in the same transaction (0003), and records are never deleted
-- (a delete is soft), so their foreign keys guarded nothing the triggers do
-- not. They cost every key row a referential check that locks its record
-- FOR KEY SHARE (a WAL record per key), and that check is a plan cached per
-- connection: planned while the tables are young and have no statistics,
-- PostgreSQL reads the tenant's whole contacts through whichever tenant_id
-- index ties on cost, and keeps that plan until autovacuum's first ANALYZE —
-- every create of a new database's first minute scanned all contacts before
-- it, three times.
ALTER TABLE contact_match_keys DROP CONSTRAINT contact_match_keys_tenant_id_contact_id_fkey;
ALTER TABLE account_name_keys DROP CONSTRAINT account_name_keys_tenant_id_account_id_fkey;

-- +goose Down
ALTER TABLE contact_match_keys ADD CONSTRAINT contact_match_keys_tenant_id_contact_id_fkey
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE account_name_keys ADD CONSTRAINT account_name_keys_tenant_id_account_id_fkey
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE;
