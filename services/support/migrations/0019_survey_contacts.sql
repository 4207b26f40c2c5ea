-- +goose Up
-- The contact of a survey's case (package surveys), followed through
-- contacts' merges and erasures: an erased contact's surveys lose their
-- address, name and comment (their scores stay, counted), and those not
-- sent yet go. An erased survey's address is '', which the NPS uniqueness
-- no longer covers.
ALTER TABLE surveys ADD COLUMN contact_id uuid;
CREATE INDEX surveys_contact ON surveys (tenant_id, contact_id) WHERE contact_id IS NOT NULL;
DROP INDEX surveys_nps_address;
CREATE UNIQUE INDEX surveys_nps_address ON surveys (tenant_id, lower(address), period_start) WHERE kind = 'nps' AND address <> '';

-- +goose Down
DROP INDEX surveys_nps_address;
CREATE UNIQUE INDEX surveys_nps_address ON surveys (tenant_id, lower(address), period_start) WHERE kind = 'nps';
DROP INDEX surveys_contact;
ALTER TABLE surveys DROP COLUMN contact_id;
