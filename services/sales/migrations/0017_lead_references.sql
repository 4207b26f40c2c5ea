-- +goose Up
-- The leads converted into a contact or an account of the contacts
-- service, found when contacts merges or erases one (package leads,
-- References), deleted leads too.
CREATE INDEX leads_converted_contact ON leads (tenant_id, converted_contact_id) WHERE converted_contact_id IS NOT NULL;
CREATE INDEX leads_converted_account ON leads (tenant_id, converted_account_id) WHERE converted_account_id IS NOT NULL;

-- +goose Down
DROP INDEX leads_converted_account;
DROP INDEX leads_converted_contact;
