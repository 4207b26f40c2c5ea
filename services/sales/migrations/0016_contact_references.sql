-- +goose Up
-- The opportunities naming a contact or an account of the contacts
-- service, which its merges re-point and its erasures remove (package
-- deals, References; the contacts' events consumed by package
-- contactevents): deleted ones too.
CREATE INDEX opportunities_account ON opportunities (tenant_id, account_id) WHERE account_id IS NOT NULL;
CREATE INDEX opportunities_primary_contact ON opportunities (tenant_id, primary_contact_id) WHERE primary_contact_id IS NOT NULL;
CREATE INDEX opportunities_contact_roles ON opportunities USING gin (contact_roles jsonb_path_ops);

-- +goose Down
DROP INDEX opportunities_contact_roles;
DROP INDEX opportunities_primary_contact;
DROP INDEX opportunities_account;
